//! A loaded runbook in words, for `runbook show`: what it is for, where it departs from the
//! plan, what it asks, and every step with what it does and to what. Pure, so the headless
//! command prints it and tests read it without a terminal.

use super::{Loaded, Origin};
use crate::runbook::model::{InputKind, Step, StepKind};

/// The lines `runbook show NAME` prints.
pub fn describe(loaded: &Loaded) -> Vec<String> {
    let rb = &loaded.runbook;
    let mut out = vec![format!("{} — {}", rb.name.get_ref(), rb.title)];
    out.push(match &loaded.origin {
        Origin::Shipped => format!("shipped: {}", loaded.path.display()),
        Origin::User(path) => format!("your file: {}", path.display()),
    });
    if let Some(scenario) = &rb.scenario {
        out.push(format!("plan: {scenario}"));
    }
    if let Some(target) = &rb.target {
        out.push(format!("target: {} from the start", target.get_ref()));
    }
    out.push(String::new());
    out.push(rb.summary.trim().to_owned());
    if !rb.fixes.is_empty() {
        out.push(String::new());
        out.push("Where it departs from the plan:".to_owned());
        out.extend(rb.fixes.iter().map(|f| format!("  - {}", f.trim())));
    }
    if !rb.inputs.is_empty() {
        out.push(String::new());
        out.push("Inputs:".to_owned());
        for input in &rb.inputs {
            let mut about = vec![kind_label(input.kind).to_owned()];
            if !input.choices.is_empty() {
                about.push(format!("one of {}", input.choices.join(", ")));
            }
            if let Some(default) = &input.default {
                about.push(format!("default {}", default.get_ref()));
            }
            if let Some(table) = &input.within_pitr_of {
                about.push(format!("within the PITR window of {}", table.get_ref()));
            }
            if !input.required {
                about.push("optional".to_owned());
            }
            out.push(format!(
                "  {} ({}): {}",
                input.name.get_ref(),
                about.join("; "),
                input.prompt
            ));
        }
    }
    let mut number = 0;
    for phase in &rb.phases {
        out.push(String::new());
        out.push(match &phase.target {
            Some(t) => format!(
                "{} (by {}): {}",
                phase.id.get_ref(),
                t.get_ref(),
                phase.title
            ),
            None => format!("{}: {}", phase.id.get_ref(), phase.title),
        });
        for step in &phase.steps {
            number += 1;
            steps(step, &format!("{number}."), 1, &mut out);
        }
    }
    out
}

fn steps(step: &Step, label: &str, depth: usize, out: &mut Vec<String>) {
    let indent = "  ".repeat(depth);
    let kind = *step.kind.get_ref();
    let mut what = kind.label().to_owned();
    match kind {
        StepKind::Action => {
            if let Some(a) = &step.action {
                what = format!("action {}", a.get_ref());
            }
        }
        StepKind::Verify => {
            if let Some(c) = &step.check {
                what = format!("verify {}", c.get_ref());
            }
        }
        StepKind::Wait => {
            if let Some(u) = &step.until {
                what = format!("wait until {}", serde_label(u.get_ref()));
            }
        }
        StepKind::Input => {
            if let Some(i) = &step.input {
                what = format!("input {}", i.get_ref());
            }
        }
        StepKind::Decision => {
            if let Some(c) = &step.choose {
                what = format!("decision, {}", serde_label(c.get_ref()));
            }
        }
        StepKind::ForEach => {
            if let Some(items) = &step.for_each {
                what = format!("for each of {}", items.get_ref());
            }
        }
        StepKind::Manual => {
            if let Some(message) = &step.message {
                what = format!("manual, send the {} message", message.get_ref());
            }
        }
        StepKind::Parallel => {}
    }
    if let Some(resource) = &step.resource {
        what.push_str(&format!(" on {}", resource.get_ref()));
    }
    if let Some(region) = &step.region {
        what.push_str(&format!(" in {}", region.get_ref()));
    }
    let mut line = format!(
        "{indent}{label} {}: {} [{what}]",
        step.id.get_ref(),
        step.title
    );
    if let Some(t) = &step.target {
        line.push_str(&format!(" target {}", t.get_ref()));
    }
    out.push(line);
    let more = format!("{indent}{}", " ".repeat(label.chars().count() + 1));
    if let Some(instructions) = &step.instructions {
        out.extend(
            instructions
                .trim()
                .lines()
                .map(|l| format!("{more}{}", l.trim_end())),
        );
    }
    if !step.args.is_empty() {
        let args: Vec<String> = step
            .args
            .iter()
            .map(|(k, v)| format!("{k}={}", v.get_ref()))
            .collect();
        out.push(format!("{more}args: {}", args.join(" ")));
    }
    for option in &step.options {
        let label = if option.label.is_empty() {
            option.id.get_ref().as_str()
        } else {
            option.label.as_str()
        };
        out.push(match &option.goto {
            Some(goto) => format!(
                "{more}- {}: {label} → {}",
                option.id.get_ref(),
                goto.get_ref()
            ),
            None => format!("{more}- {}: {label}", option.id.get_ref()),
        });
    }
    let mut flow = Vec::new();
    if let Some(next) = &step.next {
        flow.push(format!("then {}", next.get_ref()));
    }
    if let Some(f) = &step.on_failure {
        flow.push(format!("on failure {}", f.get_ref()));
    }
    if let Some(m) = &step.max_attempts
        && *m.get_ref() > 1
    {
        flow.push(format!("{} attempts", m.get_ref()));
    }
    if let Some(t) = &step.timeout {
        flow.push(format!("timeout {}", t.get_ref()));
    }
    if kind.is_group() {
        flow.push(format!(
            "{} at once",
            step.concurrency.as_ref().map_or(4, |c| *c.get_ref())
        ));
    }
    if !flow.is_empty() {
        out.push(format!("{more}{}", flow.join(", ")));
    }
    for (i, child) in step.steps.iter().enumerate() {
        let child_label = format!("{label}{}", i + 1);
        let child_label = if child.steps.is_empty() {
            child_label
        } else {
            format!("{child_label}.")
        };
        steps(child, &child_label, depth + 1, out);
    }
}

fn kind_label(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Text => "text",
        InputKind::Time => "time",
        InputKind::Choice => "choice",
        InputKind::Count => "count",
    }
}

/// How the file spells a value (`table-active`), from its serde name.
fn serde_label<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
