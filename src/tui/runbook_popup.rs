//! The runbook popups: what each holds, the start form's fields made from a runbook's
//! inputs, and the keys while one is open. Each answer leaves as a `Command` effect.

use std::collections::BTreeMap;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::app::App;
use super::incident::{line_input, text_of, type_into};
use super::theme::FlashLevel;
use crate::event::Effect;
use crate::runbook::model::InputKind;
use crate::runbook::{ChoiceView, Command, Need, Runbook};

/// A popup of the runbook screens; it takes every key while it is open.
#[derive(Debug)]
pub enum RunbookPopup {
    /// The runbooks with their readiness.
    Pick {
        selected: usize,
    },
    Start(Box<StartForm>),
    /// A destructive step: its resource's name typed back. Every key is text.
    Confirm {
        step: String,
        name: String,
        field: Box<TextArea<'static>>,
        wrong: Option<String>,
        sent: bool,
    },
    /// A value for an `input` step, with the hint and the error of a refused value (from
    /// the step's live need).
    Input {
        step: String,
        field: Box<TextArea<'static>>,
        sent: bool,
    },
    /// The options of a decision (the restore source chooser), then the rationale.
    Choose {
        step: String,
        selected: usize,
        rationale: Option<Box<TextArea<'static>>>,
        error: Option<String>,
        sent: bool,
    },
    Skip {
        step: String,
        field: Box<TextArea<'static>>,
        error: Option<String>,
    },
    /// Cancel the whole run? y/n.
    Cancel,
}

impl RunbookPopup {
    /// What ctrl-c would throw away: a reason typed and not yet sent to the journal.
    pub fn unsaved(&self) -> Option<&'static str> {
        match self {
            RunbookPopup::Skip { field, .. } if !text_of(field).trim().is_empty() => {
                Some("skip reason")
            }
            RunbookPopup::Choose {
                rationale: Some(field),
                sent: false,
                ..
            } if !text_of(field).trim().is_empty() => Some("reason"),
            _ => None,
        }
    }
}

/// The runbook's inputs, asked before it starts, defaults filled.
#[derive(Debug)]
pub struct StartForm {
    pub runbook: Arc<Runbook>,
    pub fields: Vec<StartField>,
    pub focus: usize,
    pub error: Option<String>,
    /// Sent: waiting for the engine's first view.
    pub waiting: bool,
    /// Started as a drill: on `-dr-test` copies, torn down at the end.
    pub drill: bool,
}

#[derive(Debug)]
pub struct StartField {
    pub name: String,
    pub prompt: String,
    /// What is allowed, in words: the choices, the kind of time.
    pub hint: Option<String>,
    pub text: Box<TextArea<'static>>,
}

impl App {
    pub(super) fn open_start_form(&mut self, runbook: Arc<Runbook>, drill: bool) {
        let scope = crate::runbook::vars::base_scope(&self.estate, "", self.now);
        // An input an `input` step asks is asked there, when the run reaches it; a drill's
        // setup needs them all first (the table it copies).
        let asked: Vec<String> = if drill {
            Vec::new()
        } else {
            runbook
                .steps()
                .into_iter()
                .filter_map(|s| s.input.as_ref().map(|i| i.get_ref().clone()))
                .collect()
        };
        let fields = runbook
            .inputs
            .iter()
            .filter(|input| !asked.contains(input.name.get_ref()))
            .map(|input| {
                let default = input.default.as_ref().map(|d| d.get_ref().clone());
                // A default naming a step's output or another input is the engine's to fill.
                let rendered = default.as_deref().and_then(|d| scope.render(d).ok());
                let mut text = line_input(rendered.as_deref().unwrap_or(""));
                if let (None, Some(d)) = (&rendered, &default) {
                    text.set_placeholder_text(format!("default: {d}"));
                }
                let hint = match input.kind {
                    InputKind::Choice => Some(format!("one of {}", input.choices.join(", "))),
                    InputKind::Time => Some(match &input.within_pitr_of {
                        Some(table) => format!(
                            "RFC 3339, 09:41 UTC or -45m; in {}'s PITR window",
                            table.get_ref()
                        ),
                        None => "a time: RFC 3339, 09:41 (UTC today) or -45m".to_owned(),
                    }),
                    InputKind::Count => Some("a whole number".to_owned()),
                    InputKind::Text => None,
                };
                StartField {
                    name: input.name.get_ref().clone(),
                    prompt: input.prompt.clone(),
                    hint,
                    text: Box::new(text),
                }
            })
            .collect();
        self.runbooks.popup = Some(RunbookPopup::Start(Box::new(StartForm {
            runbook,
            fields,
            focus: 0,
            error: None,
            waiting: false,
            drill,
        })));
    }

    /// Keys for a runbook popup; `None` when none is open.
    pub(super) fn on_runbook_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let mut popup = self.runbooks.popup.take()?;
        let mut close = false;
        let mut effects = Vec::new();
        match &mut popup {
            RunbookPopup::Pick { selected } => {
                let n = self.runbooks.runbooks().len();
                match key.code {
                    KeyCode::Esc => close = true,
                    KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        *selected = (*selected + 1).min(n.saturating_sub(1))
                    }
                    KeyCode::Enter => {
                        let runbook = self.runbooks.runbooks().get(*selected).cloned();
                        if let Some(runbook) = runbook {
                            close = true;
                            self.pick(runbook);
                        }
                    }
                    KeyCode::Char('d') => {
                        let runbook = self.runbooks.runbooks().get(*selected).cloned();
                        if let Some(runbook) = runbook {
                            close = true;
                            self.pick_drill(runbook);
                        }
                    }
                    _ => {}
                }
            }
            RunbookPopup::Start(form) if form.waiting => {}
            RunbookPopup::Start(form) => match key.code {
                KeyCode::Esc => close = true,
                KeyCode::Tab | KeyCode::Down => {
                    form.focus = (form.focus + 1) % form.fields.len().max(1)
                }
                KeyCode::BackTab | KeyCode::Up => {
                    let n = form.fields.len().max(1);
                    form.focus = (form.focus + n - 1) % n;
                }
                KeyCode::Enter => {
                    let inputs: BTreeMap<String, String> = form
                        .fields
                        .iter()
                        .map(|f| (f.name.clone(), text_of(&f.text).trim().to_owned()))
                        .filter(|(_, v)| !v.is_empty())
                        .collect();
                    form.waiting = true;
                    form.error = None;
                    let runbook = Arc::clone(&form.runbook);
                    effects.push(if form.drill {
                        self.drill_starting(&runbook);
                        Effect::StartDrill { runbook, inputs }
                    } else {
                        Effect::StartRunbook { runbook, inputs }
                    });
                }
                _ => {
                    if let Some(field) = form.fields.get_mut(form.focus) {
                        type_into(&mut field.text, key);
                    }
                }
            },
            RunbookPopup::Confirm {
                step,
                name,
                field,
                wrong,
                sent,
            } => match key.code {
                KeyCode::Esc => close = true,
                _ if *sent => {}
                KeyCode::Enter => {
                    let typed = text_of(field).trim().to_owned();
                    if typed == *name {
                        *sent = true;
                        effects.push(Effect::RunbookCommand(Command::Confirm {
                            step: step.clone(),
                            typed,
                        }));
                    } else {
                        *wrong = Some(format!(
                            "`{typed}` is not `{name}`: nothing was sent; type the name exactly"
                        ));
                    }
                }
                // Every other key is text: q, j, ? and digits never act here.
                _ => {
                    type_into(field, key);
                    *wrong = None;
                }
            },
            RunbookPopup::Input { step, field, sent } => match key.code {
                KeyCode::Esc => close = true,
                _ if *sent => {}
                KeyCode::Enter => {
                    *sent = true;
                    effects.push(Effect::RunbookCommand(Command::Provide {
                        step: step.clone(),
                        value: text_of(field).trim().to_owned(),
                    }));
                }
                _ => type_into(field, key),
            },
            RunbookPopup::Choose {
                step,
                selected,
                rationale,
                error,
                sent,
            } => {
                let options = self.choice_of(step).map(|(o, _)| o).unwrap_or_default();
                match (rationale.as_mut(), key.code) {
                    (_, _) if *sent => close = key.code == KeyCode::Esc,
                    (None, KeyCode::Esc) => close = true,
                    (Some(_), KeyCode::Esc) => {
                        *rationale = None;
                        *error = None;
                    }
                    (None, KeyCode::Up | KeyCode::Char('k')) => {
                        *selected = next_available(&options, *selected, false);
                    }
                    (None, KeyCode::Down | KeyCode::Char('j')) => {
                        *selected = next_available(&options, *selected, true);
                    }
                    (None, KeyCode::Enter) => match options.get(*selected) {
                        Some(option) if option.available => {
                            let preselected = self.choice_of(step).and_then(|(_, p)| p);
                            let text = if preselected == Some(*selected)
                                && self.chooses_restore_source(step)
                            {
                                "freshest source"
                            } else {
                                ""
                            };
                            let mut field = line_input(text);
                            field.set_placeholder_text("why this one (it is journalled)");
                            *rationale = Some(Box::new(field));
                        }
                        _ => *error = Some("that one cannot be used now".to_owned()),
                    },
                    (Some(field), KeyCode::Enter) => {
                        let why = text_of(field).trim().to_owned();
                        match options.get(*selected) {
                            _ if why.is_empty() => {
                                *error = Some("say why: the rationale is journalled".to_owned())
                            }
                            Some(option) => {
                                *sent = true;
                                effects.push(Effect::RunbookCommand(Command::Choose {
                                    step: step.clone(),
                                    option: option.id.clone(),
                                    rationale: why,
                                }));
                            }
                            None => close = true,
                        }
                    }
                    (Some(field), _) => {
                        type_into(field, key);
                        *error = None;
                    }
                    (None, _) => {}
                }
            }
            RunbookPopup::Skip { step, field, error } => match key.code {
                KeyCode::Esc => close = true,
                KeyCode::Enter => {
                    let reason = text_of(field).trim().to_owned();
                    if reason.is_empty() {
                        *error = Some("say why: the reason is journalled".to_owned());
                    } else {
                        close = true;
                        effects.push(Effect::RunbookCommand(Command::Skip {
                            step: step.clone(),
                            reason,
                        }));
                    }
                }
                _ => {
                    type_into(field, key);
                    *error = None;
                }
            },
            RunbookPopup::Cancel => match key.code {
                KeyCode::Char('y' | 'Y') => {
                    close = true;
                    effects.push(Effect::RunbookCommand(Command::Cancel));
                    self.flash(
                        FlashLevel::Warn,
                        "cancelling: a write in flight finishes and is recorded",
                    );
                }
                KeyCode::Char('n' | 'N') | KeyCode::Esc => close = true,
                _ => {}
            },
        }
        // A key handler may have opened another popup (the picker opens the start form).
        if !close && self.runbooks.popup.is_none() {
            self.runbooks.popup = Some(popup);
        }
        Some(effects)
    }

    /// Whether the decision at `path` is the restore source chooser (its options are sources,
    /// the preselected one the freshest), not a branch the runbook's author wrote.
    pub fn chooses_restore_source(&self, path: &str) -> bool {
        let Some(run) = &self.runbooks.run else {
            return false;
        };
        let Some(id) = run.view.step(path).map(|s| s.id.clone()) else {
            return false;
        };
        self.runbooks
            .runbooks()
            .iter()
            .find(|r| *r.name.get_ref() == run.view.runbook)
            .and_then(|r| r.step(&id))
            .is_some_and(|s| s.choose.is_some())
    }

    /// The options and preselected option of a decision step's live need.
    fn choice_of(&self, step: &str) -> Option<(Vec<ChoiceView>, Option<usize>)> {
        let s = self.runbooks.run.as_ref()?.view.step(step)?;
        match &s.need {
            Some(Need::Choice {
                options,
                preselected,
            }) => Some((options.clone(), *preselected)),
            _ => None,
        }
    }
}

/// The next option that can be chosen, up or down; stays put when there is none.
fn next_available(options: &[ChoiceView], from: usize, down: bool) -> usize {
    let mut i = from;
    loop {
        let next = if down {
            i + 1
        } else {
            match i.checked_sub(1) {
                Some(n) => n,
                None => return from,
            }
        };
        match options.get(next) {
            Some(o) if o.available => return next,
            Some(_) => i = next,
            None => return from,
        }
    }
}
