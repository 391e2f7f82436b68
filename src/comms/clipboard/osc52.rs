//! The OSC 52 sequence, the wrappings that carry it through tmux and GNU screen, and the
//! largest text it is sent for.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The largest base64 payload sent, in bytes. tmux takes a sequence up to its
/// `input-buffer-size` (1 MiB by default) and kitty accumulates up to 8 MB, but some terminals
/// and clipboard plugins stop at 100 000 bytes (vim-oscyank's long-standing default, chosen for
/// the terminals that drop anything longer): past it a terminal may drop the sequence without a
/// word, so it is not sent. That is about 75 kB of text, far above any status update.
pub const MAX_PAYLOAD: usize = 100_000;

/// The base64 length of `text`, padding included.
pub fn payload_len(text: &str) -> usize {
    text.len().div_ceil(3) * 4
}

/// `ESC ] 52 ; c ; <base64 of the UTF-8 bytes> ESC \`: set the clipboard selection.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x1b\\", STANDARD.encode(text.as_bytes()))
}

/// `ESC P tmux; <seq with every ESC doubled> ESC \`: tmux hands the inner sequence to the
/// outer terminal untouched when the pane's `allow-passthrough` is on.
pub fn tmux_passthrough(seq: &str) -> String {
    format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
}

/// Base64 characters per screen DCS string: screen keeps a control string in a buffer of a few
/// hundred bytes, so the payload goes out in small pieces the outer terminal reassembles.
const SCREEN_CHUNK: usize = 76;

/// OSC 52 through GNU screen: `ESC P <piece> ESC \` per piece. The OSC inside ends with BEL,
/// because its usual `ESC \` would close screen's DCS string instead.
pub fn screen_passthrough(text: &str) -> String {
    let payload = STANDARD.encode(text.as_bytes());
    let pieces: Vec<&str> = payload
        .as_bytes()
        .chunks(SCREEN_CHUNK)
        // Base64 is ASCII, so any byte boundary is a character boundary.
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!("\x1bP\x1b]52;c;{}\x07\x1b\\", pieces.join("\x1b\\\x1bP"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Undoes a wrapping's framing and returns the decoded clipboard text.
    fn decode_osc52(seq: &str) -> String {
        let body = seq
            .strip_prefix("\x1b]52;c;")
            .and_then(|s| s.strip_suffix("\x1b\\").or_else(|| s.strip_suffix('\x07')))
            .expect("an OSC 52 sequence");
        String::from_utf8(STANDARD.decode(body).expect("base64")).expect("UTF-8")
    }

    #[test]
    fn hello_is_the_exact_osc52_bytes() {
        assert_eq!(osc52("hello").as_bytes(), b"\x1b]52;c;aGVsbG8=\x1b\\");
    }

    #[test]
    fn a_multi_line_text_is_the_exact_osc52_bytes() {
        // Line breaks travel inside the base64, so the terminal never sees a raw newline.
        let text = "Status: degraded\nETA: 14:30 UTC\n";
        assert_eq!(
            osc52(text).as_bytes(),
            b"\x1b]52;c;U3RhdHVzOiBkZWdyYWRlZApFVEE6IDE0OjMwIFVUQwo=\x1b\\"
        );
    }

    #[test]
    fn inside_tmux_passthrough_every_escape_is_doubled() {
        assert_eq!(
            tmux_passthrough(&osc52("hello")).as_bytes(),
            b"\x1bPtmux;\x1b\x1b]52;c;aGVsbG8=\x1b\x1b\\\x1b\\"
        );
        assert_eq!(
            tmux_passthrough(&osc52("Status: degraded\nETA: 14:30 UTC\n")).as_bytes(),
            b"\x1bPtmux;\x1b\x1b]52;c;U3RhdHVzOiBkZWdyYWRlZApFVEE6IDE0OjMwIFVUQwo=\x1b\x1b\\\x1b\\"
        );
    }

    #[test]
    fn non_ascii_survives_both_wrappings() {
        let text = "Café → 🚒 ok";
        assert_eq!(decode_osc52(&osc52(text)), text);

        let wrapped = tmux_passthrough(&osc52(text));
        let inner = wrapped
            .strip_prefix("\x1bPtmux;")
            .and_then(|s| s.strip_suffix("\x1b\\"))
            .expect("tmux's framing")
            .replace("\x1b\x1b", "\x1b");
        assert_eq!(decode_osc52(&inner), text);

        let screen = screen_passthrough(text);
        let inner: String = screen
            .strip_prefix("\x1bP")
            .and_then(|s| s.strip_suffix("\x1b\\"))
            .expect("screen's framing")
            .split("\x1b\\\x1bP")
            .collect();
        assert_eq!(decode_osc52(&inner), text);
    }

    #[test]
    fn screen_gets_the_payload_in_small_pieces() {
        assert_eq!(
            screen_passthrough("hello").as_bytes(),
            b"\x1bP\x1b]52;c;aGVsbG8=\x07\x1b\\"
        );
        let long = "x".repeat(120); // 160 base64 characters: pieces of 76, 76 and 8
        let seq = screen_passthrough(&long);
        assert_eq!(seq.matches("\x1bP").count(), 3);
        let x76 = "eHh4".repeat(19);
        assert_eq!(
            seq,
            format!("\x1bP\x1b]52;c;{x76}\x1b\\\x1bP{x76}\x1b\\\x1bPeHh4eHh4\x07\x1b\\")
        );
    }

    #[test]
    fn the_payload_length_counts_padding() {
        assert_eq!(payload_len(""), 0);
        assert_eq!(payload_len("hello"), 8);
        assert_eq!(payload_len("é"), 4);
        assert_eq!(payload_len(&"x".repeat(75_000)), MAX_PAYLOAD);
    }
}
