//! Key bindings: one table of [`Action`]s feeds the key handling, the footer, the help popup
//! and the user's keymap file.
//!
//! To add an action, add a variant and give it a row in `Action::info`; the compiler points
//! at anything else.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use strum::{EnumString, IntoStaticStr, VariantArray};
use toml::Spanned;

use super::toml_file;
use crate::config::{self, ConfigError};

/// Something the user can ask for with a key; its key in the keymap file is its name in
/// snake case.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Quit,
    Back,
    Help,
    Refresh,
    NextPanel,
    PrevPanel,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    CountNow,
    Declare,
    Timeline,
    AddNote,
    Filter,
    Search,
    MarkRestored,
    Resolve,
    ChangeSeverity,
    Fix,
    Actions,
    Undo,
    Runbooks,
    Validate,
    StepDone,
    StepSkip,
    StepRetry,
    CancelRun,
    MarkNotified,
    MarkAcknowledged,
    Comms,
    EditDraft,
    Copy,
    Post,
    WriteDraft,
    Format,
    SetEta,
}

/// Everything the footer, the help popup and the keymap file say about one action.
struct Info {
    group: &'static str,
    short: &'static str,
    description: &'static str,
    defaults: &'static [&'static str],
}

const GLOBAL: &str = "Global";
const NAVIGATION: &str = "Navigation";
const DASHBOARD: &str = "Dashboard";
const INCIDENT: &str = "Incident";
const REPAIR: &str = "Repair";
const RUNBOOK: &str = "Runbook";
const CONTACTS: &str = "Contacts";
const COMMS: &str = "Messages";

impl Action {
    /// Every action in declaration order, so `action as usize` indexes it.
    pub const ALL: &'static [Action] = Action::VARIANTS;

    /// Help groups, in the order the help popup shows them.
    pub const GROUPS: [&'static str; 8] = [
        GLOBAL, NAVIGATION, DASHBOARD, INCIDENT, REPAIR, RUNBOOK, CONTACTS, COMMS,
    ];

    fn info(self) -> Info {
        let (group, short, description, defaults): (_, _, _, &[&str]) = match self {
            Action::Quit => (GLOBAL, "quit", "Quit drconsole", &["q"]),
            Action::Back => (
                GLOBAL,
                "back",
                "Close the popup or go back one view",
                &["esc"],
            ),
            Action::Help => (GLOBAL, "help", "Show or hide this help", &["?"]),
            Action::Refresh => (
                GLOBAL,
                "refresh",
                "Check the estate's health again now",
                &["r", "f5"],
            ),
            Action::NextPanel => (NAVIGATION, "next panel", "Focus the next panel", &["tab"]),
            Action::PrevPanel => (
                NAVIGATION,
                "prev panel",
                "Focus the previous panel",
                &["shift-tab"],
            ),
            Action::Up => (NAVIGATION, "up", "Move the selection up", &["k", "up"]),
            Action::Down => (
                NAVIGATION,
                "down",
                "Move the selection down",
                &["j", "down"],
            ),
            Action::PageUp => (
                NAVIGATION,
                "page up",
                "Move the selection up a page",
                &["pageup", "ctrl-u"],
            ),
            Action::PageDown => (
                NAVIGATION,
                "page down",
                "Move the selection down a page",
                &["pagedown", "ctrl-d"],
            ),
            Action::Top => (NAVIGATION, "top", "Jump to the first row", &["g", "home"]),
            Action::Bottom => (NAVIGATION, "bottom", "Jump to the last row", &["G", "end"]),
            Action::Open => (
                DASHBOARD,
                "details",
                "Open the selected resource's or service's details",
                &["enter"],
            ),
            Action::CountNow => (
                DASHBOARD,
                "count objects",
                "Count every bucket's and replica's objects now (S3 replication panel)",
                &["c"],
            ),
            Action::Declare => (INCIDENT, "declare", "Declare an incident (a form)", &["D"]),
            Action::Timeline => (
                INCIDENT,
                "timeline",
                "The incident's journal, newest last",
                &["t"],
            ),
            Action::AddNote => (INCIDENT, "note", "Write a note into the journal", &["a"]),
            Action::Filter => (INCIDENT, "filter", "Timeline: cycle the kind shown", &["f"]),
            Action::Search => (
                INCIDENT,
                "search",
                "Timeline: only entries with a text",
                &["/"],
            ),
            Action::MarkRestored => (
                INCIDENT,
                "restored",
                "Mark the selected service restored",
                &["M"],
            ),
            Action::Resolve => (INCIDENT, "resolve", "Resolve the incident", &["R"]),
            Action::ChangeSeverity => (
                INCIDENT,
                "severity",
                "Change the severity (SEV1, 2 or 3)",
                &["S"],
            ),
            Action::Fix => (
                REPAIR,
                "fix",
                "Fix what the selected row is flagged for",
                &["x"],
            ),
            Action::Actions => (
                REPAIR,
                "actions",
                "Every action that takes the selected row",
                &["A"],
            ),
            Action::Undo => (
                REPAIR,
                "undo",
                "Undo an action (its result, or timeline)",
                &["u"],
            ),
            Action::Runbooks => (
                RUNBOOK,
                "runbooks",
                "Pick a runbook or return to the run",
                &["b"],
            ),
            Action::Validate => (
                RUNBOOK,
                "validate",
                "Validate the backups (asks first)",
                &["V"],
            ),
            Action::StepDone => (
                RUNBOOK,
                "done",
                "Mark the selected manual step done",
                &["d"],
            ),
            Action::StepSkip => (RUNBOOK, "skip", "Skip the selected step (asks why)", &["s"]),
            Action::StepRetry => (
                RUNBOOK,
                "retry",
                "Try the selected failed step again",
                &["T"],
            ),
            Action::CancelRun => (RUNBOOK, "cancel run", "Cancel the run (asks first)", &["C"]),
            Action::MarkNotified => (
                CONTACTS,
                "notified",
                "Record a call to the selected contact",
                &["n"],
            ),
            Action::MarkAcknowledged => (
                CONTACTS,
                "acknowledged",
                "Record that the selected contact answered",
                &["K"],
            ),
            Action::Comms => (
                COMMS,
                "message",
                "Write a status update from the incident",
                &["m"],
            ),
            Action::EditDraft => (COMMS, "edit", "Edit the draft (esc stops editing)", &["e"]),
            Action::Copy => (
                COMMS,
                "copy",
                "Copy the draft (warns of placeholders left), or on the Contacts panel the \
                 selected number",
                &["y"],
            ),
            Action::Post => (
                COMMS,
                "post",
                "Post the draft to Slack or Statuspage",
                &["P"],
            ),
            Action::WriteDraft => (
                COMMS,
                "write file",
                "Write the draft to a file in the incident's folder",
                &["w"],
            ),
            Action::Format => (
                COMMS,
                "format",
                "Switch the draft between plain text and Slack",
                &["F"],
            ),
            Action::SetEta => (
                COMMS,
                "ETA",
                "Set the ETA for full recovery (14:30, +2h)",
                &["E"],
            ),
        };
        Info {
            group,
            short,
            description,
            defaults,
        }
    }

    /// The action's key in the keymap file.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// A sentence for the help popup.
    pub fn description(self) -> &'static str {
        self.info().description
    }

    /// A word or two for the footer.
    pub fn short(self) -> &'static str {
        self.info().short
    }

    /// One of [`Action::GROUPS`].
    pub fn group(self) -> &'static str {
        self.info().group
    }

    pub fn from_name(name: &str) -> Option<Action> {
        name.parse().ok()
    }
}

/// A key with its modifiers, in one canonical form: a character never carries SHIFT (it is in
/// the character: `G`, `?`), and shift-tab is always `BackTab`. That is what lets a binding match
/// however a terminal chooses to report the same key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    modifiers: KeyModifiers,
}

/// Why a string is not a key; its message lists the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key {0:?}, expected {KEY_FORMS}")]
pub struct KeyParseError(String);

const KEY_FORMS: &str = "a character like \"q\" or \"G\", or one of esc, enter, tab, shift-tab, \
                         backspace, space, up, down, left, right, pageup, pagedown, home, end, \
                         insert, delete, f1 to f12; optionally after ctrl- or alt-";

const NAMED: [(&str, KeyCode); 16] = [
    ("esc", KeyCode::Esc),
    ("enter", KeyCode::Enter),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("insert", KeyCode::Insert),
    ("delete", KeyCode::Delete),
];

impl Key {
    /// The canonical form of `code` with `modifiers`; `None` for keys that cannot be bound.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let shift = modifiers.contains(KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                // Some terminals report shift-g as 'g' + SHIFT rather than 'G'.
                let mut upper = c.to_uppercase();
                match (upper.next(), upper.next()) {
                    (Some(u), None) if shift => KeyCode::Char(u),
                    _ => KeyCode::Char(c),
                }
            }
            KeyCode::Tab if shift => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::F(1..=12) => code,
            other if NAMED.iter().any(|(_, c)| *c == other) => other,
            _ => return None,
        };
        Some(Key { code, modifiers })
    }

    /// The key a press stands for; `None` for releases and for keys that cannot be bound.
    ///
    /// Repeats count as presses: most terminals report a held key as repeated presses anyway,
    /// so holding `j` scrolls the same whichever way the terminal reports it.
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        match event.kind {
            KeyEventKind::Press | KeyEventKind::Repeat => Key::new(event.code, event.modifiers),
            KeyEventKind::Release => None,
        }
    }

    /// Ctrl-C, which always quits.
    fn is_ctrl_c(self) -> bool {
        matches!(self.code, KeyCode::Char('c' | 'C')) && self.modifiers == KeyModifiers::CONTROL
    }
}

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Key, KeyParseError> {
        let err = || KeyParseError(s.to_owned());
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = s;
        // "ctrl--" is ctrl and '-': a prefix only counts when something follows it.
        while let Some((prefix, tail)) = rest.split_once('-')
            && !tail.is_empty()
        {
            modifiers |= match prefix.to_ascii_lowercase().as_str() {
                "ctrl" => KeyModifiers::CONTROL,
                "alt" => KeyModifiers::ALT,
                "shift" => KeyModifiers::SHIFT,
                _ => return Err(err()),
            };
            rest = tail;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => {
                let name = rest.to_ascii_lowercase();
                match name.strip_prefix('f').map(str::parse::<u8>) {
                    Some(Ok(n @ 1..=12)) => KeyCode::F(n),
                    _ => NAMED
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, code)| *code)
                        .ok_or_else(err)?,
                }
            }
        };
        Key::new(code, modifiers).ok_or_else(err)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => match NAMED.iter().find(|(_, c)| *c == code) {
                Some((name, _)) => f.write_str(name),
                None => write!(f, "{code:?}"),
            },
        }
    }
}

/// One line of the help popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub group: &'static str,
    pub keys: String,
    pub description: &'static str,
}

/// The keys bound to each action: the defaults, with the user's keymap file laid over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    keys: [Vec<Key>; Action::ALL.len()],
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap {
            keys: std::array::from_fn(|i| {
                let defaults = Action::ALL[i].info().defaults.iter();
                defaults
                    .map(|k| k.parse().expect("default keys parse"))
                    .collect()
            }),
        }
    }
}

impl Keymap {
    /// The action `event` asks for. Ctrl-C is always [`Action::Quit`], whatever the file says,
    /// so there is always a way out.
    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event)?;
        if key.is_ctrl_c() {
            return Some(Action::Quit);
        }
        Action::ALL
            .iter()
            .copied()
            .find(|a| self.keys(*a).contains(&key))
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        &self.keys[action as usize]
    }

    /// The keys for `action` as the footer and help show them: "r/f5"; empty if unbound.
    pub fn label(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys(action).iter().map(Key::to_string).collect();
        keys.join("/")
    }

    /// (keys, short label) for each of `actions` that has a key.
    pub fn footer(&self, actions: &[Action]) -> Vec<(String, &'static str)> {
        actions
            .iter()
            .filter(|a| !self.keys(**a).is_empty())
            .map(|a| (self.label(*a), a.short()))
            .collect()
    }

    /// Every action, grouped in [`Action::GROUPS`] order, with ctrl-c first.
    pub fn help_rows(&self) -> Vec<HelpRow> {
        let mut rows = vec![HelpRow {
            group: GLOBAL,
            keys: "ctrl-c".to_owned(),
            description: "Quit from anywhere",
        }];
        for group in Action::GROUPS {
            for &action in Action::ALL.iter().filter(|a| a.group() == group) {
                let keys = self.label(action);
                rows.push(HelpRow {
                    group,
                    keys: if keys.is_empty() {
                        "(unbound)".to_owned()
                    } else {
                        keys
                    },
                    description: action.description(),
                });
            }
        }
        rows
    }

    /// Reads a keymap file; see [`Keymap::parse`].
    pub fn load(path: &Path) -> Result<Keymap, ConfigError> {
        Keymap::parse(&toml_file::read(path)?, path)
    }

    /// The keymap from `path` (or [`default_keymap_path`] when `None`), or the defaults when
    /// there is no such file. A file the user named on the command line should go through
    /// [`Keymap::load`] instead, so that a typo in its name is an error.
    pub fn load_default_or_builtin(path: Option<&Path>) -> Result<Keymap, ConfigError> {
        let Some(path) = path.map(Path::to_owned).or_else(default_keymap_path) else {
            return Ok(Keymap::default());
        };
        match Keymap::load(&path) {
            Err(ConfigError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(Keymap::default())
            }
            other => other,
        }
    }

    /// Parses a keymap file: a `[keys]` table of `action = "key"` or `action = ["key", ...]`.
    /// Each action listed there loses its default keys; `action = []` unbinds it.
    pub fn parse(src: &str, path: &Path) -> Result<Keymap, ConfigError> {
        let file: KeymapFile = toml_file::parse(src, path, |m| {
            // `[keys]` is the file's only field (a table), and the actions are its keys.
            m.replacen("unknown field", "unknown table", 1)
                .replacen("unknown variant", "unknown action", 1)
                .replacen("expected a map", "expected a table: [keys]", 1)
        })?;
        let invalid =
            |(span, message): Problem| ConfigError::invalid(path, src, Some(span), message);
        let mut written: Vec<_> = file.keys.into_iter().collect();
        // Conflicts are reported where the file makes them, so take the file's order.
        written.sort_by_key(|(_, keys)| keys.span().start);
        let mut bindings = Vec::new();
        for (action, keys) in written {
            bindings.push((action, checked(action, keys).map_err(invalid)?));
        }
        let mut keymap = Keymap::default();
        for (action, keys) in &bindings {
            keymap.keys[*action as usize] = keys.iter().map(|(key, _)| *key).collect();
        }
        check_conflicts(&keymap, &bindings, src).map_err(invalid)?;
        Ok(keymap)
    }
}

/// Where the user's keymap file lives: `keys.toml` beside the estate file's default location
/// (`$XDG_CONFIG_HOME/drconsole/keys.toml`, else `~/.config/drconsole/keys.toml` on Linux).
pub fn default_keymap_path() -> Option<PathBuf> {
    Some(config::default_config_path()?.with_file_name("keys.toml"))
}

type Problem = (Range<usize>, String);

/// The keys one action is given in the file, each with where it was written.
type Binding = (Action, Vec<(Key, Range<usize>)>);

/// A keymap file: a `[keys]` table and nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    #[serde(default)]
    keys: BTreeMap<Action, Spanned<KeyList>>,
}

/// An action's keys as written: one key, or an array of them.
enum KeyList {
    One(Key),
    Many(Vec<Spanned<Key>>),
}

const KEYS_FORMS: &str = "a key like \"r\" or an array of keys like [\"r\", \"f5\"]";

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyList, D::Error> {
        struct OneOrMany;
        impl<'de> Visitor<'de> for OneOrMany {
            type Value = KeyList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(KEYS_FORMS)
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<KeyList, E> {
                key.parse().map(KeyList::One).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyList, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element()? {
                    keys.push(key);
                }
                Ok(KeyList::Many(keys))
            }
        }
        d.deserialize_any(OneOrMany)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct Named;
        impl Visitor<'_> for Named {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(KEYS_FORMS)
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                key.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Named)
    }
}

/// The keys written for `action`, each with where it was written, once checked on their own.
fn checked(action: Action, written: Spanned<KeyList>) -> Result<Vec<(Key, Range<usize>)>, Problem> {
    let span = written.span();
    let items = match written.into_inner() {
        KeyList::One(key) => vec![(key, span)],
        KeyList::Many(keys) => keys.into_iter().map(|k| (*k.get_ref(), k.span())).collect(),
    };
    let mut keys: Vec<(Key, Range<usize>)> = Vec::new();
    for (key, span) in items {
        if key.is_ctrl_c() && action != Action::Quit {
            return Err((
                span,
                format!(
                    "ctrl-c always quits, so it cannot be bound to {}",
                    action.name()
                ),
            ));
        }
        if keys.iter().any(|(k, _)| *k == key) {
            return Err((
                span,
                format!("key \"{key}\" is listed twice for {}", action.name()),
            ));
        }
        keys.push((key, span));
    }
    Ok(keys)
}

/// Finds a key bound to two actions, reporting it where the file binds it the second time.
fn check_conflicts(keymap: &Keymap, bindings: &[Binding], src: &str) -> Result<(), Problem> {
    // `bindings` is in file order, so "earlier" below means earlier in the file.
    let written: Vec<(Action, Key, &Range<usize>)> = bindings
        .iter()
        .flat_map(|(action, keys)| keys.iter().map(move |(key, span)| (*action, *key, span)))
        .collect();
    for (i, (action, key, span)) in written.iter().enumerate() {
        let Some(other) = Action::ALL
            .iter()
            .copied()
            .find(|a| a != action && keymap.keys(*a).contains(key))
        else {
            continue;
        };
        let earlier = written[..i]
            .iter()
            .find(|(a, k, _)| *a == other && k == key);
        let message = match earlier {
            Some((_, _, first)) => {
                let line = line_of(src, first.start);
                format!(
                    "key \"{key}\" is bound to both {} (line {line}) and {}",
                    other.name(),
                    action.name()
                )
            }
            // The other binding comes later in the file; it is reported there.
            None if bindings.iter().any(|(a, _)| *a == other) => continue,
            None => format!(
                "key \"{key}\" is already bound to {} by default; bind {} to other keys too, \
                 or choose another key for {}",
                other.name(),
                other.name(),
                action.name()
            ),
        };
        return Err(((*span).clone(), message));
    }
    Ok(())
}

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
