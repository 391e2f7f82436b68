//! What survives a crash of a process appending to the journal: SIGKILL at a hundred points,
//! then writes stopped half-way, written but never fsynced, and fsynced without their head,
//! through the fault points. The appender is this test binary run again as a child; it
//! prints `durable=<seq>` once each append has returned, and everything it printed must be
//! there on resume, in one chain that verifies.
//!
//! Journals live under the target directory's tmp dir (`CARGO_TARGET_TMPDIR`), on the
//! repository's disk, so the fsyncs are real ones even where the system temp dir is a tmpfs.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use drconsole::incident::journal::{JOURNAL_FILE, Reader};
use drconsole::incident::{
    Declared, ImpactSource, Incident, Journal, Origin, Record, Severity, verify,
};
use drconsole::session::Mode;

const SIGKILL: i32 = 9;
const SIGABRT: i32 = 6;

/// Set in a child: the journal directory to append to. The other variables say how.
const CHILD_DIR: &str = "JOURNAL_CRASH_CHILD_DIR";
const CHILD_ROUND: &str = "JOURNAL_CRASH_CHILD_ROUND";
const CHILD_BATCH: &str = "JOURNAL_CRASH_CHILD_BATCH";
const CHILD_LIMIT: &str = "JOURNAL_CRASH_CHILD_LIMIT";

fn origin() -> Origin {
    Origin::new(Mode::Simulation, None, vec!["us-east-1".into()])
}

fn note(text: String) -> Record {
    Record::Note { text, author: None }
}

/// A fresh incident with its declaration as entry 1, so the journal replays as one.
fn incident() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::Builder::new()
        .prefix("journal-crash")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let dir = root.path().join("SIM-20261126-0941");
    let mut journal = Journal::create(&dir, origin()).unwrap();
    let declared = Declared {
        id: "SIM-20261126-0941".into(),
        title: "Crash test".into(),
        scenario: "region-outage".into(),
        severity: Severity::Sev2,
        services: Vec::new(),
        commander: None,
        impact_began: Utc.with_ymd_and_hms(2026, 11, 26, 9, 41, 0).unwrap(),
        impact_source: ImpactSource::Declaration,
    };
    journal.append(&Record::Declared(declared)).unwrap();
    (root, dir)
}

/// The child's loop: append notes `<round>-<i>` (one at a time, or `batch` with one
/// group commit) and say which are durable, until killed or `limit` appends are done.
fn run_child(dir: &str) -> ! {
    let var = |name: &str| std::env::var(name).ok();
    let round = var(CHILD_ROUND).unwrap_or_default();
    let batch: usize = var(CHILD_BATCH).map_or(1, |b| b.parse().unwrap());
    let limit: u64 = var(CHILD_LIMIT).map_or(u64::MAX, |l| l.parse().unwrap());
    let mut journal = Journal::open(Path::new(dir), origin()).unwrap();
    let mut stdout = std::io::stdout().lock();
    let mut i = 0;
    for _ in 0..limit {
        let records: Vec<_> = (0..batch)
            .map(|_| {
                i += 1;
                (note(format!("{round}-{i}")), Utc::now())
            })
            .collect();
        for entry in journal.append_all(&records).unwrap() {
            writeln!(stdout, "durable={}", entry.seq).unwrap();
        }
        stdout.flush().unwrap();
    }
    std::process::exit(0);
}

struct Appender {
    child: Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    round: String,
    /// How many records of this child were reported durable so far.
    reported: u64,
}

impl Appender {
    fn spawn(test: &str, dir: &Path, round: &str, batch: usize, faults: Option<&str>) -> Self {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir)
            .env(CHILD_ROUND, round)
            .env(CHILD_BATCH, batch.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(faults) = faults {
            // Without the fault the child stops by itself, so a point that never fires fails.
            command
                .env("DRCONSOLE_FAILPOINTS", faults)
                .env(CHILD_LIMIT, "50");
        }
        let mut child = command.spawn().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Appender {
            child,
            lines,
            round: round.to_owned(),
            reported: 0,
        }
    }

    /// Reads up to `count` more durable lines (fewer if the child ended), recording each
    /// seq with the text the child appended under it.
    fn read(&mut self, count: u64, reported: &mut BTreeMap<u64, String>) {
        let mut seen = 0;
        while seen < count {
            let Some(line) = self.lines.next() else {
                return;
            };
            let line = line.unwrap();
            // The test harness prints its own lines too, and starts the first of the child's
            // on its `test <name> ... ` line.
            let Some((_, seq)) = line.split_once("durable=") else {
                continue;
            };
            self.reported += 1;
            let text = format!("{}-{}", self.round, self.reported);
            let seq = seq.parse().unwrap_or_else(|e| panic!("{line:?}: {e}"));
            assert!(reported.insert(seq, text).is_none(), "{line}");
            seen += 1;
        }
    }

    /// Reads what is left once the child is dead and returns how it died.
    fn finish(mut self, reported: &mut BTreeMap<u64, String>) -> (Option<i32>, String) {
        self.read(u64::MAX, reported);
        let out = self.child.wait_with_output().unwrap();
        (
            out.status.signal(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// What the journal's file holds after its last newline: a write the machine did not finish.
fn tail_after_last_line(dir: &Path) -> Vec<u8> {
    let bytes = std::fs::read(dir.join(JOURNAL_FILE)).unwrap();
    let end = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    bytes[end..].to_vec()
}

/// What a restarted console does: verify, open, append, replay. Checks that every entry
/// reported durable is there with its text, a torn tail is reported and kept byte for byte,
/// and the chain verifies with the new entry at the right seq. Returns the verification
/// from before the resume.
fn resume(dir: &Path, reported: &BTreeMap<u64, String>) -> drconsole::incident::Verification {
    let before = verify(dir).unwrap();
    assert!(before.intact(), "{before:?}");
    let torn = tail_after_last_line(dir);
    assert_eq!(before.torn_bytes, torn.len() as u64, "{before:?}");

    let entries: BTreeMap<u64, String> = Reader::open(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.seq, e.payload["text"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    for (seq, text) in reported {
        assert_eq!(
            entries.get(seq),
            Some(text),
            "entry {seq} was reported durable"
        );
    }

    let mut journal = Journal::open(dir, origin()).unwrap();
    let entry = journal.append(&note("resumed".into())).unwrap();
    let set_aside = journal.take_torn();
    if torn.is_empty() {
        assert!(set_aside.is_empty(), "{set_aside:?}");
        assert_eq!(entry.seq, before.last_seq + 1);
    } else {
        assert_eq!(set_aside.len(), 1, "a torn tail must be reported");
        assert_eq!(set_aside[0].bytes, torn.len() as u64);
        assert_eq!(std::fs::read(&set_aside[0].side_file).unwrap(), torn);
        assert_eq!(
            entry.seq,
            before.last_seq + 2,
            "the set-aside is recorded first"
        );
        let recorded = Reader::open(dir)
            .unwrap()
            .map(Result::unwrap)
            .find(|e| e.seq == before.last_seq + 1)
            .unwrap();
        assert_eq!(recorded.kind, "torn_tail_set_aside");
        assert_eq!(recorded.payload["bytes"], torn.len() as u64);
        let side_name = set_aside[0]
            .side_file
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(recorded.payload["side_file"], side_name);
    }
    let incident = Incident::replay(dir).unwrap();
    assert_eq!(incident.last_seq, entry.seq);
    let after = verify(dir).unwrap();
    assert!(
        after.intact() && after.torn_bytes == 0 && !after.head_lags,
        "{after:?}"
    );
    assert_eq!(after.last_seq, entry.seq);
    before
}

#[test]
fn sigkilled_appenders_lose_nothing_they_reported_durable() {
    const TEST: &str = "sigkilled_appenders_lose_nothing_they_reported_durable";
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        run_child(&dir);
    }
    let (_root, dir) = incident();
    let mut reported = BTreeMap::new();
    // A hundred different kill points: after 0..19 durable lines, then 0 to 1.2 ms later.
    for round in 0u64..100 {
        // Every fourth child commits in batches of three, so kills land inside those too.
        let batch = if round % 4 == 3 { 3 } else { 1 };
        let mut child = Appender::spawn(TEST, &dir, &round.to_string(), batch, None);
        child.read(round % 20, &mut reported);
        std::thread::sleep(Duration::from_micros(300 * (round / 20)));
        child.child.kill().unwrap();
        let (signal, stderr) = child.finish(&mut reported);
        assert_eq!(signal, Some(SIGKILL), "round {round}: {stderr}");
        resume(&dir, &reported);
    }
    assert!(
        reported.len() >= 950,
        "the children got far enough: {}",
        reported.len()
    );
}

#[test]
fn a_write_stopped_half_way_is_reported_kept_aside_and_the_chain_goes_on() {
    const TEST: &str = "a_write_stopped_half_way_is_reported_kept_aside_and_the_chain_goes_on";
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        run_child(&dir);
    }
    // (records per write, the write that is torn); half of a batch of five holds two whole
    // lines, so the head is two entries behind as well.
    for (batch, nth) in [(1, 1), (1, 4), (5, 3)] {
        let (_root, dir) = incident();
        let mut reported = BTreeMap::new();
        let faults = format!("journal.append=torn@{nth}");
        let child = Appender::spawn(TEST, &dir, "t", batch, Some(&faults));
        let (signal, stderr) = child.finish(&mut reported);
        assert_eq!(signal, Some(SIGABRT), "{faults}: {stderr}");
        assert_eq!(reported.len() as u64, (nth - 1) * batch as u64, "{faults}");
        let before = resume(&dir, &reported);
        assert!(before.torn_bytes > 0, "{faults}: {before:?}");
        if batch == 5 {
            assert_eq!(before.last_seq, 1 + (nth - 1) * 5 + 2, "{before:?}");
            assert!(before.head_lags, "{before:?}");
        }
    }
}

#[test]
fn what_was_written_but_never_fsynced_is_lost_and_nothing_reported_durable_is() {
    const TEST: &str = "what_was_written_but_never_fsynced_is_lost_and_nothing_reported_durable_is";
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        run_child(&dir);
    }
    for (batch, nth) in [(1, 1), (1, 6), (4, 3)] {
        let (_root, dir) = incident();
        let mut reported = BTreeMap::new();
        let faults = format!("journal.before_fsync=error@{nth}");
        let child = Appender::spawn(TEST, &dir, "f", batch, Some(&faults));
        let (signal, stderr) = child.finish(&mut reported);
        assert_eq!(signal, Some(SIGABRT), "{faults}: {stderr}");
        assert_eq!(reported.len() as u64, (nth - 1) * batch as u64, "{faults}");
        let before = resume(&dir, &reported);
        // Exactly what was reported, after the declaration: the lost write left no trace.
        assert_eq!(before.last_seq, 1 + reported.len() as u64, "{before:?}");
        assert_eq!(before.torn_bytes, 0);
        assert!(!before.head_lags, "{before:?}");
    }
}

#[test]
fn a_crash_between_the_journal_and_its_head_leaves_the_head_behind_and_is_accepted() {
    const TEST: &str =
        "a_crash_between_the_journal_and_its_head_leaves_the_head_behind_and_is_accepted";
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        run_child(&dir);
    }
    for (batch, nth) in [(1, 1), (1, 5), (6, 2)] {
        let (_root, dir) = incident();
        let mut reported = BTreeMap::new();
        let faults = format!("journal.before_head=abort@{nth}");
        let child = Appender::spawn(TEST, &dir, "h", batch, Some(&faults));
        let (signal, stderr) = child.finish(&mut reported);
        assert_eq!(signal, Some(SIGABRT), "{faults}: {stderr}");
        assert!(stderr.contains("journal.before_head"), "{stderr}");
        assert_eq!(reported.len() as u64, (nth - 1) * batch as u64, "{faults}");
        let head = drconsole::incident::journal::read_head(&dir.join("head.json"))
            .unwrap()
            .unwrap();
        assert_eq!(head.seq, 1 + reported.len() as u64, "{faults}");
        let before = resume(&dir, &reported);
        // The unacknowledged write is on disk and the head is one whole write behind it.
        assert!(before.head_lags, "{faults}: {before:?}");
        assert_eq!(before.last_seq, head.seq + batch as u64, "{before:?}");
    }
}

#[test]
fn a_head_that_cannot_be_written_never_turns_a_durable_entry_into_a_failure() {
    const TEST: &str = "a_head_that_cannot_be_written_never_turns_a_durable_entry_into_a_failure";
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        run_child(&dir);
    }
    let (_root, dir) = incident();
    let mut reported = BTreeMap::new();
    // From the second append on, every head write fails (a full copy-on-write disk).
    let faults = "journal.before_head=error@2";
    let child = Appender::spawn(TEST, &dir, "w", 1, Some(faults));
    let (signal, stderr) = child.finish(&mut reported);
    assert_eq!(signal, None, "{stderr}");
    // All 50 appends returned Ok: each entry is durable, only the head fell behind.
    assert_eq!(reported.len(), 50, "{stderr}");
    let before = resume(&dir, &reported);
    assert!(before.head_lags, "{before:?}");
    assert_eq!(before.last_seq, 51);
}
