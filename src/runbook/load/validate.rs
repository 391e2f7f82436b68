//! The checks a parsed runbook must pass to load: names, the fields each kind of step takes,
//! the catalogue's actions, checks and arguments, every `{{ }}` variable, and where each step
//! can go. Each problem keeps its byte offset so the loader reports the first in the file.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use crate::action::catalogue;
use crate::config::Estate;
use crate::runbook::model::{InputKind, Items, OnFailure, Runbook, Step, StepKind};

mod flow;
mod kinds;
mod refs;

/// The option ids a `choose = "restore-source"` decision can be offered.
const SOURCE_OPTIONS: &[&str] = &["export", "replica", "pitr", "backup"];

/// The first problem in document order: its byte offset in `text` and what is wrong.
pub(super) fn first_problem(
    runbook: &Runbook,
    text: &str,
    path: &Path,
    estate: &Estate,
) -> Option<(usize, String)> {
    let mut v = Validator {
        text,
        estate,
        runbook,
        problems: Vec::new(),
        templates: None,
    };
    v.names(path);
    v.drill_only();
    v.inputs();
    // Phases run one after another, each its own list: a jump stays inside its phase, and
    // what a phase's steps leave is there for the phases after it.
    let mut visible = Visible::default();
    for phase in &runbook.phases {
        let steps: Vec<&Step> = phase.steps.iter().collect();
        visible = v.list(&steps, &visible, false);
    }
    v.problems.into_iter().min_by_key(|(at, _)| *at)
}

struct Validator<'a> {
    text: &'a str,
    estate: &'a Estate,
    runbook: &'a Runbook,
    problems: Vec<(usize, String)>,
    /// The message templates there are, read once when a step first names one.
    templates: Option<Vec<String>>,
}

/// What a string may refer to where it is used.
#[derive(Clone, Default)]
struct Visible<'a> {
    /// Steps that can have run before this point.
    steps: Vec<&'a Step>,
    /// Inside a `for_each` body: `item` has a value.
    item: bool,
    /// Before the run starts, where an input no step asks for gets its default: only the
    /// estate's and the run's names have values yet.
    before_run: bool,
}

impl<'a> Validator<'a> {
    fn problem(&mut self, at: usize, message: impl Into<String>) {
        self.problems.push((at, message.into()));
    }

    fn line_of(&self, at: usize) -> usize {
        self.text[..at.min(self.text.len())].matches('\n').count() + 1
    }

    /// The offset of byte `offset` of a string value's contents in the file. A string with
    /// escapes or a multi-line one's trimmed first break does not map byte for byte; then the
    /// string's own start is as close as can be said.
    fn inside(&self, span: Range<usize>, value: &str, offset: usize) -> usize {
        let raw = self.text.get(span.clone()).unwrap_or_default();
        for quote in ["\"\"\"", "'''", "\"", "'"] {
            let q = quote.len();
            if raw.len() >= 2 * q
                && raw.starts_with(quote)
                && raw.ends_with(quote)
                && &raw[q..raw.len() - q] == value
            {
                return span.start + q + offset;
            }
        }
        span.start
    }

    /// Where the key of the value at `value_start` is written (`new-name = "…"`), so an
    /// unknown argument is shown at its name; the value's start if it cannot be found.
    fn key_before(&self, key: &str, value_start: usize) -> usize {
        let before = &self.text[..value_start];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        before[line_start..]
            .rfind(key)
            .map_or(value_start, |i| line_start + i)
    }

    fn names(&mut self, path: &Path) {
        let name = &self.runbook.name;
        if !is_kebab(name.get_ref()) {
            self.problem(
                name.span().start,
                format!(
                    "runbook name `{}` is not kebab-case (lowercase words joined by `-`, like \
                     `region-failover`)",
                    name.get_ref()
                ),
            );
        } else if let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            && stem != name.get_ref()
        {
            self.problem(
                name.span().start,
                format!(
                    "runbook name `{}` differs from its file's name `{stem}`: name the file \
                     `{}.toml`, or the runbook `{stem}`",
                    name.get_ref(),
                    name.get_ref()
                ),
            );
        }
        if let Some(reviewed) = &self.runbook.reviewed
            && self.runbook.reviewed_on().is_none()
        {
            self.problem(
                reviewed.span().start,
                format!(
                    "reviewed = \"{}\" is not a date: write it as YYYY-MM-DD, like \"2026-11-27\"",
                    reviewed.get_ref()
                ),
            );
        }
        let mut phases: HashMap<&str, usize> = HashMap::new();
        for phase in &self.runbook.phases {
            let (id, at) = (phase.id.get_ref().as_str(), phase.id.span().start);
            if !is_kebab(id) {
                self.problem(at, format!("phase id `{id}` is not kebab-case"));
            } else if let Some(&first) = phases.get(id) {
                let line = self.line_of(first);
                self.problem(
                    at,
                    format!("phase `{id}` is defined twice (first at line {line})"),
                );
            } else {
                phases.insert(id, at);
            }
            if phase.steps.is_empty() {
                self.problem(at, format!("phase `{id}` has no steps"));
            }
        }
        if self.runbook.phases.is_empty() {
            self.problem(name.span().start, "the runbook has no [[phases]]");
        }
        let mut steps: HashMap<&str, usize> = HashMap::new();
        for step in self.runbook.steps() {
            let (id, at) = (step.id.get_ref().as_str(), step.id.span().start);
            if !is_kebab(id) {
                self.problem(
                    at,
                    format!(
                        "step id `{id}` is not kebab-case (lowercase words joined by `-`, like \
                         `restore-tables`)"
                    ),
                );
            } else if let Some(&first) = steps.get(id) {
                let line = self.line_of(first);
                self.problem(
                    at,
                    format!(
                        "step `{id}` is defined twice (first at line {line}); step ids are \
                         unique in a runbook, nested steps included"
                    ),
                );
            } else {
                steps.insert(id, at);
            }
        }
    }

    /// A drill-only runbook exists to be measured: a step without a target would leave a
    /// hole in its report and its forecast.
    fn drill_only(&mut self) {
        if !self.runbook.drill_only {
            return;
        }
        if self.runbook.target.is_none() {
            self.problem(
                self.runbook.name.span().start,
                "a drill-only runbook needs a `target` (the RTO its drill is measured against)",
            );
        }
        for phase in &self.runbook.phases {
            for step in &phase.steps {
                if step.target.is_none() {
                    self.problem(
                        step.id.span().start,
                        format!(
                            "step `{}` has no `target`: every top-level step of a drill-only \
                             runbook is measured against one",
                            step.id.get_ref()
                        ),
                    );
                }
            }
        }
    }

    fn inputs(&mut self) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for input in &self.runbook.inputs {
            let (name, at) = (input.name.get_ref().as_str(), input.name.span().start);
            if !is_snake(name) {
                self.problem(
                    at,
                    format!(
                        "input name `{name}` is not snake_case (lowercase words joined by `_`, \
                         like `restore_time`)"
                    ),
                );
            } else if let Some(&first) = seen.get(name) {
                let line = self.line_of(first);
                self.problem(
                    at,
                    format!("input `{name}` is declared twice (first at line {line})"),
                );
            } else {
                seen.insert(name, at);
            }
            match input.kind {
                InputKind::Choice if input.choices.is_empty() => self.problem(
                    at,
                    format!("input `{name}` is of kind \"choice\" but lists no `choices`"),
                ),
                InputKind::Choice => {}
                _ if !input.choices.is_empty() => self.problem(
                    at,
                    format!("input `{name}` has `choices` but is not of kind \"choice\""),
                ),
                _ => {}
            }
            if let Some(w) = &input.within_pitr_of
                && input.kind != InputKind::Time
            {
                self.problem(
                    w.span().start,
                    format!(
                        "`within_pitr_of` only goes with kind = \"time\"; input `{name}` is \
                         not a time"
                    ),
                );
            }
            if let Some(default) = &input.default
                && !default.get_ref().contains("{{")
            {
                let value = default.get_ref();
                let bad = match input.kind {
                    InputKind::Count if value.trim().parse::<u64>().is_err() => {
                        Some("a whole number".to_owned())
                    }
                    InputKind::Choice
                        if !input.choices.is_empty()
                            && !input.choices.iter().any(|c| c.eq_ignore_ascii_case(value)) =>
                    {
                        Some(format!("one of {}", input.choices.join(", ")))
                    }
                    _ => None,
                };
                if let Some(expected) = bad {
                    self.problem(
                        default.span().start,
                        format!("the default of input `{name}` must be {expected}, not `{value}`"),
                    );
                }
            }
        }
        // Defaults and windows are rendered when the input is asked: by the first step that
        // asks for it, else before the run starts.
        let asked_at = self.asking_steps();
        for input in &self.runbook.inputs {
            let visible = asked_at
                .get(input.name.get_ref().as_str())
                .cloned()
                .unwrap_or(Visible {
                    before_run: true,
                    ..Visible::default()
                });
            for field in [&input.default, &input.within_pitr_of]
                .into_iter()
                .flatten()
            {
                self.variables(field, &visible);
            }
        }
    }

    /// For each input an `input` step asks for, what is visible at the first such step.
    fn asking_steps(&self) -> HashMap<&'a str, Visible<'a>> {
        fn walk<'a>(
            steps: &[&'a Step],
            visible: &Visible<'a>,
            parallel: bool,
            out: &mut HashMap<&'a str, Visible<'a>>,
        ) {
            let mut here = visible.clone();
            for step in steps {
                if let Some(input) = &step.input {
                    out.entry(input.get_ref().as_str())
                        .or_insert_with(|| here.clone());
                }
                let children: Vec<&Step> = step.steps.iter().collect();
                let mut inner = here.clone();
                inner.item |= *step.kind.get_ref() == StepKind::ForEach;
                walk(
                    &children,
                    &inner,
                    *step.kind.get_ref() == StepKind::Parallel,
                    out,
                );
                if !parallel {
                    here.steps.push(step);
                }
            }
        }
        let top: Vec<&Step> = self.runbook.phases.iter().flat_map(|p| &p.steps).collect();
        let mut out = HashMap::new();
        walk(&top, &Visible::default(), false, &mut out);
        out
    }

    /// One list of steps: in order (a phase's, a `for_each` body), or all at once (a
    /// `parallel`'s, where no sibling has run before another and none may jump).
    /// Returns what is visible after the list (for the phase after it).
    fn list(&mut self, steps: &[&'a Step], visible: &Visible<'a>, parallel: bool) -> Visible<'a> {
        let mut here = visible.clone();
        for step in steps {
            self.step(step, &here, parallel);
            let mut inner = here.clone();
            inner.item |= *step.kind.get_ref() == StepKind::ForEach;
            let children: Vec<&Step> = step.steps.iter().collect();
            self.list(
                &children,
                &inner,
                *step.kind.get_ref() == StepKind::Parallel,
            );
            if !parallel {
                here.steps.push(step);
            }
        }
        if !parallel {
            self.flow(steps);
        }
        here
    }

    fn step(&mut self, step: &'a Step, visible: &Visible<'a>, parallel: bool) {
        let kind = *step.kind.get_ref();
        self.fields(step, kind);
        if let Some(message) = &step.message {
            let names = self.templates.get_or_insert_with(|| {
                let dir = crate::comms::template::user_dir();
                crate::comms::template::available_names(dir.as_deref())
            });
            if !names.iter().any(|n| n == message.get_ref()) {
                let names = names.join(", ");
                self.problem(
                    message.span().start,
                    format!(
                        "no message template `{}` (there are: {names})",
                        message.get_ref(),
                    ),
                );
            }
        }
        if let Some(action) = &step.action
            && kind == StepKind::Action
        {
            match catalogue::find(action.get_ref()) {
                Ok(found) => self.args(step, action, found.args()),
                Err(e) => self.problem(action.span().start, e.to_string()),
            }
        }
        if let Some(check) = &step.check
            && kind == StepKind::Verify
        {
            match catalogue::find_check(check.get_ref()) {
                Some(found) => self.args(step, check, found.args()),
                None => {
                    let names: Vec<&str> = catalogue::checks().iter().map(|c| c.name()).collect();
                    self.problem(
                        check.span().start,
                        format!(
                            "no check `{}`; there are: {}",
                            check.get_ref(),
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        if let Some(input) = &step.input
            && !self
                .runbook
                .inputs
                .iter()
                .any(|i| i.name.get_ref() == input.get_ref())
        {
            let names: Vec<&str> = self
                .runbook
                .inputs
                .iter()
                .map(|i| i.name.get_ref().as_str())
                .collect();
            self.problem(
                input.span().start,
                format!(
                    "no input `{}` is declared in [[inputs]]{}",
                    input.get_ref(),
                    listing(&names)
                ),
            );
        }
        if step.choose.is_some() {
            for option in &step.options {
                if !SOURCE_OPTIONS.contains(&option.id.get_ref().as_str()) {
                    self.problem(
                        option.id.span().start,
                        format!(
                            "option `{}` is not a restore source; with choose = \
                             \"restore-source\" the options are {}",
                            option.id.get_ref(),
                            SOURCE_OPTIONS.join(", ")
                        ),
                    );
                }
            }
        }
        let mut options: HashMap<&str, usize> = HashMap::new();
        for option in &step.options {
            let (id, at) = (option.id.get_ref().as_str(), option.id.span().start);
            if let Some(&first) = options.get(id) {
                let line = self.line_of(first);
                self.problem(
                    at,
                    format!("option `{id}` is listed twice (first at line {line})"),
                );
            }
            options.insert(id, at);
        }
        if let Some(c) = &step.concurrency
            && *c.get_ref() == 0
        {
            self.problem(
                c.span().start,
                "concurrency must be at least 1 (it is how many run at once)",
            );
        }
        if let Some(m) = &step.max_attempts
            && *m.get_ref() == 0
        {
            self.problem(
                m.span().start,
                "max_attempts must be at least 1 (the first try counts)",
            );
        }
        if let Some(t) = &step.timeout
            && t.get_ref().is_zero()
        {
            self.problem(
                t.span().start,
                "timeout must be longer than zero, like \"15m\"",
            );
        }
        let on_failure = step
            .on_failure
            .as_ref()
            .map(|f| (f, OnFailure::parse(f.get_ref())));
        if let Some((f, Err(why))) = &on_failure {
            self.problem(f.span().start, why.clone());
        }
        if parallel {
            let jump = step
                .next
                .as_ref()
                .map(|n| (n.span().start, "`next`"))
                .or(match &on_failure {
                    Some((f, Ok(OnFailure::Goto(_)))) => {
                        Some((f.span().start, "`on_failure = \"goto:…\"`"))
                    }
                    _ => None,
                })
                .or(step
                    .options
                    .iter()
                    .find_map(|o| o.goto.as_ref())
                    .map(|g| (g.span().start, "an option's `goto`")));
            if let Some((at, what)) = jump {
                self.problem(
                    at,
                    format!(
                        "step `{}` is inside a parallel step, whose steps all run at once: it \
                         cannot use {what}",
                        step.id.get_ref()
                    ),
                );
            }
        }
        if let Some(items) = &step.for_each {
            self.for_each(items, visible);
        }
        for field in [&step.resource, &step.region].into_iter().flatten() {
            self.variables(field, visible);
        }
        for value in step.args.values() {
            self.variables(value, visible);
        }
        // The title and instructions are shown rendered, so a name in them must have a value
        // too; they keep no span, so the text is looked for from the step's first field.
        for text in [Some(&step.title), step.instructions.as_ref()]
            .into_iter()
            .flatten()
        {
            if text.contains("{{") {
                let field = self.locate(text, step);
                self.variables(&field, visible);
            }
        }
    }

    /// `value` as a spanned string: where it is first written as a basic or literal string
    /// from the step's id or kind on, else the step's id (the nearest place that can be
    /// named: an escape or a multi-line string does not read back as written).
    fn locate(&self, value: &str, step: &Step) -> Spanned<String> {
        let from = step.id.span().start.min(step.kind.span().start);
        let rest = self.text.get(from..).unwrap_or_default();
        let span = ["\"", "'"]
            .iter()
            .filter_map(|q| {
                let quoted = format!("{q}{value}{q}");
                rest.find(&quoted)
                    .map(|i| from + i..from + i + quoted.len())
            })
            .min_by_key(|r| r.start)
            .unwrap_or(step.id.span());
        Spanned::new(span, value.to_owned())
    }

    fn for_each(&mut self, items: &Spanned<String>, visible: &Visible<'a>) {
        self.variables(items, visible);
        let at = items.span().start;
        match Items::parse(items.get_ref()) {
            Err(why) => self.problem(at, why),
            Ok(Items::Input(name)) => {
                if !self
                    .runbook
                    .inputs
                    .iter()
                    .any(|i| *i.name.get_ref() == name)
                {
                    self.problem(
                        at,
                        format!("for_each names input `{name}`, which is not in [[inputs]]"),
                    );
                }
            }
            Ok(
                Items::TablesOf(service) | Items::BucketsOf(service) | Items::FunctionsOf(service),
            ) if !service.contains("{{")
                && !self.estate.services.iter().any(|s| s.name == service) =>
            {
                let names: Vec<&str> = self
                    .estate
                    .services
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect();
                self.problem(
                    at,
                    format!(
                        "for_each names service `{service}`, which is not in the estate's \
                         [[services]]{}",
                        listing(&names)
                    ),
                );
            }
            Ok(_) => {}
        }
    }
}

fn article(kind: StepKind) -> String {
    let label = kind.label();
    match kind {
        StepKind::Action | StepKind::Input => format!("an {label}"),
        _ => format!("a {label}"),
    }
}

fn backticked(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    names.join(", ")
}

/// "; there are: a, b" or " (there are none)".
fn listing(names: &[&str]) -> String {
    match names {
        [] => " (there are none)".to_owned(),
        _ => format!("; there are: {}", names.join(", ")),
    }
}

/// Lowercase words of letters and digits joined by `sep`.
fn is_words(s: &str, sep: char) -> bool {
    !s.is_empty()
        && s.split(sep).all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

fn is_kebab(s: &str) -> bool {
    is_words(s, '-')
}

fn is_snake(s: &str) -> bool {
    is_words(s, '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_or_snake_case() {
        assert!(is_kebab("region-failover") && is_kebab("step2") && is_kebab("a-1b"));
        assert!(!is_kebab("Region") && !is_kebab("a--b") && !is_kebab("a_b") && !is_kebab(""));
        assert!(!is_kebab("-a") && !is_kebab("1a"));
        assert!(is_snake("restore_time") && !is_snake("restore-time"));
    }
}
