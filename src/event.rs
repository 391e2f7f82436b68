//! What a running session reacts to and what it asks the outside world to do, free of any
//! terminal: the console fills in its input type, a headless run can use its own.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::action::{ActionError, Outcome, Plan, Progress};
use crate::health::HealthSnapshot;
use crate::incident::{Declared, Entry, Incident, Record};
use crate::runbook::{Readiness, RunView, Runbook};

/// Everything a session's state machine reacts to arrives as one `Event` on one channel:
/// input (keys, for the console), ticks and the results of background work. Background tasks
/// only ever send these.
#[derive(Debug, Clone)]
pub enum Event<I> {
    Input(I),
    /// Once a second: clocks, countdowns and flash expiry move on.
    Tick(DateTime<Utc>),
    Snapshot(Box<HealthSnapshot>),
    /// SIGTERM or SIGHUP (the SSH session dropped): leave cleanly.
    Shutdown,
    /// The incidents of this mode still open when the session started, newest first.
    OpenIncidents(Vec<Incident>),
    /// A declaration is durable (the incident, replayed from its first entry), or why not.
    Declared(Result<Box<Incident>, String>),
    /// An incident was reopened from its journal; `torn_bytes` is an unfinished last write
    /// found there, which the next append sets aside.
    Resumed(Result<Resumed, String>),
    /// The append asked for by `Effect::Append { id, .. }` is durable, or why not.
    Appended {
        id: u64,
        result: Result<Box<Entry>, String>,
    },
    /// Entries found in the journal in `dir` since the last look, by whoever wrote them
    /// (this console included). The directory says which incident they belong to: a
    /// follower stopped for the next incident may still have a batch on its way.
    JournalEntries {
        dir: PathBuf,
        entries: Vec<Entry>,
    },
    /// The journal could not be read or written outside an append.
    JournalError(String),
    /// The executor for the actions is ready, recording to this journal, or why there is none.
    ExecutorReady(Result<PathBuf, String>),
    /// The preview asked for by `Effect::PlanAction { id, .. }`, or why there is none.
    ActionPlanned {
        id: u64,
        result: Result<Box<Plan>, ActionError>,
    },
    /// How far the run `id` has got.
    ActionProgress {
        id: u64,
        progress: Progress,
    },
    /// What the run (or undo) `id` did, or why it did not.
    ActionDone {
        id: u64,
        result: Result<Box<Outcome>, ActionError>,
    },
    /// Every loaded runbook's readiness, as `Effect::CheckReadiness` found it.
    Readiness(Vec<Readiness>),
    /// The run started by `Effect::StartRunbook` as it stands now, with the engine's event
    /// that changed it (`None` for the first view).
    RunbookUpdate {
        view: Box<RunView>,
        event: Option<crate::runbook::Event>,
    },
    /// The run could not start: why.
    RunbookNotStarted(String),
    /// A drill started by `Effect::StartDrill` has its incident: its id, the suffix its
    /// names carry, and the earlier drills of its runbook (for the forecast).
    DrillStarted {
        id: String,
        suffix: String,
        earlier: Vec<crate::drill::DrillRecord>,
    },
    /// A line of the drill's setup, run or teardown.
    DrillProgress(crate::drill::run::DrillProgress),
    /// The drill was torn down and its record saved (or why not).
    DrillFinished(Result<Box<crate::drill::DrillRecord>, String>),
    /// A line of the backup validation's progress, as `validate` prints it on a terminal.
    ValidationProgress(String),
    /// The validation started by `Effect::StartValidation` ended (its temporary tables
    /// deleted, or named as left), or why it could not run.
    ValidationFinished(Result<Box<ValidationDone>, String>),
    /// What `Effect::Copy { id, .. }` did.
    Copied {
        id: u64,
        what: CopyWhat,
        report: crate::comms::clipboard::CopyReport,
    },
    /// What `Effect::Post { id, .. }` did, after its retries.
    Posted {
        id: u64,
        result: Result<crate::comms::post::Posted, crate::comms::post::PostFailure>,
    },
    /// Where `Effect::WriteDraft { id, .. }` wrote the draft, or why it could not.
    DraftWritten {
        id: u64,
        result: Result<PathBuf, String>,
    },
}

/// What is being copied, so the answer is journalled (a message) or only said (a number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyWhat {
    /// A message's text, as drafted from `template`.
    Message {
        template: String,
        format: crate::comms::Format,
        text: String,
    },
    /// A contact's phone number.
    Phone { role: String },
}

/// A validation's record, and the history file that keeps it (or why it could not), so the
/// console says where a readiness report will find it.
#[derive(Debug, Clone)]
pub struct ValidationDone {
    pub record: crate::drill::validate::ValidationRecord,
    pub kept: Result<PathBuf, String>,
}

/// An incident reopened from its journal.
#[derive(Debug, Clone)]
pub struct Resumed {
    pub incident: Box<Incident>,
    pub torn_bytes: u64,
}

/// The incident an executor records to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutorIncident {
    pub dir: PathBuf,
    pub id: String,
    pub account: Option<String>,
}

/// What an update asks the outside world to do; the effects runner does it.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Copy `text` to the clipboard (OSC 52 to the terminal, and the native clipboard where
    /// there is one); answered by `Event::Copied` with `id`.
    Copy {
        id: u64,
        text: String,
        what: CopyWhat,
    },
    /// Post a message to `channel` (retrying as the poster does); answered by `Event::Posted`.
    Post {
        id: u64,
        channel: crate::comms::post::Channel,
        request: crate::comms::post::PostRequest,
    },
    /// Write a draft to a file in the incident's directory, the fallback when no clipboard
    /// takes it; answered by `Event::DraftWritten`.
    WriteDraft {
        id: u64,
        dir: PathBuf,
        template: String,
        format: crate::comms::Format,
        text: String,
    },
    /// Ring the terminal's bell (an update just fell overdue).
    Bell,
    /// Start the health poller (once, at start).
    StartPolling,
    /// Take a snapshot now rather than at the end of the interval.
    Refresh,
    /// The same, listing every bucket's objects to count them now rather than on the slower
    /// counting cadence.
    CountNow,
    /// Look for incidents of this mode left open (answered by `Event::OpenIncidents`).
    FindOpenIncidents,
    /// Open a new incident with this first entry, stamped with `account`.
    Declare {
        declared: Box<Declared>,
        account: Option<String>,
    },
    /// Append to the open incident's journal; answered by `Event::Appended` with `id`.
    Append {
        id: u64,
        record: Box<Record>,
        account: Option<String>,
    },
    /// Reopen the incident in this directory for appending.
    Resume(PathBuf),
    /// Follow the journal in this directory: its entries, old and new, arrive as
    /// `Event::JournalEntries`.
    Follow(PathBuf),
    /// Make the executor anew, recording to the incident this console has open (its
    /// journal and account), else to the operations journal. Answered by `ExecutorReady`.
    OpenExecutor { incident: Option<ExecutorIncident> },
    /// Read what `action` would do to `target`: a preview, answered by `ActionPlanned`.
    PlanAction {
        id: u64,
        action: String,
        target: String,
        args: BTreeMap<String, String>,
    },
    /// Run `action` as `previewed` showed it; `confirm` is the name typed back.
    RunAction {
        id: u64,
        action: String,
        target: String,
        previewed: Box<Plan>,
        confirm: Option<String>,
    },
    /// Send the undo kept in journal entry `seq`.
    UndoAction { id: u64, seq: u64 },
    /// Evaluate these runbooks against the live estate, reads only; answered by
    /// `Event::Readiness`.
    CheckReadiness(Vec<Arc<Runbook>>),
    /// Start a run of `runbook` on the executor (asking before each write); answered by
    /// `Event::RunbookUpdate`s, or `Event::RunbookNotStarted`.
    StartRunbook {
        runbook: Arc<Runbook>,
        inputs: BTreeMap<String, String>,
    },
    /// Start a drill of `runbook`: setup, the run (answered by `Event::RunbookUpdate`s as
    /// any run), teardown; `Event::DrillStarted`, `DrillProgress` and `DrillFinished` say
    /// where it stands.
    StartDrill {
        runbook: Arc<Runbook>,
        inputs: BTreeMap<String, String>,
    },
    /// Run the backup validation as `drconsole validate` does, on the operations journal's
    /// executor; answered by `Event::ValidationProgress` lines and `ValidationFinished`.
    StartValidation,
    /// Stop the validation under way as Ctrl-C does headless: no new restore, the temporary
    /// tables deleted.
    StopValidation,
    /// Pass this answer to the run under way.
    RunbookCommand(crate::runbook::Command),
    /// The console is closing (SIGHUP, SIGTERM) over a note not yet saved: append it now, on
    /// this thread, before the loop ends, so a dropped SSH session loses no typed word.
    SaveBeforeExit {
        record: Box<Record>,
        account: Option<String>,
    },
}
