//! Copying a message: OSC 52 to the terminal (works over SSH; inside tmux as its settings
//! allow), the native clipboard where there is one, and a file as the fallback that always
//! works. OSC 52 is never acknowledged, so the report says what was done and what may stop it.

mod file;
mod native;
mod osc52;
mod tmux;

use std::fmt;
use std::io::Write;
use std::time::Duration;

use serde::Serialize;

pub use file::write_draft;
pub use osc52::{MAX_PAYLOAD, osc52, screen_passthrough, tmux_passthrough};
pub use tmux::SET_CLIPBOARD_FIX;

/// How the OSC 52 sequence went out (or why it did not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "route")]
pub enum Osc52Route {
    /// Written straight to the terminal.
    Direct,
    /// Inside tmux with `set-clipboard on`: tmux takes it and forwards it when the outer
    /// terminal allows.
    Tmux,
    /// Inside tmux, wrapped in its passthrough (`allow-passthrough on`).
    TmuxPassthrough,
    /// Inside tmux with `set-clipboard` off (or unreadable) and no passthrough: not sent;
    /// `fix` says the command that makes it work.
    TmuxDrops { fix: String },
    /// No terminal to write to (headless, or output redirected).
    NoTerminal,
    /// Inside tmux, whose settings could not be read: sent as is (it costs nothing), but tmux
    /// drops it unless `set-clipboard` is on; `fix` is the command that makes sure.
    TmuxUnverified { fix: String },
    /// Inside tmux with `set-clipboard on`, but tmux does not count the outer terminal as one
    /// that takes clipboard writes: sent, and kept as a tmux paste buffer only. `fix` tells
    /// tmux the terminal can.
    TmuxNotForwarded { fix: String },
    /// Inside GNU screen, wrapped in its passthrough.
    Screen,
    /// Not sent: `bytes` of text is over the `limit` terminals reliably take.
    TooLarge { bytes: usize, limit: usize },
    /// Writing the sequence to the terminal failed.
    WriteFailed { error: String },
}

impl Osc52Route {
    /// A sequence was written to the terminal.
    pub fn sent(&self) -> bool {
        matches!(
            self,
            Self::Direct
                | Self::Tmux
                | Self::TmuxPassthrough
                | Self::TmuxUnverified { .. }
                | Self::TmuxNotForwarded { .. }
                | Self::Screen
        )
    }

    /// Sent on to the terminal, as far as can be known here.
    fn reaches_terminal(&self) -> bool {
        matches!(
            self,
            Self::Direct | Self::Tmux | Self::TmuxPassthrough | Self::Screen
        )
    }

    /// How the journal names it, when it was sent.
    fn via(&self) -> Option<&'static str> {
        match self {
            Self::Direct => Some("osc52"),
            Self::Tmux | Self::TmuxUnverified { .. } | Self::TmuxNotForwarded { .. } => {
                Some("osc52-tmux")
            }
            Self::TmuxPassthrough => Some("osc52-tmux-passthrough"),
            Self::Screen => Some("osc52-screen"),
            Self::TmuxDrops { .. }
            | Self::NoTerminal
            | Self::TooLarge { .. }
            | Self::WriteFailed { .. } => None,
        }
    }

    /// One clause for the flash: what happened to the sequence and what may stop it, quoting
    /// at most `error_chars` of an error.
    fn clause(&self, error_chars: usize) -> String {
        const UNCONFIRMED: &str = "unconfirmed: the terminal must allow clipboard writes";
        match self {
            Self::Direct => format!("Sent by OSC 52 ({UNCONFIRMED})"),
            Self::Tmux => format!("Sent by OSC 52 through tmux ({UNCONFIRMED})"),
            Self::TmuxPassthrough => {
                format!("Sent by OSC 52 through tmux's passthrough ({UNCONFIRMED})")
            }
            Self::Screen => format!("Sent by OSC 52 through screen ({UNCONFIRMED})"),
            Self::TmuxUnverified { fix } => format!(
                "Sent by OSC 52, but tmux's settings could not be read and it may drop it — \
                 run: {fix}"
            ),
            Self::TmuxNotForwarded { fix } => format!(
                "Only a tmux buffer: the terminal lacks tmux's clipboard feature — run: {fix}"
            ),
            Self::TmuxDrops { fix } => {
                format!("Not copied by OSC 52: tmux's set-clipboard is not on — run: {fix}")
            }
            Self::NoTerminal => "No terminal to send OSC 52 to".to_owned(),
            Self::TooLarge { bytes, limit } => format!(
                "Not sent by OSC 52: {} kB is over the {} kB terminals reliably take",
                bytes.div_ceil(1000),
                limit / 1000
            ),
            Self::WriteFailed { error } => {
                format!("OSC 52 not written: {}", shorten(error, error_chars))
            }
        }
    }
}

/// The native clipboard tool's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Native {
    /// None found (no display, no tool).
    Absent,
    Copied {
        tool: String,
    },
    Failed {
        tool: String,
        error: String,
    },
}

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    pub osc52: Osc52Route,
    pub native: Native,
}

/// How much of a tool's complaint the flash quotes at most.
const ERROR_CHARS: usize = 48;
/// The flash is one line of the console's footer.
pub const FLASH_CHARS: usize = 150;

impl CopyReport {
    /// Known to have landed somewhere (the native clipboard said so).
    pub fn confirmed(&self) -> bool {
        matches!(self.native, Native::Copied { .. })
    }

    /// The text went somewhere: a sequence was written to the terminal, or the native
    /// clipboard took it. A copy that went nowhere is not a message sent.
    pub fn went_out(&self) -> bool {
        self.osc52.sent() || self.confirmed()
    }

    /// What the flash says: what was done and what may stop it, in one line of at most
    /// `FLASH_CHARS` (a fix command is never cut; a quoted error is, first).
    pub fn message(&self) -> String {
        let full = self.message_quoting(ERROR_CHARS);
        match full.chars().count().checked_sub(FLASH_CHARS) {
            None | Some(0) => full,
            Some(over) => self.message_quoting(ERROR_CHARS.saturating_sub(over)),
        }
    }

    fn message_quoting(&self, error_chars: usize) -> String {
        let osc = self.osc52.clause(error_chars);
        match &self.native {
            Native::Copied { tool } if self.osc52.reaches_terminal() => {
                format!("{osc} and copied by {tool}.")
            }
            Native::Copied { tool } => format!("Copied by {tool}. {osc}."),
            Native::Failed { tool, error } => {
                // A quote cut to a few characters says nothing: then only that it failed.
                let failed = if error_chars < 8 {
                    format!("{tool} failed")
                } else {
                    format!("{tool} failed: {}", shorten(error, error_chars))
                };
                if self.osc52.sent() {
                    format!("{osc}; {failed}.")
                } else {
                    format!("{osc}; {failed}. Press w to write a file.")
                }
            }
            Native::Absent if self.osc52.sent() => format!("{osc}."),
            Native::Absent => format!("{osc}. Press w to write the draft to a file."),
        }
    }

    /// How the journal's `message_copied` names it: `osc52`, `osc52+pbcopy`, `xclip`, `none`.
    pub fn via(&self) -> String {
        let native = match &self.native {
            Native::Copied { tool } => Some(tool.as_str()),
            Native::Absent | Native::Failed { .. } => None,
        };
        let used: Vec<&str> = self.osc52.via().into_iter().chain(native).collect();
        if used.is_empty() {
            "none".to_owned()
        } else {
            used.join("+")
        }
    }
}

fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= max {
        line.to_owned()
    } else if max == 0 {
        String::new()
    } else {
        let cut: String = line.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;
type AskTmux = dyn Fn(&[String]) -> Result<String, String> + Send + Sync;

/// What a copy needs to know of the world, injected so tests can fake it: the environment,
/// an answer from tmux, whether the output is a terminal, and the platform.
pub struct Host {
    var: Box<Lookup>,
    tmux: Box<AskTmux>,
    /// The writer given to `copy` is a terminal (the console: yes; headless: stdout's
    /// `is_terminal()`).
    pub terminal: bool,
    /// pbcopy is the clipboard.
    pub macos: bool,
    /// How long the native tool may take.
    pub native_timeout: Duration,
}

/// How long tmux may take to answer: it is local and quick; a server that does not answer
/// in this time makes the settings unknown rather than the console wait.
const TMUX_TIMEOUT: Duration = Duration::from_millis(500);
/// How long the native clipboard tool may take.
const NATIVE_TIMEOUT: Duration = Duration::from_secs(2);

impl Host {
    /// This process's environment, and the `tmux` found on its `PATH`.
    pub fn of_process(terminal: bool) -> Self {
        Self::new(
            |name| std::env::var(name).ok(),
            |args| {
                let path = std::env::var_os("PATH").unwrap_or_default();
                let program = native::find_on_path(&path, "tmux").ok_or("no tmux on PATH")?;
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let ran = native::run(&program, &args, b"", TMUX_TIMEOUT)?;
                if ran.status.success() {
                    Ok(ran.stdout)
                } else {
                    Err(ran.stderr)
                }
            },
            terminal,
        )
    }

    /// A host from an environment lookup and a way to ask tmux (given `tmux`'s arguments).
    pub fn new(
        var: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
        tmux: impl Fn(&[String]) -> Result<String, String> + Send + Sync + 'static,
        terminal: bool,
    ) -> Self {
        Self {
            var: Box::new(var),
            tmux: Box::new(tmux),
            terminal,
            macos: cfg!(target_os = "macos"),
            native_timeout: NATIVE_TIMEOUT,
        }
    }

    pub fn var(&self, name: &str) -> Option<String> {
        (self.var)(name)
    }

    pub fn ask_tmux(&self, args: &[String]) -> Result<String, String> {
        (self.tmux)(args)
    }

    fn set(&self, name: &str) -> bool {
        self.var(name).is_some_and(|v| !v.is_empty())
    }
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Host")
            .field("terminal", &self.terminal)
            .field("macos", &self.macos)
            .field("native_timeout", &self.native_timeout)
            .finish_non_exhaustive()
    }
}

/// The route OSC 52 takes from here, asking tmux when inside it.
pub fn route(host: &Host, text: &str) -> Osc52Route {
    if !host.terminal {
        return Osc52Route::NoTerminal;
    }
    if osc52::payload_len(text) > MAX_PAYLOAD {
        return Osc52Route::TooLarge {
            bytes: text.len(),
            limit: MAX_PAYLOAD / 4 * 3,
        };
    }
    // Inside both, the innermost cannot be told from the environment; tmux is the one whose
    // settings can be read.
    if host.set("TMUX") {
        tmux::route(tmux::settings(host).as_ref())
    } else if host.set("STY") {
        Osc52Route::Screen
    } else {
        Osc52Route::Direct
    }
}

/// Copies `text`: OSC 52 to `terminal` as this process's environment allows, and the native
/// clipboard. The console calls it between two frames, with the terminal's stdout.
pub fn copy(text: &str, terminal: &mut dyn Write) -> CopyReport {
    copy_with(&Host::of_process(true), text, terminal)
}

/// `copy` with the world given: headless callers pass
/// `Host::of_process(std::io::stdout().is_terminal())`, tests a fake.
pub fn copy_with(host: &Host, text: &str, terminal: &mut dyn Write) -> CopyReport {
    CopyReport {
        osc52: send_osc52(host, text, terminal),
        native: copy_native(host, text),
    }
}

/// The OSC 52 half of a copy: the sequence for this route, written and flushed. It must go
/// out between two frames, where it cannot split a frame's own escape sequences.
pub fn send_osc52(host: &Host, text: &str, terminal: &mut dyn Write) -> Osc52Route {
    let route = route(host, text);
    let sequence = match route {
        Osc52Route::TmuxPassthrough => tmux_passthrough(&osc52(text)),
        Osc52Route::Screen => screen_passthrough(text),
        ref sent if sent.sent() => osc52(text),
        _ => return route,
    };
    match terminal
        .write_all(sequence.as_bytes())
        .and_then(|()| terminal.flush())
    {
        Ok(()) => route,
        Err(e) => Osc52Route::WriteFailed {
            error: e.to_string(),
        },
    }
}

/// The native half of a copy, which touches no terminal: it may run off the loop that
/// draws (it waits for the tool, `native_timeout` at most).
pub fn copy_native(host: &Host, text: &str) -> Native {
    native::copy(host, text)
}

#[cfg(test)]
#[path = "clipboard_tests.rs"]
mod tests;
