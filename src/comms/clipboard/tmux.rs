//! Whether an application's OSC 52 gets through tmux, read from tmux's own options, and the
//! route a copy takes as a result.

use super::{Host, Osc52Route};

/// The command that makes tmux accept an application's OSC 52.
pub const SET_CLIPBOARD_FIX: &str = "tmux set -g set-clipboard on";

/// One `display-message` answers every question at once: one process, one timeout, and the
/// pane's own `allow-passthrough` (a pane or window may override the global value).
/// `set-clipboard` is a server option; `client_termfeatures` lists what tmux believes the
/// outer terminal can do, `clipboard` among them when it forwards OSC 52.
pub const FORMAT: &str =
    "#{set-clipboard}|#{allow-passthrough}|#{client_termname}|#{client_termfeatures}";

/// The arguments given to `tmux`: the pane the console runs in when tmux says which.
pub fn query_args(pane: Option<&str>) -> Vec<String> {
    let mut args = vec!["display-message".to_owned(), "-p".to_owned()];
    if let Some(pane) = pane.filter(|p| !p.is_empty()) {
        args.extend(["-t".to_owned(), pane.to_owned()]);
    }
    args.push(FORMAT.to_owned());
    args
}

/// tmux's answer, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    /// `on`, `external` or `off`.
    pub set_clipboard: Option<String>,
    pub passthrough: bool,
    /// The outer terminal's `TERM` as tmux sees it (empty when no client is attached).
    pub term: Option<String>,
    /// `None` when no client is attached, or tmux predates terminal features (3.2).
    pub features: Option<Vec<String>>,
}

impl Settings {
    /// Reads `query_args`'s answer. `allow-passthrough` is `on`/`all` in a pane's options but
    /// `1` through a format in tmux 3.3, where it was a flag; tmux before 3.3 has none (empty).
    pub fn parse(answer: &str) -> Option<Self> {
        let line = answer.lines().next()?;
        let mut fields = line.split('|');
        let set_clipboard = fields.next()?.trim();
        let passthrough = fields.next()?.trim();
        let term = fields.next().unwrap_or_default().trim();
        let features = fields.next().unwrap_or_default().trim();
        if !matches!(set_clipboard, "on" | "external" | "off") {
            return None;
        }
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Some(Self {
            set_clipboard: Some(set_clipboard.to_owned()),
            passthrough: matches!(passthrough, "on" | "all" | "1"),
            term: non_empty(term),
            features: non_empty(features)
                .map(|f| f.split(',').map(|s| s.trim().to_owned()).collect()),
        })
    }

    fn forwards_to_terminal(&self) -> Option<bool> {
        self.features
            .as_ref()
            .map(|f| f.iter().any(|x| x == "clipboard"))
    }
}

/// The route inside tmux. `set-clipboard on` is the best: tmux keeps a paste buffer and
/// forwards the sequence to every terminal it knows takes it. With `external` tmux sets the
/// clipboard from its own copy mode only and ignores applications' sequences, and with `off`
/// it ignores them too; then only the passthrough gets a sequence out.
pub fn route(settings: Option<&Settings>) -> Osc52Route {
    let Some(settings) = settings else {
        return Osc52Route::TmuxUnverified {
            fix: SET_CLIPBOARD_FIX.to_owned(),
        };
    };
    let on = settings.set_clipboard.as_deref() == Some("on");
    match (on, settings.forwards_to_terminal()) {
        (true, None | Some(true)) => Osc52Route::Tmux,
        _ if settings.passthrough => Osc52Route::TmuxPassthrough,
        (true, Some(false)) => Osc52Route::TmuxNotForwarded {
            fix: format!(
                "tmux set -as terminal-features ',{}:clipboard'",
                settings.term.as_deref().unwrap_or("*")
            ),
        },
        (false, _) => Osc52Route::TmuxDrops {
            fix: SET_CLIPBOARD_FIX.to_owned(),
        },
    }
}

/// Asks tmux through the host; an error or an answer it cannot read is `None`.
pub fn settings(host: &Host) -> Option<Settings> {
    let pane = host.var("TMUX_PANE");
    let answer = host.ask_tmux(&query_args(pane.as_deref())).ok()?;
    Settings::parse(&answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route_for(answer: &str) -> Osc52Route {
        route(Settings::parse(answer).as_ref())
    }

    #[test]
    fn set_clipboard_on_goes_through_tmux() {
        assert_eq!(
            route_for("on|0|xterm-256color|256,RGB,clipboard,focus\n"),
            Osc52Route::Tmux
        );
        // No client attached: tmux still keeps a buffer, and forwards once one attaches.
        assert_eq!(route_for("on|0||"), Osc52Route::Tmux);
    }

    #[test]
    fn external_and_off_drop_the_sequence_and_name_the_fix() {
        let drops = Osc52Route::TmuxDrops {
            fix: "tmux set -g set-clipboard on".into(),
        };
        assert_eq!(route_for("external|0|xterm-256color|clipboard"), drops);
        assert_eq!(route_for("off|off|xterm-256color|clipboard"), drops);
        // tmux before 3.3 has no allow-passthrough: an empty field.
        assert_eq!(route_for("external||xterm|"), drops);
    }

    #[test]
    fn passthrough_carries_it_when_set_clipboard_is_not_on() {
        assert_eq!(route_for("off|1|xterm|"), Osc52Route::TmuxPassthrough);
        assert_eq!(route_for("external|on|xterm|"), Osc52Route::TmuxPassthrough);
        assert_eq!(
            route_for("external|all|xterm|"),
            Osc52Route::TmuxPassthrough
        );
    }

    #[test]
    fn a_terminal_without_the_clipboard_feature_keeps_only_a_tmux_buffer() {
        assert_eq!(
            route_for("on|0|rxvt-unicode-256color|256,title"),
            Osc52Route::TmuxNotForwarded {
                fix: "tmux set -as terminal-features ',rxvt-unicode-256color:clipboard'".into()
            }
        );
        // Unless the passthrough reaches the terminal directly.
        assert_eq!(
            route_for("on|1|rxvt-unicode-256color|256,title"),
            Osc52Route::TmuxPassthrough
        );
    }

    #[test]
    fn an_unreadable_answer_is_unknown_with_the_fix_named() {
        let unknown = Osc52Route::TmuxUnverified {
            fix: "tmux set -g set-clipboard on".into(),
        };
        assert_eq!(route(None), unknown);
        assert_eq!(route_for(""), unknown);
        assert_eq!(
            route_for("no server running on the default socket"),
            unknown
        );
    }

    #[test]
    fn the_query_names_the_pane_when_tmux_says_which() {
        assert_eq!(
            query_args(Some("%3")),
            ["display-message", "-p", "-t", "%3", FORMAT]
        );
        assert_eq!(query_args(None), ["display-message", "-p", FORMAT]);
    }
}
