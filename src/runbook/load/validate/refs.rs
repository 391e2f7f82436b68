//! `{{ }}` variables at load: every name a string uses has a value where the string is
//! rendered, and a step's output is one its kind leaves (the loader's contract with the
//! engine).

use toml::Spanned;

use super::{Validator, Visible, article, listing};
use crate::runbook::model::{Step, StepKind};
use crate::runbook::vars::{self, ESTATE_NAMES, RUN_NAMES};

impl<'a> Validator<'a> {
    /// Every `{{ }}` in a string names something that has a value where it is used.
    pub(super) fn variables(&mut self, field: &Spanned<String>, visible: &Visible<'a>) {
        let (value, span) = (field.get_ref(), field.span());
        let refs = match vars::references(value) {
            Ok(refs) => refs,
            Err((offset, why)) => {
                let at = self.inside(span, value, offset);
                self.problem(at, why);
                return;
            }
        };
        for r in refs {
            if let Err(why) = self.defined(&r.name, visible) {
                let at = self.inside(span.clone(), value, r.start);
                self.problem(at, format!("`{{{{ {} }}}}`: {why}", r.name));
            }
        }
    }

    fn defined(&self, name: &str, visible: &Visible<'a>) -> Result<(), String> {
        let (head, rest) = name.split_once('.').unwrap_or((name, ""));
        match head {
            "estate" if ESTATE_NAMES.contains(&name) => Ok(()),
            "estate" => Err(format!(
                "the estate has no such name; there are: {}",
                ESTATE_NAMES.join(", ")
            )),
            "run" if RUN_NAMES.contains(&name) => Ok(()),
            "run" => Err(format!(
                "a run has no such name; there are: {}",
                RUN_NAMES.join(", ")
            )),
            "inputs" if visible.before_run => Err(
                "an input no step asks for gets its default before the run starts, when only \
                 estate.NAME and run.NAME have values; ask for it with an input step to use \
                 other inputs or steps' outputs"
                    .to_owned(),
            ),
            "inputs" => {
                if self.runbook.inputs.iter().any(|i| i.name.get_ref() == rest) {
                    Ok(())
                } else {
                    let names: Vec<&str> = self
                        .runbook
                        .inputs
                        .iter()
                        .map(|i| i.name.get_ref().as_str())
                        .collect();
                    Err(format!(
                        "no input `{rest}` is declared in [[inputs]]{}",
                        listing(&names)
                    ))
                }
            }
            "item" if rest.is_empty() && visible.item => Ok(()),
            "item" if rest.is_empty() => {
                Err("`item` only has a value inside a for_each step's steps".to_owned())
            }
            "steps" => self.output(rest, visible),
            _ => Err(
                "not a variable; variables are estate.NAME, run.NAME, inputs.NAME, item and \
                 steps.ID.OUTPUT"
                    .to_owned(),
            ),
        }
    }

    /// `ID.KEY`: a step that can have run before this point, and an output its kind has.
    fn output(&self, rest: &str, visible: &Visible<'a>) -> Result<(), String> {
        let Some((id, key)) = rest.split_once('.') else {
            return Err("write `steps.ID.OUTPUT`, like `steps.restore.created`".to_owned());
        };
        let Some(step) = visible.steps.iter().find(|s| s.id.get_ref() == id) else {
            return Err(match self.runbook.step(id) {
                Some(_) => format!(
                    "step `{id}` has not run by here (only earlier steps of this list or an \
                     enclosing one have; not a later step, a parallel sibling or a step \
                     nested in another)"
                ),
                None => format!("no step `{id}` in this runbook"),
            });
        };
        let kind = *step.kind.get_ref();
        let outputs = outputs(step);
        if outputs.contains(&key) || (kind == StepKind::Verify && key.starts_with("figure.")) {
            return Ok(());
        }
        Err(match outputs.as_slice() {
            [] => format!(
                "step `{id}` is {} step, which has no outputs",
                article(kind)
            ),
            _ => format!(
                "step `{id}` has no output `{key}`; {} step has {}{}",
                article(kind),
                outputs.join(", "),
                if kind == StepKind::Verify {
                    ", figure.NAME"
                } else {
                    ""
                }
            ),
        })
    }
}

/// The outputs a step of its kind leaves for later steps (the loader's contract with the
/// engine).
fn outputs(step: &Step) -> Vec<&'static str> {
    match step.kind.get_ref() {
        StepKind::Action => vec!["created", "run", "status", "resource"],
        StepKind::Verify => vec!["passed", "summary"],
        StepKind::Input => vec!["value"],
        StepKind::Decision if step.choose.is_some() => vec![
            "choice", "source", "export", "backup", "time", "loss", "region",
        ],
        StepKind::Decision => vec!["choice"],
        StepKind::Wait => vec!["found"],
        StepKind::Manual => vec!["note"],
        StepKind::Parallel | StepKind::ForEach => vec![],
    }
}
