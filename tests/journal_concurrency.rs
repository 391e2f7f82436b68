//! Many appenders, one order: two processes appending to one journal at once leave one
//! verified chain holding each one's entries in its own order, and a follower (what every
//! open console runs) sees all of them exactly once, in sequence, while they land.
//!
//! The appenders are this test binary run again as children. The journal lives under the
//! target directory's tmp dir (`CARGO_TARGET_TMPDIR`), on the repository's disk.

use std::path::Path;
use std::process::{Command, Stdio};

use chrono::Utc;
use drconsole::incident::journal::Reader;
use drconsole::incident::{Follower, Journal, JournalWriter, Origin, Record, verify};
use drconsole::session::Mode;

const CHILD_DIR: &str = "JOURNAL_CONCURRENCY_CHILD_DIR";
const CHILD_NAME: &str = "JOURNAL_CONCURRENCY_CHILD_NAME";
const PER_CHILD: usize = 1000;

fn origin() -> Origin {
    Origin::new(Mode::Simulation, None, vec!["us-east-1".into()])
}

fn note(text: String) -> Record {
    Record::Note { text, author: None }
}

/// One appender: `a` through its own `Journal`, one fsync per entry; `b` through a
/// `JournalWriter`, as the console does, so both paths share the lock.
fn run_child(dir: &Path, name: &str) -> ! {
    let journal = Journal::open(dir, origin()).unwrap();
    if name == "a" {
        let mut journal = journal;
        for i in 0..PER_CHILD {
            journal.append(&note(format!("{name}-{i}"))).unwrap();
        }
    } else {
        let writer = JournalWriter::spawn(journal);
        for i in 0..PER_CHILD {
            writer
                .append(note(format!("{name}-{i}")), Utc::now())
                .unwrap();
        }
    }
    std::process::exit(0);
}

#[test]
fn two_processes_appending_at_once_leave_one_chain_that_a_follower_sees_whole() {
    const TEST: &str = "two_processes_appending_at_once_leave_one_chain_that_a_follower_sees_whole";
    if let (Ok(dir), Ok(name)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_NAME)) {
        run_child(Path::new(&dir), &name);
    }
    let root = tempfile::Builder::new()
        .prefix("journal-concurrency")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let dir = root.path().join("operations");
    drop(Journal::create(&dir, origin()).unwrap());

    let mut children: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", TEST, "--test-threads=1"])
                .env(CHILD_DIR, &dir)
                .env(CHILD_NAME, name)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();

    // Follow while they append, as an open console would.
    let mut follower = Follower::new(&dir);
    let mut seen = Vec::new();
    let mut polls_with_news_while_running = 0;
    loop {
        let running = children.iter_mut().any(|c| c.try_wait().unwrap().is_none());
        let new = follower.poll().unwrap();
        if running && !new.is_empty() {
            polls_with_news_while_running += 1;
        }
        seen.extend(new);
        if !running {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    seen.extend(follower.poll().unwrap());

    let total = 2 * PER_CHILD as u64;
    let v = verify(&dir).unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!((v.entries, v.last_seq, v.torn_bytes), (total, total, 0));

    let seqs: Vec<u64> = seen.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "once each, in order");
    assert!(
        polls_with_news_while_running >= 2,
        "the follower saw entries land while the appenders ran: {polls_with_news_while_running}"
    );
    let on_disk: Vec<_> = Reader::open(&dir).unwrap().map(Result::unwrap).collect();
    assert_eq!(seen, on_disk);

    for name in ["a", "b"] {
        let mine: Vec<String> = on_disk
            .iter()
            .filter_map(|e| e.payload["text"].as_str())
            .filter(|t| t.starts_with(&format!("{name}-")))
            .map(str::to_owned)
            .collect();
        let expected: Vec<String> = (0..PER_CHILD).map(|i| format!("{name}-{i}")).collect();
        assert_eq!(mine, expected, "{name}'s entries, each once, in its order");
    }
    // Both really ran at once: their entries interleave rather than one block after another.
    let switches = on_disk
        .windows(2)
        .filter(|w| {
            w[0].payload["text"].as_str().unwrap()[..1]
                != w[1].payload["text"].as_str().unwrap()[..1]
        })
        .count();
    assert!(switches > 1, "the two appenders never overlapped");
}
