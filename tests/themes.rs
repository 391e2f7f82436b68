//! Theme and keymap files as a user meets them: the exact message each kind of mistake produces.
//! Each broken file lives in `tests/invalid_themes/` or `tests/invalid_keymaps/` so it can be
//! opened and compared with the message by eye.

use std::path::Path;

use drconsole::config::ConfigError;
use drconsole::session::Mode;
use drconsole::tui::keymap::{Action, Keymap};
use drconsole::tui::theme::{Slot, Theme};

/// The full message for `<dir>/<name>.toml`, loaded with `load`.
fn error_in<T>(dir: &str, name: &str, load: impl Fn(&Path) -> Result<T, ConfigError>) -> String {
    let path = format!("{dir}/{name}.toml");
    match load(Path::new(&path)) {
        Ok(_) => panic!("{path} loaded, but it should be rejected"),
        Err(err @ ConfigError::Invalid { .. }) => err.to_string(),
        Err(other) => panic!("{path}: expected an Invalid error, got {other:?}"),
    }
}

fn theme_error(name: &str) -> String {
    error_in("tests/invalid_themes", name, Theme::load)
}

fn keymap_error(name: &str) -> String {
    error_in("tests/invalid_keymaps", name, Keymap::load)
}

fn fixtures(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| path.file_stem().unwrap().to_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_invalid_fixture_is_rejected() {
    let themes = fixtures("tests/invalid_themes");
    let keymaps = fixtures("tests/invalid_keymaps");
    for name in &themes {
        theme_error(name);
    }
    for name in &keymaps {
        keymap_error(name);
    }
    assert!(themes.len() >= 7, "only {} theme fixtures", themes.len());
    assert!(keymaps.len() >= 8, "only {} keymap fixtures", keymaps.len());
}

#[test]
fn theme_unknown_slot() {
    assert_eq!(
        theme_error("unknown_slot"),
        r#"tests/invalid_themes/unknown_slot.toml:4:1: unknown slot `okay`, expected one of `name`, `text`, `muted`, `title`, `border`, `border_focused`, `selection`, `ok`, `warn`, `critical`, `unknown`, `danger`, `production`, `drill`, `simulation`, `flash_info`, `flash_warn`, `flash_error`, `header`, `footer_key`, `footer_text`, `gauge_filled`, `gauge_empty`, `sparkline`
    okay = "blue"
    ^"#
    );
}

#[test]
fn theme_bad_colour() {
    assert_eq!(
        theme_error("bad_colour"),
        r##"tests/invalid_themes/bad_colour.toml:2:19: invalid colour "lightredd", expected a colour name (black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white, reset), "#rrggbb" or an index "0" to "255"
    critical = { fg = "lightredd", bold = true }
                      ^"##
    );
}

#[test]
fn theme_wrong_type() {
    assert_eq!(
        theme_error("wrong_type"),
        r#"tests/invalid_themes/wrong_type.toml:2:8: invalid type: integer, expected a colour like "green" or a table like { fg = "black", bg = "green", bold = true }
    warn = 3
           ^"#
    );
}

#[test]
fn theme_modifier_not_a_boolean() {
    assert_eq!(
        theme_error("modifier_not_a_boolean"),
        r#"tests/invalid_themes/modifier_not_a_boolean.toml:2:31: invalid type: string, expected true or false
    title = { fg = "cyan", bold = "yes" }
                                  ^"#
    );
}

#[test]
fn theme_unknown_style_key() {
    assert_eq!(
        theme_error("unknown_style_key"),
        r#"tests/invalid_themes/unknown_style_key.toml:2:24: unknown style key `bolt`, expected one of `fg`, `bg`, `bold`, `italic`, `underline`, `reversed`, `dim`
    title = { fg = "cyan", bolt = true }
                           ^"#
    );
}

#[test]
fn theme_malformed_toml() {
    assert_eq!(
        theme_error("malformed"),
        r#"tests/invalid_themes/malformed.toml:3:1: missing comma between key-value pairs, expected `,`
    ok = "green"
    ^"#
    );
}

#[test]
fn theme_unclosed_string() {
    assert_eq!(
        theme_error("unclosed_string"),
        r#"tests/invalid_themes/unclosed_string.toml:2:12: invalid basic string, expected `"`
    ok = "green
               ^"#
    );
}

#[test]
fn keymap_unknown_action() {
    assert_eq!(
        keymap_error("unknown_action"),
        r#"tests/invalid_keymaps/unknown_action.toml:2:1: unknown action `refesh`, expected one of `quit`, `back`, `help`, `refresh`, `next_panel`, `prev_panel`, `up`, `down`, `page_up`, `page_down`, `top`, `bottom`, `open`, `count_now`, `declare`, `timeline`, `add_note`, `filter`, `search`, `mark_restored`, `resolve`, `change_severity`, `fix`, `actions`, `undo`, `runbooks`, `validate`, `step_done`, `step_skip`, `step_retry`, `cancel_run`, `mark_notified`, `mark_acknowledged`, `comms`, `edit_draft`, `copy`, `post`, `write_draft`, `format`, `set_eta`
    refesh = "r"
    ^"#
    );
}

#[test]
fn keymap_bad_key_name() {
    assert_eq!(
        keymap_error("bad_key"),
        r#"tests/invalid_keymaps/bad_key.toml:2:26: unknown key "ctrl+d", expected a character like "q" or "G", or one of esc, enter, tab, shift-tab, backspace, space, up, down, left, right, pageup, pagedown, home, end, insert, delete, f1 to f12; optionally after ctrl- or alt-
    page_down = ["pagedown", "ctrl+d"]
                             ^"#
    );
}

#[test]
fn keymap_duplicate_binding() {
    assert_eq!(
        keymap_error("duplicate_binding"),
        r#"tests/invalid_keymaps/duplicate_binding.toml:4:18: key "t" is bound to both top (line 3) and bottom
    bottom = ["end", "t"]
                     ^"#
    );
}

#[test]
fn keymap_key_taken_by_a_default() {
    assert_eq!(
        keymap_error("taken_by_a_default"),
        r#"tests/invalid_keymaps/taken_by_a_default.toml:2:17: key "j" is already bound to down by default; bind down to other keys too, or choose another key for refresh
    refresh = ["r", "j"]
                    ^"#
    );
}

#[test]
fn keymap_rebinds_ctrl_c() {
    assert_eq!(
        keymap_error("rebinds_ctrl_c"),
        r#"tests/invalid_keymaps/rebinds_ctrl_c.toml:2:11: ctrl-c always quits, so it cannot be bound to refresh
    refresh = "ctrl-c"
              ^"#
    );
}

#[test]
fn keymap_wrong_type() {
    assert_eq!(
        keymap_error("wrong_type"),
        r#"tests/invalid_keymaps/wrong_type.toml:2:8: invalid type: integer, expected a key like "r" or an array of keys like ["r", "f5"]
    quit = 1
           ^"#
    );
}

#[test]
fn keymap_unknown_table() {
    assert_eq!(
        keymap_error("unknown_table"),
        r#"tests/invalid_keymaps/unknown_table.toml:1:2: unknown table `bindings`, expected `keys`
    [bindings]
     ^"#
    );
}

#[test]
fn keymap_malformed_toml() {
    assert_eq!(
        keymap_error("malformed"),
        r#"tests/invalid_keymaps/malformed.toml:2:13: unclosed array, expected `]`
    quit = ["q",
                ^"#
    );
}

#[test]
fn the_builtin_themes_load_by_name() {
    for name in Theme::builtin_names() {
        let theme = Theme::resolve(Some(name), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(theme.name(), *name);
        assert_ne!(theme.mode(Mode::Production), theme.mode(Mode::Drill));
        assert_ne!(theme.mode(Mode::Drill), theme.mode(Mode::Simulation));
        assert_ne!(theme.mode(Mode::Production), theme.mode(Mode::Simulation));
    }
}

#[test]
fn a_user_theme_in_the_theme_dir_overrides_a_few_slots() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ops.toml"),
        "name = \"Ops\"\nproduction = { fg = \"white\", bg = \"#aa0000\", bold = true }\n",
    )
    .unwrap();
    let theme = Theme::resolve(Some("ops"), Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let default = Theme::default();
    assert_eq!(theme.name(), "Ops");
    assert_ne!(
        theme.style(Slot::Production),
        default.style(Slot::Production)
    );
    assert_eq!(theme.style(Slot::Drill), default.style(Slot::Drill));
    // A broken user theme is reported with its own path, like any other file.
    std::fs::write(dir.path().join("broken.toml"), "ok = 1\n").unwrap();
    let err = Theme::resolve(Some("broken"), Some(dir.path())).unwrap_err();
    assert!(matches!(err, ConfigError::Invalid { ref path, .. } if path.ends_with("broken.toml")));
}

#[test]
fn a_keymap_file_rebinds_what_it_lists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.toml");
    std::fs::write(
        &path,
        "[keys]\nrefresh = \"ctrl-r\"\nopen = [\"enter\", \"o\"]\n",
    )
    .unwrap();
    let keymap = Keymap::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(keymap.label(Action::Refresh), "ctrl-r");
    assert_eq!(keymap.label(Action::Open), "enter/o");
    assert_eq!(keymap.label(Action::Quit), "q");
    let footer = keymap.footer(&[Action::Open, Action::Help]);
    assert_eq!(
        footer,
        [("enter/o".into(), "details"), ("?".into(), "help")]
    );
}
