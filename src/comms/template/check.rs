//! The load-time checks of a template: names a message cannot give (a variable, an attribute,
//! a filter or a test), and a trial render against a full and a sparse incident, so what
//! would fail during an incident fails when the file is loaded, at its line and column.

use std::collections::{BTreeSet, HashSet};

use minijinja::value::Serde;
use minijinja::{Environment, ErrorKind, Template, Value};
use serde_json::Value as Json;

use super::{TemplateError, from_minijinja, line_column};
use crate::comms::context::{ContactFacts, IncidentFacts, MessageContext, RunFacts, ServiceFacts};

/// Every check, the first mistake in the file's reading order.
pub(super) fn check(
    env: &Environment<'_>,
    template: &Template<'_, '_>,
    path: &str,
    source: &str,
) -> Result<(), TemplateError> {
    let code = code_only(source);
    let at = |offset: usize, message: String| {
        let (line, column) = line_column(source, offset);
        TemplateError {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    };
    let mut found: Vec<(usize, String)> = unknown_names(env, template, &code);
    found.extend(unknown_filters_and_tests(env, &code));
    if let Some((offset, message)) = found.into_iter().min_by_key(|(offset, _)| *offset) {
        return Err(at(offset, message));
    }
    for (ctx, when) in [
        (sample(true), ""),
        (
            sample(false),
            " (trying it with empty lists and missing values, as early in an incident)",
        ),
    ] {
        if let Err(e) = template.render(Value::from(Serde(&ctx))) {
            let mut err = from_minijinja(path, source, &e);
            err.message.push_str(when);
            return Err(err);
        }
    }
    Ok(())
}

/// A context with every value a template may use. `full`: each option set and each list
/// holding an item; else every list empty and every option missing, as just after a
/// declaration.
pub fn sample(full: bool) -> MessageContext {
    let some = |s: &str| full.then(|| s.to_owned());
    let list = |items: &[&str]| {
        if full {
            items.iter().map(|s| (*s).to_owned()).collect()
        } else {
            Vec::new()
        }
    };
    MessageContext {
        incident: IncidentFacts {
            id: "INC-20260301-0915".into(),
            event: "Primary region unavailable".into(),
            scenario: "region-failover".into(),
            severity: "SEV1".into(),
            status: "In Progress".into(),
            commander: "Primary on-call".into(),
            declared_at: "09:15 UTC".into(),
            impact_began: "09:02 UTC".into(),
            elapsed: "1h05m".into(),
            resolved_at: some("12:27 UTC"),
            recovery_time: some("3h25m"),
        },
        services: if full {
            vec![ServiceFacts {
                name: "DynamoDB Tables".into(),
                priority: "Critical".into(),
                impact: "Flight searches fail".into(),
                rto: "4h".into(),
                rto_elapsed: "1h05m".into(),
                rto_left: "2h55m".into(),
                rto_state: "running".into(),
                restored: true,
                restored_at: Some("10:07 UTC".into()),
                rpo: "1h".into(),
                restore_point: some("08:58 UTC"),
                data_loss: some("4m"),
                rpo_state: some("met"),
            }]
        } else {
            Vec::new()
        },
        restored: list(&["DynamoDB Tables"]),
        still_affected: list(&["S3 Data Storage"]),
        impact: "Flight searches fail".into(),
        eta: "13:00 UTC".into(),
        eta_source: "commander".into(),
        actions: list(&["Restore flight_data (flightdata-main)"]),
        changes: list(&["09:40 UTC DynamoDB Tables restored"]),
        last_update: some("09:45 UTC"),
        next_update: "10:15 UTC".into(),
        update_every: "30 minutes".into(),
        notified: if full {
            vec![ContactFacts {
                group: "Declaration authority".into(),
                role: "Data Engineering Manager".into(),
                name: Some("primary on-call".into()),
                who: "Data Engineering Manager (primary on-call)".into(),
                notified_at: "09:16 UTC".into(),
                acknowledged: false,
            }]
        } else {
            Vec::new()
        },
        run: full.then(|| RunFacts {
            runbook: "region-failover".into(),
            title: "Region failover".into(),
            state: "running".into(),
            progress: "5/12".into(),
            forecast: Some("12:40 UTC".into()),
            forecast_from: Some("targets".into()),
        }),
        primary_region: "us-east-1".into(),
        backup_region: "us-west-2".into(),
        now: "10:07 UTC".into(),
        date: "2026-03-01".into(),
        simulation: !full,
    }
}

/// Each name the template reads that the context does not give, where it first appears.
fn unknown_names(
    env: &Environment<'_>,
    template: &Template<'_, '_>,
    code: &str,
) -> Vec<(usize, String)> {
    let known = serde_json::to_value(sample(true)).expect("the context serialises");
    let globals: HashSet<String> = env.globals().map(|(name, _)| name.to_owned()).collect();
    let mut found = Vec::new();
    let mut undeclared: Vec<String> = template.undeclared_variables(true).into_iter().collect();
    undeclared.sort();
    for path in undeclared {
        let parts: Vec<&str> = path.split('.').collect();
        if globals.contains(parts[0]) {
            continue;
        }
        let mut value = &known;
        for (depth, part) in parts.iter().enumerate() {
            let written = parts[..=depth].join(".");
            let message = match value {
                Json::Object(fields) => match fields.get(*part) {
                    Some(next) => {
                        value = next;
                        continue;
                    }
                    None if depth == 0 => format!(
                        "unknown variable `{part}`{}",
                        hint(part, fields.keys().map(String::as_str))
                    ),
                    None => format!(
                        "unknown attribute `{part}` of `{}`{}",
                        parts[..depth].join("."),
                        hint(part, fields.keys().map(String::as_str))
                    ),
                },
                other => format!(
                    "`{}` is {}: it has no attribute `{part}`",
                    parts[..depth].join("."),
                    kind(other)
                ),
            };
            found.push((first_use(code, &written).unwrap_or(0), message));
            break;
        }
    }
    found
}

fn kind(value: &Json) -> &'static str {
    match value {
        Json::Array(_) => "a list",
        Json::String(_) => "a text",
        Json::Bool(_) => "a yes/no value",
        Json::Number(_) => "a number",
        Json::Null => "missing",
        Json::Object(_) => "a record",
    }
}

/// "; did you mean `x`?" for a near name, else the names there are.
fn hint<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.collect();
    match near(name, known.iter().copied()) {
        Some(near) => format!("; did you mean `{near}`?"),
        None => format!("; there are {}", known.join(", ")),
    }
}

/// The closest of `candidates` within two edits, if any.
fn near<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, c)| *d <= 2 && *d < c.chars().count())
        .min()
        .map(|(_, c)| c)
}

/// Edit distance, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The byte where `path` (`a` or `a.b.c`) is first written in a tag.
fn first_use(code: &str, path: &str) -> Option<usize> {
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(i) = code[from..].find(path) {
        let start = from + i;
        let end = start + path.len();
        let before_ok = start == 0 || !is_ident(bytes[start - 1]) && bytes[start - 1] != b'.';
        let after_ok = end == bytes.len() || !is_ident(bytes[end]);
        if before_ok && after_ok {
            return Some(start);
        }
        from = start + 1;
    }
    None
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Filters (`| name`) and tests (`is name`, `is not name`) the environment does not have.
fn unknown_filters_and_tests(env: &Environment<'_>, code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut asked = BTreeSet::new();
    for (offset, name, is_test) in filter_and_test_names(code) {
        if !asked.insert((name, is_test)) {
            continue;
        }
        let (probe, missing, what, names) = if is_test {
            ("{{ none is NAME }}", ErrorKind::UnknownTest, "test", TESTS)
        } else {
            (
                "{{ none | NAME }}",
                ErrorKind::UnknownFilter,
                "filter",
                FILTERS,
            )
        };
        let unknown = |n: &str| {
            env.render_str(&probe.replace("NAME", n), ())
                .is_err_and(|e| e.kind() == missing)
        };
        if unknown(name) {
            let suggestion = near(name, names.iter().copied().filter(|n| !unknown(n)))
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            found.push((offset, format!("unknown {what} `{name}`{suggestion}")));
        }
    }
    found
}

/// Names offered as "did you mean": this module's filters and minijinja's common ones.
const FILTERS: &[&str] = &[
    "bullets",
    "or_placeholder",
    "join",
    "length",
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "default",
    "first",
    "last",
    "map",
    "select",
    "reject",
    "selectattr",
    "rejectattr",
    "sort",
    "unique",
    "replace",
    "round",
    "int",
    "float",
    "string",
    "list",
    "batch",
    "indent",
    "items",
    "reverse",
    "tojson",
    "sum",
    "min",
    "max",
    "format",
    "split",
    "lines",
];
const TESTS: &[&str] = &[
    "defined",
    "undefined",
    "none",
    "true",
    "false",
    "number",
    "string",
    "sequence",
    "mapping",
    "iterable",
    "odd",
    "even",
    "divisibleby",
    "startingwith",
    "endingwith",
    "boolean",
    "integer",
    "float",
    "lower",
    "upper",
    "containing",
];

/// `(offset, name, is_test)` for each filter and test name in the tags.
fn filter_and_test_names(code: &str) -> Vec<(usize, &str, bool)> {
    let bytes = code.as_bytes();
    let ident_at = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        (start < i).then(|| (start, &code[start..i], i))
    };
    let mut names = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'|' {
            if let Some((start, name, _)) = ident_at(i + 1) {
                names.push((start, name, false));
            }
        } else if is_ident(bytes[i]) && (i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b'.')
        {
            let (_, word, end) = ident_at(i).expect("an identifier starts here");
            if word == "is" {
                match ident_at(end) {
                    Some((_, "not", after)) => {
                        if let Some((start, name, _)) = ident_at(after) {
                            names.push((start, name, true));
                        }
                    }
                    Some((start, name, _)) => names.push((start, name, true)),
                    None => {}
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    names
}

/// `source` with everything but the code inside `{{ }}` and `{% %}` blanked out (text,
/// comments, raw blocks, string literals), byte for byte, so offsets stay the source's.
fn code_only(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = vec![b' '; bytes.len()];
    let mut i = 0;
    let mut raw = false;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            out[i] = b'\n';
        }
        let opens = |s: &[u8]| bytes[i..].starts_with(s);
        if opens(b"{#") {
            i = source[i..].find("#}").map_or(bytes.len(), |e| i + e + 2);
            continue;
        }
        if !(opens(b"{{") || opens(b"{%")) {
            i += 1;
            continue;
        }
        let close: &[u8] = if opens(b"{{") { b"}}" } else { b"%}" };
        let start = i + 2;
        let mut j = start;
        let mut quote = None;
        while j < bytes.len() {
            let b = bytes[j];
            match quote {
                Some(_) if b == b'\\' => j += 1,
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'\'' || b == b'"' => quote = Some(b),
                None if bytes[j..].starts_with(close) => break,
                None => out[j] = b,
            }
            if b == b'\n' {
                out[j] = b'\n';
            }
            j += 1;
        }
        let word = String::from_utf8_lossy(&out[start..j.min(bytes.len())])
            .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace())
            .to_owned();
        if raw {
            // Inside a raw block only its end is a tag.
            for b in &mut out[start..j.min(bytes.len())] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
            raw = word != "endraw";
        } else if word == "raw" {
            raw = true;
        }
        i = j + close.len();
    }
    String::from_utf8(out).expect("only ASCII was copied")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_code_inside_tags_is_kept() {
        let source = "a {{ x | f('|', \"is y\") }} {# is z #} b {% if y is odd %}";
        let code = code_only(source);
        assert_eq!(code.len(), source.len());
        assert_eq!(
            filter_and_test_names(&code)
                .into_iter()
                .map(|(_, n, t)| (n, t))
                .collect::<Vec<_>>(),
            [("f", false), ("odd", true)]
        );
    }

    #[test]
    fn a_raw_block_is_text() {
        let code = code_only("{% raw %}{{ x | nope }}{% endraw %}{{ y | upper }}");
        let names: Vec<_> = filter_and_test_names(&code)
            .into_iter()
            .map(|(_, n, _)| n)
            .collect();
        assert_eq!(names, ["upper"]);
    }

    #[test]
    fn a_name_is_found_where_it_is_written_whole() {
        let code = code_only("{{ x.etaa }} {{ eta }} {{ etaa }}");
        assert_eq!(first_use(&code, "etaa"), Some(26));
    }

    #[test]
    fn near_names_are_suggested() {
        assert_eq!(near("etaa", ["eta", "impact"].into_iter()), Some("eta"));
        assert_eq!(near("xyz", ["eta"].into_iter()), None);
    }
}
