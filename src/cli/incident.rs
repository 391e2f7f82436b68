//! `drconsole incident …`: declaring an incident and recording its notes, severity changes,
//! restored services, follow-ups and resolution without the console (reading it back is in
//! `read`). What records prints the entry's number once it is durable.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};

use super::emit;
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::health;
use crate::incident::journal::{JournalError, locate};
use crate::incident::when::{parse_eta, parse_time};
use crate::incident::{
    DeclareError, DeclareInput, Entry, Incident, IncidentStore, Journal, Origin, Reader, Record,
    SCENARIOS, Severity, describe, plan_declaration, short_duration,
};
use crate::session::{Mode, Session, SessionOptions};

mod read;

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open an incident: its journal, and the services affected with their RTO running.
    Declare(DeclareArgs),
    /// Add a note to the timeline.
    Note {
        text: String,
        /// The incident (default: the only open one).
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
    /// Change the severity.
    Severity {
        /// SEV1, SEV2 or SEV3.
        severity: String,
        #[arg(long, value_name = "R")]
        reason: Option<String>,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
    /// Mark an affected service restored: its RTO stopwatch stops.
    Restored {
        service: String,
        /// When it came back (default: now): RFC 3339, HH:MM (UTC) or -10m.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        at: Option<String>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
    /// Set the estimate of full recovery that status updates give (`none` withdraws it).
    Eta {
        /// +2h, 14:30 (UTC, the next time the clock reads it), 2026-03-14 16:00 (UTC),
        /// RFC 3339, or none.
        #[arg(allow_hyphen_values = true)]
        eta: String,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
    /// Record something to do after the incident.
    FollowUp {
        text: String,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
    /// Close the incident.
    Resolve {
        #[arg(long, value_name = "S")]
        summary: Option<String>,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
    /// Open and past incidents, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Every entry of an incident, oldest first.
    Timeline {
        /// An incident id or directory (default: the only open incident).
        id: Option<String>,
        /// One JSON object per line: the entries as stored.
        #[arg(long)]
        json: bool,
    },
    /// The postmortem skeleton, from the journal.
    Export {
        id: Option<String>,
        #[arg(long, value_enum, default_value = "markdown")]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

/// Runs one `incident` subcommand. Only `declare` opens a session (estate and cloud): the
/// others need nothing but the journal, so a note is recorded even when AWS or the estate
/// file is not there.
pub async fn run(
    command: IncidentCommand,
    options: &SessionOptions,
    dirs: &Dirs,
) -> Result<ExitCode, Failure> {
    match command {
        IncidentCommand::Declare(args) => declare(args, options, dirs).await,
        IncidentCommand::Note { text, incident } => {
            let mut open = Opened::pick(&store(options, dirs)?, incident.as_deref())?;
            open.record(Record::Note { text, author: None })?;
            Ok(ExitCode::SUCCESS)
        }
        IncidentCommand::Severity {
            severity,
            reason,
            incident,
        } => {
            let to: Severity = severity.parse().map_err(Failure::Usage)?;
            let mut open = Opened::pick(&store(options, dirs)?, incident.as_deref())?;
            open.refuse_if_resolved()?;
            let from = open.incident.severity;
            if from == to {
                return Err(Failure::Usage(format!(
                    "{} is already {to}",
                    open.incident.id
                )));
            }
            open.record(Record::SeverityChanged { from, to, reason })?;
            Ok(ExitCode::SUCCESS)
        }
        IncidentCommand::Restored {
            service,
            at,
            note,
            incident,
        } => {
            let now = Utc::now();
            let at = at
                .map(|t| parse_time(&t, now))
                .transpose()
                .map_err(Failure::Usage)?;
            let mut open = Opened::pick(&store(options, dirs)?, incident.as_deref())?;
            restored(&mut open, &service, at, note, now)
        }
        IncidentCommand::Eta { eta, incident } => {
            let eta = match eta.trim() {
                "none" => None,
                text => Some(parse_eta(text, Utc::now()).map_err(Failure::Usage)?),
            };
            let mut open = Opened::pick(&store(options, dirs)?, incident.as_deref())?;
            open.refuse_if_resolved()?;
            open.record(Record::EtaSet { eta })?;
            Ok(ExitCode::SUCCESS)
        }
        IncidentCommand::FollowUp { text, incident } => {
            let mut open = Opened::pick(&store(options, dirs)?, incident.as_deref())?;
            open.record(Record::FollowUp { text })?;
            Ok(ExitCode::SUCCESS)
        }
        IncidentCommand::Resolve { summary, incident } => {
            let mut open = Opened::pick(&store(options, dirs)?, incident.as_deref())?;
            open.refuse_if_resolved()?;
            let out: Vec<&str> = open
                .incident
                .still_affected()
                .map(|s| s.service.name.as_str())
                .collect();
            if !out.is_empty() {
                eprintln!(
                    "warning: never marked restored, so their RTO stays unmeasured: {}",
                    out.join(", ")
                );
            }
            let entry = open.record(Record::Resolved { summary })?;
            open.incident.apply(&entry);
            emit(&format!(
                "{}{} resolved {} after the impact began\n",
                tag(open.incident.mode),
                open.incident.id,
                short_duration(open.incident.elapsed(entry.at))
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        IncidentCommand::List { json } => {
            let store = store(options, dirs)?;
            // Rehearsals are kept apart; say they exist, so nobody thinks they were lost.
            let simulated = match store.mode() {
                Mode::Production => IncidentStore::new(dirs, Mode::Simulation)
                    .ok()
                    .and_then(|s| s.list().ok())
                    .map_or(0, |l| l.len()),
                _ => 0,
            };
            read::list(&store, json, simulated)
        }
        IncidentCommand::Timeline { id, json } => {
            let dir = pick_dir(&store(options, dirs)?, id.as_deref())?;
            read::timeline(&dir, json)
        }
        IncidentCommand::Export { id, format, out } => {
            let dir = pick_dir(&store(options, dirs)?, id.as_deref())?;
            read::export(&dir, format, out.as_deref())
        }
    }
}

#[derive(Debug, Args)]
pub struct DeclareArgs {
    /// What is happening, in a line.
    #[arg(long)]
    pub title: String,
    /// region-failover, data-corruption, infrastructure-loss or other.
    #[arg(long)]
    pub scenario: String,
    /// SEV1, SEV2 or SEV3.
    #[arg(long)]
    pub severity: String,
    /// An affected service from the priority matrix (repeatable; default: the services
    /// a health snapshot marks not ok).
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,
    /// Who commands the incident.
    #[arg(long, value_name = "NAME")]
    pub commander: Option<String>,
    /// When the impact started, from which RTO runs: RFC 3339, HH:MM (UTC) or -45m
    /// (default: the earliest ALARM among the affected services' alarms, else now).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub impact_began: Option<String>,
}

fn usage(e: DeclareError) -> Failure {
    Failure::Usage(e.to_string())
}

/// Declares from the command line. Never refused because AWS is down: without the account
/// the incident is declared without it, and a snapshot that could read nothing marks every
/// service affected.
async fn declare(
    args: DeclareArgs,
    options: &SessionOptions,
    dirs: &Dirs,
) -> Result<ExitCode, Failure> {
    // What can be checked without the estate is checked before anything is read.
    let severity: Severity = args.severity.parse().map_err(Failure::Usage)?;
    let scenario = args.scenario.trim().to_ascii_lowercase();
    if !SCENARIOS.iter().any(|(name, _)| *name == scenario) {
        return Err(usage(DeclareError::UnknownScenario(args.scenario)));
    }
    let impact_began = args
        .impact_began
        .map(|t| parse_time(&t, Utc::now()))
        .transpose()
        .map_err(Failure::Usage)?;
    let session = Session::open(options).await?;
    let store = IncidentStore::new(dirs, session.mode).map_err(Failure::Usage)?;
    let input = DeclareInput {
        title: args.title,
        scenario,
        severity,
        services: args.services,
        commander: args.commander,
        impact_began,
    };
    let estate = &session.estate;
    let need_snapshot = input.services.is_empty();
    if !need_snapshot {
        // Named services are checked now: a typo should not wait for AWS.
        plan_declaration(&input, estate, None, Utc::now()).map_err(usage)?;
    }
    let (identity, snapshot) = tokio::join!(session.identity(), async {
        if need_snapshot {
            Some(health::snapshot(session.cloud.as_ref(), estate, estate.aws.max_concurrency).await)
        } else {
            None
        }
    });
    let account = match identity {
        Ok(identity) => Some(identity.account.clone()),
        Err(e) => {
            eprintln!("warning: the account could not be read ({e}); declaring without it");
            None
        }
    };
    let now = Utc::now();
    let declared = plan_declaration(&input, estate, snapshot.as_ref(), now).map_err(usage)?;
    let origin = Origin::for_session(&session, account);
    let (journal, incident) = store.declare(declared, origin, now)?;

    let mut out = String::new();
    if session.mode == Mode::Simulation {
        out.push_str("SIMULATION: declared on the simulated estate; nothing here is real\n");
    }
    out.push_str(&format!(
        "{}{} declared ({}): {} — entry #1\n",
        tag(session.mode),
        incident.id,
        incident.severity,
        incident.title
    ));
    let width = incident
        .services
        .iter()
        .map(|s| s.service.name.chars().count())
        .max()
        .unwrap_or(0);
    for s in &incident.services {
        out.push_str(&format!(
            "  {:width$}  {}  RTO {:>5}  RPO {:>5}\n",
            s.service.name,
            s.service.priority,
            short_duration(s.rto()),
            short_duration(s.rpo()),
        ));
    }
    out.push_str(&format!(
        "impact began {}{}; RTO runs from there\n",
        incident.impact_began.format("%Y-%m-%d %H:%M:%SZ"),
        match &incident.impact_source {
            crate::incident::ImpactSource::Given => " (given)".to_owned(),
            crate::incident::ImpactSource::Alarm { alarm } => format!(" ({alarm} in ALARM)"),
            crate::incident::ImpactSource::Declaration => " (the declaration)".to_owned(),
        }
    ));
    out.push_str(&format!("journal: {}\n", journal.path().display()));
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn restored(
    open: &mut Opened,
    service: &str,
    at: Option<DateTime<Utc>>,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<ExitCode, Failure> {
    open.refuse_if_resolved()?;
    let incident = &open.incident;
    let Some(clock) = incident
        .services
        .iter()
        .find(|s| s.service.name.eq_ignore_ascii_case(service.trim()))
    else {
        let known: Vec<&str> = incident
            .services
            .iter()
            .map(|s| s.service.name.as_str())
            .collect();
        return Err(Failure::Usage(format!(
            "unknown service `{service}` in {}; its services are: {}",
            incident.id,
            known.join(", ")
        )));
    };
    let name = clock.service.name.clone();
    if let Some(at) = at {
        if at > now {
            return Err(Failure::Usage(format!(
                "{name} cannot be restored in the future ({})",
                at.format("%Y-%m-%d %H:%M:%SZ")
            )));
        }
        if at < incident.impact_began {
            return Err(Failure::Usage(format!(
                "{name} cannot be restored before the impact began ({})",
                incident.impact_began.format("%Y-%m-%d %H:%M:%SZ")
            )));
        }
    }
    if let Some(before) = clock.restored_at {
        eprintln!(
            "warning: {name} was already marked restored at {}; the later mark counts",
            before.format("%Y-%m-%d %H:%M:%SZ")
        );
    }
    let entry = open.record(Record::ServiceRestored {
        service: name.clone(),
        at,
        note,
    })?;
    open.incident.apply(&entry);
    if let Some(clock) = open.incident.service(&name) {
        let watch = clock.rto_watch(open.incident.impact_began, now);
        let verdict = if watch.clock == crate::incident::Clock::Missed {
            "missed"
        } else {
            "met"
        };
        emit(&format!(
            "{}{name}: measured RTO {} against {} ({verdict})\n",
            tag(open.incident.mode),
            short_duration(watch.elapsed),
            short_duration(watch.target),
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// An incident ready to record in: its state replayed and its journal open, stamping new
/// entries as the declaration was (mode, account, regions), so a note never needs AWS.
pub(crate) struct Opened {
    pub(crate) incident: Incident,
    journal: Journal,
}

impl Opened {
    pub(crate) fn pick(store: &IncidentStore, id: Option<&str>) -> Result<Opened, Failure> {
        let dir = pick_dir(store, id)?;
        let incident = Incident::replay(&dir)?;
        let first = Reader::open(&dir)?
            .next()
            .transpose()?
            .ok_or_else(|| JournalError::NotFound { path: dir.clone() })?;
        let origin = Origin::new(first.mode, first.account, first.regions);
        let journal = Journal::open(&dir, origin)?;
        Ok(Opened { incident, journal })
    }

    fn refuse_if_resolved(&self) -> Result<(), Failure> {
        match self.incident.resolved_at {
            Some(at) => Err(Failure::Usage(format!(
                "{} was resolved at {}; notes and follow-ups can still be added",
                self.incident.id,
                at.format("%Y-%m-%d %H:%M:%SZ")
            ))),
            None => Ok(()),
        }
    }

    /// Appends `record` and prints its number and description once it is on disk.
    pub(crate) fn record(&mut self, record: Record) -> Result<Entry, Failure> {
        let entry = self.journal.append(&record)?;
        for torn in self.journal.take_torn() {
            eprintln!(
                "warning: a last write the machine did not finish ({} bytes) was set aside in {}",
                torn.bytes,
                torn.side_file.display()
            );
        }
        emit(&format!(
            "{}{} #{} {}\n",
            tag(entry.mode),
            self.incident.id,
            entry.seq,
            describe(&entry)
        ))?;
        Ok(entry)
    }
}

/// The store `--demo` picks: simulated incidents never mix with real ones.
pub(crate) fn store(options: &SessionOptions, dirs: &Dirs) -> Result<IncidentStore, Failure> {
    let mode = if options.is_demo() {
        Mode::Simulation
    } else {
        Mode::Production
    };
    IncidentStore::new(dirs, mode).map_err(Failure::Usage)
}

/// The incident directory an id or path names (the only open incident without one).
pub(crate) fn pick_dir(store: &IncidentStore, id: Option<&str>) -> Result<PathBuf, Failure> {
    let picked = store.pick(id).map_err(|mut message| {
        // The id says which store it lives in: name the flag that reaches it.
        let other = match (store.mode(), id) {
            (Mode::Simulation, Some(id)) if id.starts_with("INC-") => {
                Some(" (a real incident: run without --demo)")
            }
            (Mode::Production, Some(id)) if id.starts_with("SIM-") => {
                Some(" (a simulated incident: add --demo)")
            }
            _ => None,
        };
        message.extend(other);
        Failure::Incident(message)
    })?;
    Ok(locate(&picked)?.0)
}

/// What every line about an incident that is not real begins with.
pub(crate) fn tag(mode: Mode) -> &'static str {
    match mode {
        Mode::Production => "",
        Mode::Drill => "DRILL ",
        Mode::Simulation => "SIMULATION ",
    }
}
