//! Each kind of template mistake, one broken file each under `tests/invalid_templates/`, with
//! the exact message its author sees: file:line:column, then why.

use std::path::Path;

use drconsole::comms::template::load_file;

/// The message for `tests/invalid_templates/<name>.j2`.
fn error_for(name: &str) -> String {
    let path = format!("tests/invalid_templates/{name}.j2");
    match load_file(Path::new(&path)) {
        Ok(_) => panic!("{path} loaded, but it should be rejected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_invalid_fixture_is_rejected() {
    let mut count = 0;
    for entry in std::fs::read_dir("tests/invalid_templates").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "j2") {
            error_for(path.file_stem().unwrap().to_str().unwrap());
            count += 1;
        }
    }
    assert!(count >= 10, "only {count} fixtures");
}

#[test]
fn unclosed_tag() {
    assert_eq!(
        error_for("unclosed-tag"),
        "tests/invalid_templates/unclosed-tag.j2:3:1: syntax error: unexpected identifier, expected end of variable block"
    );
}

#[test]
fn unknown_variable() {
    assert_eq!(
        error_for("unknown-variable"),
        "tests/invalid_templates/unknown-variable.j2:3:24: unknown variable `etaa`; did you mean `eta`?"
    );
}

#[test]
fn unknown_attribute() {
    assert_eq!(
        error_for("unknown-attribute"),
        "tests/invalid_templates/unknown-attribute.j2:2:11: unknown attribute `titel` of `incident`; there are commander, declared_at, elapsed, event, id, impact_began, recovery_time, resolved_at, scenario, severity, status"
    );
}

#[test]
fn attribute_of_a_text() {
    assert_eq!(
        error_for("attribute-of-a-text"),
        "tests/invalid_templates/attribute-of-a-text.j2:2:9: `eta` is a text: it has no attribute `value`"
    );
}

#[test]
fn unknown_filter() {
    assert_eq!(
        error_for("unknown-filter"),
        "tests/invalid_templates/unknown-filter.j2:3:14: unknown filter `bulets`; did you mean `bullets`?"
    );
}

#[test]
fn unknown_test() {
    assert_eq!(
        error_for("unknown-test"),
        "tests/invalid_templates/unknown-test.j2:2:22: unknown test `nnone`; did you mean `none`?"
    );
}

#[test]
fn bad_filter_argument() {
    assert_eq!(
        error_for("bad-filter-argument"),
        "tests/invalid_templates/bad-filter-argument.j2:2:26: invalid operation: cannot convert string to usize"
    );
}

#[test]
fn unknown_attribute_of_an_item() {
    assert_eq!(
        error_for("unknown-attribute-of-an-item"),
        "tests/invalid_templates/unknown-attribute-of-an-item.j2:3:6: undefined value: `s.nmae` is undefined"
    );
}

#[test]
fn endfor_without_for() {
    assert_eq!(
        error_for("endfor-without-for"),
        "tests/invalid_templates/endfor-without-for.j2:3:4: syntax error: unknown statement endfor"
    );
}

#[test]
fn not_utf8() {
    assert_eq!(
        error_for("not-utf8"),
        "tests/invalid_templates/not-utf8.j2:2:11: not UTF-8 text (byte 0xE9): save the file as UTF-8"
    );
}

#[test]
fn optional_used_without_if() {
    assert_eq!(
        error_for("optional-used-without-if"),
        "tests/invalid_templates/optional-used-without-if.j2:2:13: undefined value: `run.title` is undefined (trying it with empty lists and missing values, as early in an incident)"
    );
}

#[test]
fn bullets_of_a_text() {
    assert_eq!(
        error_for("bullets-of-a-text"),
        "tests/invalid_templates/bullets-of-a-text.j2:3:10: invalid operation: bullets needs a list, not a text: write `- {{ value }}` for one line"
    );
}
