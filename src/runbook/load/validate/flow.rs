//! Where steps go: `next`, `on_failure = "goto:…"` and an option's `goto` only to a later
//! step of the same list (a backward jump would be a cycle), and no step left unreachable.

use std::collections::HashMap;

use super::Validator;
use crate::runbook::model::{OnFailure, Step, StepKind};

impl<'a> Validator<'a> {
    /// Where each step of an in-order list may go: `next`, `on_failure = "goto:…"` and
    /// options' `goto` to a later step of the same list; and every step is reached somehow.
    pub(super) fn flow(&mut self, steps: &[&'a Step]) {
        let position: HashMap<&str, usize> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.get_ref().as_str(), i))
            .collect();
        let mut reached = vec![false; steps.len()];
        if let Some(first) = reached.first_mut() {
            *first = true;
        }
        for (i, step) in steps.iter().enumerate() {
            let mut targets: Vec<(usize, String, &str)> = Vec::new();
            if let Some(next) = &step.next {
                let at = self.inside(next.span(), next.get_ref(), 0);
                targets.push((at, next.get_ref().clone(), "`next`"));
            }
            if let Some(f) = &step.on_failure
                && let Ok(OnFailure::Goto(target)) = OnFailure::parse(f.get_ref())
            {
                let offset = f.get_ref().rfind(&target).unwrap_or(0);
                let at = self.inside(f.span(), f.get_ref(), offset);
                targets.push((at, target, "`on_failure`"));
            }
            for option in &step.options {
                if let Some(goto) = &option.goto {
                    let at = self.inside(goto.span(), goto.get_ref(), 0);
                    targets.push((at, goto.get_ref().clone(), "`goto`"));
                }
            }
            for (at, target, what) in targets {
                let target = target.as_str();
                match position.get(target) {
                    Some(&j) if j > i => {
                        if reached[i] {
                            reached[j] = true;
                        }
                    }
                    Some(_) if target == step.id.get_ref() => self.problem(
                        at,
                        format!(
                            "{what} goes to step `{target}` itself: that is a cycle; a step can \
                             only go to a later one"
                        ),
                    ),
                    Some(_) => self.problem(
                        at,
                        format!(
                            "{what} goes back to step `{target}`, which comes before `{}`: a \
                             backward jump is a cycle; a step can only go to a later one",
                            step.id.get_ref()
                        ),
                    ),
                    None => {
                        let message = self.elsewhere(target, step.id.get_ref(), what);
                        self.problem(at, message);
                    }
                }
            }
            let falls_through = step.next.is_none()
                && (*step.kind.get_ref() != StepKind::Decision
                    || step.options.is_empty()
                    || step.options.iter().any(|o| o.goto.is_none()));
            if reached[i] && falls_through && i + 1 < steps.len() {
                reached[i + 1] = true;
            }
        }
        for (i, step) in steps.iter().enumerate() {
            if !reached[i] {
                self.problem(
                    step.id.span().start,
                    format!(
                        "step `{}` is unreachable: the step before it goes elsewhere and no \
                         `next`, `goto` or `on_failure` leads here",
                        step.id.get_ref()
                    ),
                );
            }
        }
    }

    /// Why a jump to `target`, not in the list of `from`, cannot be taken.
    fn elsewhere(&self, target: &str, from: &str, what: &str) -> String {
        if let Some(phase) = self
            .runbook
            .phases
            .iter()
            .find(|p| p.steps.iter().any(|s| s.id.get_ref() == target))
        {
            format!(
                "{what} goes to step `{target}` of phase `{}`; phases run one after another, \
                 so a step can only go to a later step of its own phase",
                phase.id.get_ref()
            )
        } else if self.runbook.step(target).is_some() {
            format!(
                "{what} goes to step `{target}`, which is not in the same list of steps as \
                 `{from}`; a step can only go to a later step beside it"
            )
        } else {
            format!("{what} goes to step `{target}`, which does not exist")
        }
    }
}
