//! Copies through a faked world: the environment, tmux's answer and the clipboard tools on a
//! temporary `PATH`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::*;

/// A host with these variables, a tmux that answers `tmux`, and a terminal.
fn host(vars: &[(&str, &str)], tmux: Result<&str, &str>) -> Host {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let tmux = tmux.map(str::to_owned).map_err(str::to_owned);
    let mut host = Host::new(
        move |name| vars.get(name).cloned(),
        move |_| tmux.clone(),
        true,
    );
    host.macos = false;
    host
}

fn copied(host: &Host, text: &str) -> (CopyReport, Vec<u8>) {
    let mut terminal = Vec::new();
    let report = copy_with(host, text, &mut terminal);
    (report, terminal)
}

#[test]
fn outside_tmux_the_sequence_goes_straight_to_the_terminal() {
    let (report, written) = copied(&host(&[], Err("unused")), "hello");
    assert_eq!(report.osc52, Osc52Route::Direct);
    assert_eq!(written, b"\x1b]52;c;aGVsbG8=\x1b\\");
    assert_eq!(report.native, Native::Absent);
    assert_eq!(report.via(), "osc52");
    assert!(!report.confirmed());
}

#[test]
fn each_tmux_answer_picks_its_route_and_its_bytes() {
    let plain = b"\x1b]52;c;aGVsbG8=\x1b\\".to_vec();
    let wrapped = b"\x1bPtmux;\x1b\x1b]52;c;aGVsbG8=\x1b\x1b\\\x1b\\".to_vec();
    let fix = || "tmux set -g set-clipboard on".to_owned();
    let cases: [(Result<&str, &str>, Osc52Route, Vec<u8>); 7] = [
        (
            Ok("on|0|xterm-256color|256,clipboard,focus\n"),
            Osc52Route::Tmux,
            plain.clone(),
        ),
        (
            Ok("external|0|xterm-256color|clipboard\n"),
            Osc52Route::TmuxDrops { fix: fix() },
            Vec::new(),
        ),
        (
            Ok("off|0|xterm-256color|clipboard\n"),
            Osc52Route::TmuxDrops { fix: fix() },
            Vec::new(),
        ),
        (
            Ok("off|1|xterm-256color|clipboard\n"),
            Osc52Route::TmuxPassthrough,
            wrapped.clone(),
        ),
        (
            Ok("external|on|xterm-256color|clipboard\n"),
            Osc52Route::TmuxPassthrough,
            wrapped,
        ),
        (
            Err("no server running on the socket"),
            Osc52Route::TmuxUnverified { fix: fix() },
            plain.clone(),
        ),
        (
            Ok("garbage"),
            Osc52Route::TmuxUnverified { fix: fix() },
            plain,
        ),
    ];
    for (answer, route, bytes) in cases {
        let (report, written) = copied(&host(&[("TMUX", "tmux-socket,42,0")], answer), "hello");
        assert_eq!(report.osc52, route, "for {answer:?}");
        assert_eq!(written, bytes, "for {answer:?}");
    }
}

#[test]
fn tmux_is_asked_about_the_pane_the_console_runs_in() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&asked);
    let mut host = Host::new(
        |name| match name {
            "TMUX" => Some("tmux-socket,42,0".into()),
            "TMUX_PANE" => Some("%7".into()),
            _ => None,
        },
        move |args| {
            seen.lock().unwrap().push(args.to_vec());
            Ok("on|0||".into())
        },
        true,
    );
    host.macos = false;
    let (report, _) = copied(&host, "x");
    assert_eq!(report.osc52, Osc52Route::Tmux);
    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 1, "one question per copy");
    assert_eq!(asked[0][..4], ["display-message", "-p", "-t", "%7"]);
    assert!(asked[0][4].contains("#{set-clipboard}"));
    assert!(asked[0][4].contains("#{allow-passthrough}"));
}

#[test]
fn inside_screen_the_sequence_is_wrapped_for_it() {
    let (report, written) = copied(&host(&[("STY", "1234.pts-0.host")], Err("unused")), "hello");
    assert_eq!(report.osc52, Osc52Route::Screen);
    assert_eq!(written, b"\x1bP\x1b]52;c;aGVsbG8=\x07\x1b\\");
    assert_eq!(report.via(), "osc52-screen");
}

#[test]
fn without_a_terminal_nothing_is_written() {
    let mut host = host(&[], Err("unused"));
    host.terminal = false;
    let (report, written) = copied(&host, "hello");
    assert_eq!(report.osc52, Osc52Route::NoTerminal);
    assert!(written.is_empty());
    assert_eq!(report.via(), "none");
    assert_eq!(
        report.message(),
        "No terminal to send OSC 52 to. Press w to write the draft to a file."
    );
}

#[test]
fn a_text_over_the_bound_is_not_sent_but_still_copied_natively() {
    let bin = tempfile::tempdir().unwrap();
    let out = bin.path().join("clipboard");
    fake_tool(bin.path(), "xclip", &format!("cat > '{}'", out.display()));
    let host = host(
        &[("DISPLAY", ":0"), ("PATH", &path_of(bin.path()))],
        Err("unused"),
    );

    let fits = "x".repeat(75_000);
    assert_eq!(copied(&host, &fits).0.osc52, Osc52Route::Direct);

    let text = "x".repeat(75_001);
    let (report, written) = copied(&host, &text);
    assert_eq!(
        report.osc52,
        Osc52Route::TooLarge {
            bytes: 75_001,
            limit: 75_000
        }
    );
    assert!(written.is_empty());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    assert_eq!(
        report.message(),
        "Copied by xclip. Not sent by OSC 52: 76 kB is over the 75 kB terminals reliably take."
    );
    assert_eq!(report.via(), "xclip");
}

#[test]
fn a_terminal_that_cannot_be_written_is_said() {
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let report = copy_with(&host(&[], Err("unused")), "hello", &mut Closed);
    assert!(matches!(report.osc52, Osc52Route::WriteFailed { .. }));
    assert_eq!(report.via(), "none");
}

fn path_of(dir: &Path) -> String {
    dir.display().to_string()
}

/// An executable shell script `name` in `dir`.
fn fake_tool(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn the_native_tool_gets_the_text_on_stdin() {
    let bin = tempfile::tempdir().unwrap();
    let out = bin.path().join("clipboard");
    // Its own output must not reach the console's screen: it is captured, and ignored.
    fake_tool(
        bin.path(),
        "xclip",
        &format!(
            "echo \"args: $*\" > '{}.args'; echo noise; cat > '{}'",
            out.display(),
            out.display()
        ),
    );
    let host = host(
        &[("DISPLAY", ":0"), ("PATH", &path_of(bin.path()))],
        Err("unused"),
    );
    let text = "Café → 🚒 ok\nline two\n";
    let (report, _) = copied(&host, text);
    assert_eq!(
        report.native,
        Native::Copied {
            tool: "xclip".into()
        }
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    assert_eq!(
        std::fs::read_to_string(bin.path().join("clipboard.args")).unwrap(),
        "args: -selection clipboard\n"
    );
    assert!(report.confirmed());
    assert_eq!(report.via(), "osc52+xclip");
    assert_eq!(
        report.message(),
        "Sent by OSC 52 (unconfirmed: the terminal must allow clipboard writes) and copied by \
         xclip."
    );
}

#[test]
fn xsel_stands_in_when_xclip_is_missing_and_wayland_comes_first() {
    let bin = tempfile::tempdir().unwrap();
    let out = bin.path().join("clipboard");
    fake_tool(bin.path(), "xsel", &format!("cat > '{}'", out.display()));
    let path = path_of(bin.path());
    let x11 = host(&[("DISPLAY", ":0"), ("PATH", &path)], Err("unused"));
    assert_eq!(
        copied(&x11, "t").0.native,
        Native::Copied {
            tool: "xsel".into()
        }
    );
    fake_tool(bin.path(), "wl-copy", &format!("cat > '{}'", out.display()));
    let both = host(
        &[
            ("DISPLAY", ":0"),
            ("WAYLAND_DISPLAY", "wayland-0"),
            ("PATH", &path),
        ],
        Err("unused"),
    );
    assert_eq!(
        copied(&both, "t").0.native,
        Native::Copied {
            tool: "wl-copy".into()
        }
    );
}

#[test]
fn a_failing_tool_is_reported_with_what_it_said() {
    let bin = tempfile::tempdir().unwrap();
    fake_tool(
        bin.path(),
        "xclip",
        "cat > /dev/null; echo \"Error: Can't open display: :0\" >&2; exit 1",
    );
    let host = host(
        &[("DISPLAY", ":0"), ("PATH", &path_of(bin.path()))],
        Err("unused"),
    );
    let (report, _) = copied(&host, "hello");
    assert_eq!(
        report.native,
        Native::Failed {
            tool: "xclip".into(),
            error: "Error: Can't open display: :0".into()
        }
    );
    assert!(!report.confirmed());
    assert_eq!(report.via(), "osc52");
    assert_eq!(
        report.message(),
        "Sent by OSC 52 (unconfirmed: the terminal must allow clipboard writes); xclip failed: \
         Error: Can't open display: :0."
    );
}

#[test]
fn a_tool_that_does_not_answer_is_stopped() {
    let bin = tempfile::tempdir().unwrap();
    fake_tool(bin.path(), "xclip", "exec sleep 30");
    let mut host = host(
        &[("DISPLAY", ":0"), ("PATH", &path_of(bin.path()))],
        Err("unused"),
    );
    host.native_timeout = Duration::from_millis(200);
    let (report, _) = copied(&host, "hello");
    assert!(
        matches!(&report.native, Native::Failed { tool, error } if tool == "xclip" && error.contains("no answer")),
        "{:?}",
        report.native
    );
}

#[test]
fn no_tool_or_no_display_is_absent() {
    let bin = tempfile::tempdir().unwrap();
    let path = path_of(bin.path());
    // A display but no tool on PATH.
    let empty = host(&[("DISPLAY", ":0"), ("PATH", &path)], Err("unused"));
    assert_eq!(copied(&empty, "t").0.native, Native::Absent);

    // A tool but no display: over SSH, nothing to copy to.
    fake_tool(bin.path(), "xclip", "exit 0");
    fake_tool(bin.path(), "pbcopy", "exit 0");
    let mut ssh = host(
        &[
            ("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22"),
            ("PATH", &path),
        ],
        Err("unused"),
    );
    ssh.macos = true;
    assert_eq!(copied(&ssh, "t").0.native, Native::Absent);

    // A tool that is there but not executable is not run.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("xclip"), "#!/bin/sh\nexit 0\n").unwrap();
    let host = host(
        &[("DISPLAY", ":0"), ("PATH", &path_of(plain.path()))],
        Err("unused"),
    );
    assert_eq!(copied(&host, "t").0.native, Native::Absent);
}

#[test]
fn pbcopy_and_clip_exe_serve_their_platforms() {
    let bin = tempfile::tempdir().unwrap();
    let out = bin.path().join("clipboard");
    let path = path_of(bin.path());
    fake_tool(bin.path(), "pbcopy", &format!("cat > '{}'", out.display()));
    let mut mac = host(&[("PATH", &path)], Err("unused"));
    mac.macos = true;
    assert_eq!(
        copied(&mac, "é").0.native,
        Native::Copied {
            tool: "pbcopy".into()
        }
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "é");

    fake_tool(
        bin.path(),
        "clip.exe",
        &format!("cat > '{}'", out.display()),
    );
    let wsl = host(
        &[("WSL_DISTRO_NAME", "Ubuntu"), ("PATH", &path)],
        Err("unused"),
    );
    assert_eq!(
        copied(&wsl, "é→").0.native,
        Native::Copied {
            tool: "clip.exe".into()
        }
    );
    // UTF-16LE behind its byte order mark, which clip.exe reads as Unicode.
    assert_eq!(
        std::fs::read(&out).unwrap(),
        [0xFF, 0xFE, 0xE9, 0x00, 0x92, 0x21]
    );
}

#[test]
fn the_flash_says_how_to_fix_tmux() {
    let report = CopyReport {
        osc52: Osc52Route::TmuxDrops {
            fix: SET_CLIPBOARD_FIX.into(),
        },
        native: Native::Absent,
    };
    assert_eq!(
        report.message(),
        "Not copied by OSC 52: tmux's set-clipboard is not on — run: tmux set -g set-clipboard \
         on. Press w to write the draft to a file."
    );
    assert_eq!(report.via(), "none");

    let report = CopyReport {
        osc52: Osc52Route::TmuxNotForwarded {
            fix: "tmux set -as terminal-features ',rxvt-unicode-256color:clipboard'".into(),
        },
        native: Native::Copied {
            tool: "wl-copy".into(),
        },
    };
    assert_eq!(report.via(), "osc52-tmux+wl-copy");
    assert!(
        report
            .message()
            .contains("terminal-features ',rxvt-unicode-256color:clipboard'")
    );
}

#[test]
fn every_flash_fits_its_line() {
    let long_error = "x".repeat(400);
    let routes = [
        Osc52Route::Direct,
        Osc52Route::Tmux,
        Osc52Route::TmuxPassthrough,
        Osc52Route::TmuxDrops {
            fix: SET_CLIPBOARD_FIX.into(),
        },
        Osc52Route::NoTerminal,
        Osc52Route::TmuxUnverified {
            fix: SET_CLIPBOARD_FIX.into(),
        },
        Osc52Route::TmuxNotForwarded {
            fix: "tmux set -as terminal-features ',xterm-256color:clipboard'".into(),
        },
        Osc52Route::Screen,
        Osc52Route::TooLarge {
            bytes: 2_000_000,
            limit: 75_000,
        },
        Osc52Route::WriteFailed {
            error: long_error.clone(),
        },
    ];
    let natives = [
        Native::Absent,
        Native::Copied {
            tool: "clip.exe".into(),
        },
        Native::Failed {
            tool: "clip.exe".into(),
            error: long_error,
        },
    ];
    for osc52 in &routes {
        for native in &natives {
            let report = CopyReport {
                osc52: osc52.clone(),
                native: native.clone(),
            };
            let message = report.message();
            assert!(
                message.chars().count() <= FLASH_CHARS && !message.contains('\n'),
                "{} chars: {message}",
                message.chars().count()
            );
        }
    }
}
