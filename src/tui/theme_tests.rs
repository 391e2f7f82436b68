//! Unit tests of the theme: parsing, matching and the built-in defaults.
use super::*;

fn style_of(src: &str) -> Style {
    Theme::parse(&format!("ok = {src}\n"), Path::new("t.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .style(Slot::Ok)
}

fn error(src: &str) -> String {
    Theme::parse(src, Path::new("t.toml"))
        .expect_err(src)
        .to_string()
}

#[test]
fn slots_are_indexed_by_declaration_order() {
    for (i, &slot) in Slot::ALL.iter().enumerate() {
        assert_eq!(slot as usize, i, "{slot:?}");
        assert_eq!(slot.key().parse(), Ok(slot));
    }
}

#[test]
fn colours_in_every_accepted_form() {
    assert_eq!(style_of("\"green\""), Style::new().fg(Color::Green));
    assert_eq!(style_of("\"lightred\""), Style::new().fg(Color::LightRed));
    assert_eq!(style_of("\"darkgray\""), Style::new().fg(Color::DarkGray));
    assert_eq!(style_of("\"reset\""), Style::new().fg(Color::Reset));
    assert_eq!(
        style_of("\"#1a2B3c\""),
        Style::new().fg(Color::Rgb(0x1a, 0x2b, 0x3c))
    );
    assert_eq!(style_of("\"123\""), Style::new().fg(Color::Indexed(123)));
}

#[test]
fn a_table_sets_colours_and_modifiers() {
    let style = style_of(
        "{ fg = \"black\", bg = \"#ffffff\", bold = true, italic = true, underline = true, \
         reversed = true, dim = false }",
    );
    assert_eq!(
        style,
        Style::new()
            .fg(Color::Black)
            .bg(Color::Rgb(255, 255, 255))
            .add_modifier(
                Modifier::BOLD | Modifier::ITALIC | Modifier::UNDERLINED | Modifier::REVERSED
            )
            .remove_modifier(Modifier::DIM)
    );
}

#[test]
fn bad_colours_name_the_value_and_the_forms() {
    for bad in ["grene", "#12345", "#gggggg", "256", "-1", ""] {
        let err = error(&format!("ok = {bad:?}\n"));
        assert!(
            err.starts_with(&format!(
                "t.toml:1:6: invalid colour {bad:?}, expected a colour name (black, red,"
            )),
            "{err}"
        );
        assert!(
            err.contains("\"#rrggbb\" or an index \"0\" to \"255\""),
            "{err}"
        );
    }
}

#[test]
fn a_user_theme_overrides_only_what_it_names() {
    let theme = Theme::parse("ok = \"blue\"\n", Path::new("dir/mine.toml")).unwrap();
    let default = Theme::default();
    assert_eq!(theme.name(), "mine");
    assert_eq!(theme.style(Slot::Ok), Style::new().fg(Color::Blue));
    for &slot in Slot::ALL.iter().filter(|s| **s != Slot::Ok) {
        assert_eq!(theme.style(slot), default.style(slot), "{slot:?}");
    }
    let named = Theme::parse("name = \"Mine\"\n", Path::new("x.toml")).unwrap();
    assert_eq!(named.name(), "Mine");
}

#[test]
fn builtins_set_every_slot_and_keep_the_modes_apart() {
    assert_eq!(
        Theme::builtin_names(),
        ["default", "light", "high-contrast"]
    );
    for (name, src) in BUILTIN {
        let file = read(src, Path::new(name)).unwrap_or_else(|e| panic!("{e}"));
        for &slot in Slot::ALL {
            assert!(
                file.styles.iter().any(|(s, _)| *s == slot),
                "{name} does not set {}",
                slot.key()
            );
        }
        let theme = Theme::builtin(name).unwrap();
        assert_eq!(theme.name(), name);
        let modes = [Mode::Production, Mode::Drill, Mode::Simulation].map(|m| theme.mode(m));
        for (i, a) in modes.iter().enumerate() {
            assert!(
                a.bg.is_some() && a.add_modifier.contains(Modifier::BOLD),
                "{name}"
            );
            for b in &modes[i + 1..] {
                assert_ne!(a.bg, b.bg, "{name}: two modes share a background");
            }
        }
    }
    assert!(Theme::builtin("solarized").is_none());
}

#[test]
fn no_color_keeps_modifiers_and_the_selection_visible() {
    let plain = Theme::default().without_color();
    for &slot in Slot::ALL {
        let style = plain.style(slot);
        assert_eq!((style.fg, style.bg), (None, None), "{slot:?}");
    }
    assert!(
        plain
            .style(Slot::Selection)
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    for slot in [Slot::Critical, Slot::Warn, Slot::Title, Slot::Production] {
        assert!(
            plain.style(slot).add_modifier.contains(Modifier::BOLD),
            "{slot:?}"
        );
    }
    let underlined = Theme::parse("ok = { fg = \"green\", underline = true }", Path::new("t"))
        .unwrap()
        .without_color();
    assert_eq!(
        underlined.style(Slot::Ok),
        Style::new().add_modifier(Modifier::UNDERLINED)
    );
    // A theme that switches BOLD off for a slot must not cancel the BOLD added here.
    let unbold = Theme::parse("warn = { bold = false }", Path::new("t"))
        .unwrap()
        .without_color();
    assert!(
        unbold
            .style(Slot::Warn)
            .add_modifier
            .contains(Modifier::BOLD)
    );
    assert!(
        !unbold
            .style(Slot::Warn)
            .sub_modifier
            .contains(Modifier::BOLD)
    );
}

#[test]
fn no_color_means_set_and_not_empty() {
    assert!(!no_color_requested(None));
    assert!(!no_color_requested(Some(OsStr::new(""))));
    assert!(no_color_requested(Some(OsStr::new("1"))));
    assert!(no_color_requested(Some(OsStr::new("0"))));
}

#[test]
fn helpers_pick_their_slots() {
    let t = Theme::default();
    assert_eq!(t.status(Status::Critical), t.style(Slot::Critical));
    assert_eq!(t.status(Status::Unknown), t.style(Slot::Unknown));
    assert_eq!(t.border(true), t.style(Slot::BorderFocused));
    assert_eq!(t.border(false), t.style(Slot::Border));
    assert_eq!(t.title(true), t.style(Slot::Title));
    assert_eq!(t.flash(FlashLevel::Error), t.style(Slot::FlashError));
    assert_eq!(Mode::Drill.label(), "DRILL");
    let statuses = [Status::Ok, Status::Warn, Status::Unknown, Status::Critical];
    let glyphs: std::collections::HashSet<_> = statuses.map(|s| t.status_glyph(s)).into();
    let ascii: std::collections::HashSet<_> = statuses.map(|s| t.status_ascii(s)).into();
    assert_eq!((glyphs.len(), ascii.len()), (4, 4));
}

#[test]
fn resolve_finds_builtins_user_files_and_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.toml"), "warn = \"blue\"\n").unwrap();
    let user = Some(dir.path());

    assert_eq!(Theme::resolve(None, user).unwrap(), Theme::default());
    assert_eq!(Theme::resolve(Some("light"), user).unwrap().name(), "light");
    let mine = Theme::resolve(Some("mine"), user).unwrap();
    assert_eq!(mine.style(Slot::Warn), Style::new().fg(Color::Blue));
    let by_path = dir.path().join("mine.toml");
    let by_path = Theme::resolve(Some(by_path.to_str().unwrap()), None).unwrap();
    assert_eq!(by_path, mine);

    let err = Theme::resolve(Some("nope"), user).unwrap_err().to_string();
    let expected = format!(
        "cannot read {}: no such file, and \"nope\" is not a built-in theme \
         (default, light, high-contrast)",
        dir.path().join("nope.toml").display()
    );
    assert_eq!(err, expected);
    let err = Theme::resolve(Some("nope"), None).unwrap_err().to_string();
    assert!(err.contains("(default, light, high-contrast)"), "{err}");
    // Looks like a path, so it is never taken for a built-in name.
    let err = Theme::resolve(Some("light.toml"), user).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
}

#[test]
fn the_mistake_nearest_the_top_is_reported_first() {
    let err = error("warn = 3\ncritical = 4\n");
    assert!(
        err.starts_with("t.toml:1:8: invalid type: integer"),
        "{err}"
    );
    let err = error("title = { fg = \"cyan\", bolt = true, bold = 1 }\n");
    assert!(
        err.starts_with("t.toml:1:24: unknown style key `bolt`"),
        "{err}"
    );
}
