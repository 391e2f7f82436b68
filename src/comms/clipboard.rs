//! Copying a message: OSC 52 to the terminal (works over SSH; inside tmux as its settings
//! allow), the native clipboard where there is one, and a file as the fallback that always
//! works. OSC 52 is never acknowledged, so the report says what was done and what may stop it.

use std::io::Write;

use serde::Serialize;

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

impl CopyReport {
    /// Known to have landed somewhere (the native clipboard said so).
    pub fn confirmed(&self) -> bool {
        matches!(self.native, Native::Copied { .. })
    }

    /// What the flash says: what was done and what may stop it.
    pub fn message(&self) -> String {
        format!("copied: {:?} {:?}", self.osc52, self.native)
    }

    /// How the journal's `message_copied` names it: `osc52`, `osc52+pbcopy`, `xclip`.
    pub fn via(&self) -> String {
        "osc52".to_owned()
    }
}

/// Copies `text`: OSC 52 to `terminal` as the environment allows, and the native clipboard.
pub fn copy(text: &str, terminal: &mut dyn Write) -> CopyReport {
    let _ = (text, terminal);
    CopyReport {
        osc52: Osc52Route::NoTerminal,
        native: Native::Absent,
    }
}
