//! What each kind of step takes: the fields it needs and those it may not have, and the
//! catalogue's action or check it names with that one's arguments.

use std::collections::BTreeMap;

use toml::Spanned;

use super::{Validator, article, backticked};
use crate::action::{ArgKind, ArgSpec, Args};
use crate::runbook::model::{Chooser, Step, StepKind};

impl Validator<'_> {
    /// Which fields a kind takes: a field it needs and lacks is reported at the kind, one it
    /// does not take at the field.
    pub(super) fn fields(&mut self, step: &Step, kind: StepKind) {
        let kind_at = step.kind.span().start;
        let first_arg = step
            .args
            .iter()
            .map(|(k, v)| self.key_before(k, v.span().start))
            .min();
        let present: [(&str, Option<usize>); 13] = [
            ("message", step.message.as_ref().map(|s| s.span().start)),
            ("action", step.action.as_ref().map(|s| s.span().start)),
            ("check", step.check.as_ref().map(|s| s.span().start)),
            ("resource", step.resource.as_ref().map(|s| s.span().start)),
            ("args", first_arg),
            ("until", step.until.as_ref().map(|s| s.span().start)),
            ("region", step.region.as_ref().map(|s| s.span().start)),
            ("input", step.input.as_ref().map(|s| s.span().start)),
            ("options", step.options.first().map(|o| o.id.span().start)),
            ("choose", step.choose.as_ref().map(|s| s.span().start)),
            ("for_each", step.for_each.as_ref().map(|s| s.span().start)),
            (
                "concurrency",
                step.concurrency.as_ref().map(|s| s.span().start),
            ),
            ("steps", step.steps.first().map(|s| s.id.span().start)),
        ];
        let takes: &[&str] = match kind {
            StepKind::Manual => &["message"],
            StepKind::Action => &["action", "resource", "args"],
            StepKind::Verify => &["check", "resource", "args"],
            StepKind::Wait => &["until", "resource", "region"],
            StepKind::Input => &["input"],
            StepKind::Decision => &["options", "choose", "resource"],
            StepKind::Parallel => &["steps", "concurrency"],
            StepKind::ForEach => &["for_each", "steps", "concurrency"],
        };
        for (field, at) in present {
            if let Some(at) = at
                && !takes.contains(&field)
            {
                self.problem(
                    at,
                    format!(
                        "{} step takes no `{field}`{}",
                        article(kind),
                        match takes {
                            [] => String::new(),
                            _ => format!(" (it takes {})", backticked(takes)),
                        }
                    ),
                );
            }
        }
        let has = |field: &str| present.iter().any(|(f, at)| *f == field && at.is_some());
        let needs: &[(&str, &str)] = match kind {
            StepKind::Manual => &[],
            StepKind::Action => &[
                ("action", "the catalogue action it runs"),
                ("resource", "what it acts on"),
            ],
            StepKind::Verify => &[
                ("check", "the catalogue check that must pass"),
                ("resource", "what it checks"),
            ],
            StepKind::Wait => &[
                ("until", "the condition it waits for"),
                ("resource", "what it watches"),
            ],
            StepKind::Input => &[("input", "the name of the runbook input it asks for")],
            StepKind::Decision => &[("options", "at least one option to choose")],
            StepKind::Parallel => &[("steps", "the steps it runs at once")],
            StepKind::ForEach => &[
                ("for_each", "what to run its steps for, like `tables`"),
                ("steps", "the steps it runs for each item"),
            ],
        };
        for (field, why) in needs {
            if !has(field) {
                self.problem(
                    kind_at,
                    format!("{} step needs `{field}`: {why}", article(kind)),
                );
            }
        }
        if kind == StepKind::Decision
            && let Some(choose) = &step.choose
            && *choose.get_ref() == Chooser::RestoreSource
            && !has("resource")
        {
            self.problem(
                choose.span().start,
                "choose = \"restore-source\" needs `resource`: the table whose restore sources \
                 to offer",
            );
        }
    }

    /// The step's arguments against the action's or check's declared ones. A templated value
    /// is only known when the step runs; a plain one is checked now.
    pub(super) fn args(&mut self, step: &Step, op: &Spanned<String>, specs: &[ArgSpec]) {
        let name = op.get_ref();
        for (key, value) in &step.args {
            let Some(spec) = specs.iter().find(|s| s.name == key) else {
                let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
                let at = self.key_before(key, value.span().start);
                self.problem(
                    at,
                    format!(
                        "{name} has no argument `{key}`{}",
                        match names.as_slice() {
                            [] => " (it takes none)".to_owned(),
                            _ => format!(" (it takes: {})", names.join(", ")),
                        }
                    ),
                );
                continue;
            };
            if value.get_ref().contains("{{") || spec.kind == ArgKind::Text {
                continue;
            }
            let one = [ArgSpec {
                required: false,
                ..*spec
            }];
            let map = BTreeMap::from([(key.clone(), value.get_ref().clone())]);
            if let Err(e) = Args::from_map(name, &one, map) {
                self.problem(value.span().start, format!("{name}: {e}"));
            }
        }
        for spec in specs.iter().filter(|s| s.required) {
            if !step.args.contains_key(spec.name) {
                self.problem(
                    op.span().start,
                    format!(
                        "{name} needs the argument `{}` ({}): add it under `args`",
                        spec.name, spec.help
                    ),
                );
            }
        }
    }
}
