//! The message context as the console sees the incident now: its clocks, its journal since
//! the last message, the run on screen and the estate. What none of them says is a
//! placeholder.

use crate::comms::context::{
    ContactFacts, IncidentFacts, MessageContext, RunFacts, ServiceFacts, clock,
};
use crate::comms::placeholder;
use crate::incident::{Clock, Incident, describe, short_duration};
use crate::tui::app::App;

pub(super) fn build(app: &App, incident: &Incident) -> MessageContext {
    let now = app.now;
    let since = |d: chrono::Duration| {
        if d < chrono::Duration::zero() {
            format!("-{}", short_duration(-d))
        } else {
            short_duration(d)
        }
    };
    let services: Vec<ServiceFacts> = incident
        .rto_watches(now)
        .into_iter()
        .map(|(s, watch)| {
            let name = s.service.name.clone();
            let impact = app
                .estate
                .services
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.impact.clone())
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| name.clone());
            let rto_state = match watch.clock {
                Clock::Running | Clock::Warn => "running",
                Clock::Breached => "overdue",
                Clock::Met => "met",
                Clock::Missed => "missed",
            };
            ServiceFacts {
                priority: s.service.priority.to_string(),
                impact,
                rto: short_duration(watch.target),
                rto_elapsed: short_duration(watch.elapsed),
                rto_left: since(watch.target - watch.elapsed),
                rto_state: rto_state.to_owned(),
                restored: s.restored_at.is_some(),
                restored_at: s.restored_at.map(clock),
                name,
            }
        })
        .collect();
    let restored = services
        .iter()
        .filter(|s| s.restored)
        .map(|s| s.name.clone())
        .collect();
    let still_affected = services
        .iter()
        .filter(|s| !s.restored)
        .map(|s| s.name.clone())
        .collect();
    let mut impacts: Vec<String> = services
        .iter()
        .filter(|s| !s.restored)
        .map(|s| s.impact.clone())
        .collect();
    impacts.dedup();
    let run = app.runbooks.run.as_ref().map(|r| {
        let (done, all) = r.progress();
        RunFacts {
            runbook: r.view.runbook.clone(),
            title: r.view.title.clone(),
            state: format!("{:?}", r.view.state).to_lowercase(),
            progress: format!("{done}/{all}"),
            forecast: None,
        }
    });
    let actions = app
        .runbooks
        .run
        .as_ref()
        .map(|r| {
            r.view
                .steps
                .iter()
                .filter(|s| s.state == crate::runbook::StepState::Running || s.need.is_some())
                .map(|s| s.title.clone())
                .collect()
        })
        .unwrap_or_default();
    let last = incident.last_message();
    let changes = app
        .journal
        .iter()
        .filter(|e| last.is_none_or(|m| e.seq > m.seq))
        .filter(|e| !e.kind.starts_with("message_") && e.kind != "declared")
        .map(|e| format!("{} {}", clock(e.at), describe::describe(e)))
        .collect();
    let (eta, eta_source) = match incident.eta {
        Some(t) => (clock(t), "commander"),
        None => (placeholder("ETA"), "unknown"),
    };
    let cadence = app.cadence();
    let every = app.estate.comms.update_every.as_duration();
    let status = if !incident.is_open() {
        "Fully Recovered"
    } else if incident.services.iter().any(|s| s.restored_at.is_some()) {
        "Partially Recovered"
    } else {
        "In Progress"
    };
    MessageContext {
        incident: IncidentFacts {
            id: incident.id.clone(),
            event: incident.title.clone(),
            scenario: incident.scenario.clone(),
            severity: incident.severity.to_string(),
            status: status.to_owned(),
            commander: incident
                .commander
                .clone()
                .unwrap_or_else(|| placeholder("Recovery Team Lead")),
            declared_at: clock(incident.declared_at),
            impact_began: clock(incident.impact_began),
            elapsed: short_duration(incident.elapsed(now)),
            resolved_at: incident.resolved_at.map(clock),
            recovery_time: incident
                .resolved_at
                .map(|r| short_duration(r - incident.impact_began)),
        },
        services,
        restored,
        still_affected,
        impact: impacts.join("; "),
        eta,
        eta_source: eta_source.to_owned(),
        actions,
        changes,
        last_update: last.map(|m| clock(m.at)),
        next_update: cadence.map_or_else(|| placeholder("Next Update"), |c| clock(c.due)),
        update_every: format!("{} minutes", every.as_secs() / 60),
        notified: incident
            .contacts
            .iter()
            .filter_map(|c| {
                let at = c.notified_at?;
                let who = match &c.name {
                    Some(n) => format!("{} ({n})", c.role),
                    None => c.role.clone(),
                };
                Some(ContactFacts {
                    group: c.group.clone(),
                    role: c.role.clone(),
                    name: c.name.clone(),
                    who,
                    notified_at: clock(at),
                    acknowledged: c.acknowledged_at.is_some(),
                })
            })
            .collect(),
        run,
        primary_region: app.estate.regions.primary.get_ref().clone(),
        backup_region: app.estate.regions.backup.get_ref().clone(),
        now: clock(now),
        date: now.format("%Y-%m-%d").to_string(),
        simulation: false,
    }
}
