//! Unit tests of the keymap: parsing, matching and the built-in defaults.
use super::*;

fn key(s: &str) -> Key {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn parse(src: &str) -> Result<Keymap, String> {
    Keymap::parse(src, Path::new("k.toml")).map_err(|e| e.to_string())
}

#[test]
fn actions_are_indexed_by_declaration_order() {
    for (i, &action) in Action::ALL.iter().enumerate() {
        assert_eq!(action as usize, i, "{action:?}");
        assert_eq!(Action::from_name(action.name()), Some(action));
        // The file reads names through serde, the rest of the code through strum.
        let file = format!("[keys]\n{} = []\n", action.name());
        assert!(parse(&file).unwrap().keys(action).is_empty(), "{file}");
        assert!(Action::GROUPS.contains(&action.group()), "{action:?}");
    }
    assert_eq!(Action::Open.short(), "details");
    assert_eq!(Action::PageDown.name(), "page_down");
}

#[test]
fn keys_round_trip_through_their_canonical_form() {
    for text in [
        "q",
        "G",
        "?",
        "-",
        "esc",
        "enter",
        "tab",
        "shift-tab",
        "up",
        "down",
        "left",
        "right",
        "pageup",
        "pagedown",
        "home",
        "end",
        "f1",
        "f12",
        "space",
        "backspace",
        "ctrl-x",
        "alt-x",
        "ctrl-alt-x",
        "shift-up",
        "ctrl--",
        "insert",
        "delete",
    ] {
        assert_eq!(key(text).to_string(), text);
    }
    for (alias, canonical) in [
        ("backtab", "shift-tab"),
        ("shift-g", "G"),
        ("shift-G", "G"),
        ("Esc", "esc"),
        ("F5", "f5"),
        ("CTRL-u", "ctrl-u"),
        ("shift-?", "?"),
        (" ", "space"),
    ] {
        assert_eq!(key(alias), key(canonical), "{alias}");
    }
    for bad in [
        "",
        "ctrl-",
        "hyper-x",
        "f0",
        "f13",
        "escape",
        "qq",
        "ctrl-nope",
    ] {
        assert_eq!(
            bad.parse::<Key>(),
            Err(KeyParseError(bad.to_owned())),
            "{bad}"
        );
    }
}

#[test]
fn events_match_however_the_terminal_reports_shift() {
    let keymap = Keymap::default();
    let act = |code, mods| keymap.action(&press(code, mods));
    assert_eq!(
        act(KeyCode::Char('G'), KeyModifiers::NONE),
        Some(Action::Bottom)
    );
    assert_eq!(
        act(KeyCode::Char('G'), KeyModifiers::SHIFT),
        Some(Action::Bottom)
    );
    assert_eq!(
        act(KeyCode::Char('g'), KeyModifiers::SHIFT),
        Some(Action::Bottom)
    );
    assert_eq!(
        act(KeyCode::Char('g'), KeyModifiers::NONE),
        Some(Action::Top)
    );
    assert_eq!(
        act(KeyCode::Char('?'), KeyModifiers::SHIFT),
        Some(Action::Help)
    );
    assert_eq!(
        act(KeyCode::BackTab, KeyModifiers::SHIFT),
        Some(Action::PrevPanel)
    );
    assert_eq!(
        act(KeyCode::BackTab, KeyModifiers::NONE),
        Some(Action::PrevPanel)
    );
    assert_eq!(
        act(KeyCode::Tab, KeyModifiers::SHIFT),
        Some(Action::PrevPanel)
    );
    assert_eq!(
        act(KeyCode::Tab, KeyModifiers::NONE),
        Some(Action::NextPanel)
    );
    assert_eq!(
        act(KeyCode::Char('u'), KeyModifiers::CONTROL),
        Some(Action::PageUp)
    );
    assert_eq!(
        act(KeyCode::Char('u'), KeyModifiers::NONE),
        Some(Action::Undo),
        "without ctrl it is another key"
    );
    assert_eq!(
        act(KeyCode::F(5), KeyModifiers::NONE),
        Some(Action::Refresh)
    );
    assert_eq!(act(KeyCode::Esc, KeyModifiers::NONE), Some(Action::Back));
    assert_eq!(act(KeyCode::Enter, KeyModifiers::NONE), Some(Action::Open));
    // SUPER and friends are not part of any binding.
    assert_eq!(
        act(KeyCode::Char('j'), KeyModifiers::SUPER),
        Some(Action::Down)
    );
    assert_eq!(act(KeyCode::CapsLock, KeyModifiers::NONE), None);
}

#[test]
fn only_presses_and_repeats_count() {
    let keymap = Keymap::default();
    let mut event = press(KeyCode::Char('j'), KeyModifiers::NONE);
    event.kind = KeyEventKind::Release;
    assert_eq!(keymap.action(&event), None);
    event.kind = KeyEventKind::Repeat;
    assert_eq!(keymap.action(&event), Some(Action::Down));
}

#[test]
fn the_defaults_bind_every_action_once() {
    let keymap = Keymap::default();
    let mut seen = Vec::new();
    for &action in Action::ALL {
        assert!(!keymap.keys(action).is_empty(), "{action:?} has no key");
        for key in keymap.keys(action) {
            assert!(!seen.contains(key), "{key} is bound twice");
            assert_eq!(keymap.action(&press(key.code, key.modifiers)), Some(action));
            seen.push(*key);
        }
    }
    assert_eq!(keymap.label(Action::Refresh), "r/f5");
    assert_eq!(keymap.label(Action::PrevPanel), "shift-tab");
}

#[test]
fn ctrl_c_always_quits() {
    let keymap = parse("[keys]\nquit = []\n").unwrap();
    assert!(keymap.keys(Action::Quit).is_empty());
    for c in ['c', 'C'] {
        let event = press(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(keymap.action(&event), Some(Action::Quit));
    }
    assert_eq!(
        parse("[keys]\nrefresh = [\"r\", \"ctrl-c\"]\n").unwrap_err(),
        "k.toml:2:17: ctrl-c always quits, so it cannot be bound to refresh\n    \
         refresh = [\"r\", \"ctrl-c\"]\n                    ^"
    );
    assert!(parse("[keys]\nquit = [\"q\", \"ctrl-c\"]\n").is_ok());
}

#[test]
fn listed_actions_replace_their_defaults() {
    let keymap = parse("[keys]\nrefresh = \"F\"\ndown = [\"z\", \"down\"]\nup = []\n").unwrap();
    assert_eq!(keymap.keys(Action::Refresh), [key("F")]);
    assert_eq!(keymap.label(Action::Down), "z/down");
    let act = |c| keymap.action(&press(KeyCode::Char(c), KeyModifiers::NONE));
    assert_eq!(act('F'), Some(Action::Refresh));
    assert_eq!(act('r'), None);
    assert_eq!(act('j'), None);
    assert_eq!(act('k'), None);
    assert_eq!(
        keymap.keys(Action::Quit),
        Keymap::default().keys(Action::Quit)
    );
    // Swapping two defaults is fine once both are listed.
    let swapped = parse("[keys]\nup = \"j\"\ndown = \"k\"\n").unwrap();
    assert_eq!(
        swapped.action(&press(KeyCode::Char('j'), KeyModifiers::NONE)),
        Some(Action::Up)
    );
    assert_eq!(parse("").unwrap(), Keymap::default());
}

#[test]
fn conflicts_are_reported_where_the_file_makes_them() {
    assert_eq!(
        parse("[keys]\ntop = \"x\"\nbottom = [\"end\", \"x\"]\n").unwrap_err(),
        "k.toml:3:18: key \"x\" is bound to both top (line 2) and bottom\n    \
         bottom = [\"end\", \"x\"]\n                     ^"
    );
    // Written in the other order: still the later line.
    let err = parse("[keys]\nbottom = \"x\"\ntop = \"x\"\n").unwrap_err();
    assert!(
        err.starts_with("k.toml:3:7: key \"x\" is bound to both bottom (line 2) and top"),
        "{err}"
    );
    let err = parse("[keys]\nrefresh = \"j\"\n").unwrap_err();
    assert!(
        err.starts_with("k.toml:2:11: key \"j\" is already bound to down by default;"),
        "{err}"
    );
    let err = parse("[keys]\nrefresh = [\"r\", \"r\"]\n").unwrap_err();
    assert!(
        err.starts_with("k.toml:2:17: key \"r\" is listed twice for refresh"),
        "{err}"
    );
}

#[test]
fn footer_and_help_come_from_the_same_table() {
    let keymap = parse("[keys]\nhelp = []\n").unwrap();
    assert_eq!(
        keymap.footer(&[Action::Refresh, Action::Help, Action::Open]),
        [
            ("r/f5".to_owned(), "refresh"),
            ("enter".to_owned(), "details")
        ]
    );
    let rows = keymap.help_rows();
    assert_eq!(rows.len(), Action::ALL.len() + 1);
    assert_eq!(
        rows[0],
        HelpRow {
            group: "Global",
            keys: "ctrl-c".into(),
            description: "Quit from anywhere"
        }
    );
    let groups: Vec<&str> = rows.iter().map(|r| r.group).collect();
    let mut sorted = groups.clone();
    sorted.sort_by_key(|g| Action::GROUPS.iter().position(|x| x == g));
    assert_eq!(groups, sorted);
    let help = rows
        .iter()
        .find(|r| r.description == Action::Help.description());
    assert_eq!(help.unwrap().keys, "(unbound)");
}

#[test]
fn a_missing_file_means_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.toml");
    assert_eq!(
        Keymap::load_default_or_builtin(Some(&path)).unwrap(),
        Keymap::default()
    );
    std::fs::write(&path, "[keys]\nnope = \"x\"\n").unwrap();
    assert!(Keymap::load_default_or_builtin(Some(&path)).is_err());
    std::fs::write(&path, "[keys]\nquit = \"z\"\n").unwrap();
    let keymap = Keymap::load_default_or_builtin(Some(&path)).unwrap();
    assert_eq!(keymap.label(Action::Quit), "z");
}

#[test]
fn the_mistake_nearest_the_top_is_reported_first() {
    let err = parse("[keys]\nup = 1\ndown = \"ctrl+x\"\n").unwrap_err();
    assert!(
        err.starts_with("k.toml:2:6: invalid type: integer"),
        "{err}"
    );
}

#[test]
fn the_repair_keys_can_be_rebound_like_any_other() {
    let keymap = parse("[keys]\nfix = \"F\"\nactions = [\"ctrl-a\"]\nundo = []\n").unwrap();
    assert_eq!(keymap.label(Action::Fix), "F");
    assert_eq!(keymap.label(Action::Actions), "ctrl-a");
    assert_eq!(keymap.label(Action::Undo), "");
    let err = parse("[keys]\nfix = \"q\"\n").unwrap_err();
    assert!(err.contains("already bound to quit"), "{err}");
}
