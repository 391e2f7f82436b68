//! What the journal costs: the latency of an append until it is durable (fsync included;
//! p50/p99 of 2,000 single appends), entries per second when several land at once (8
//! threads through a `JournalWriter`, and `append_all` of 64), and replay and verify of a
//! 100,000-entry journal, with the peak memory of a process that does only that (GNU time,
//! as the status benchmark reads it). Run: `cargo bench --bench journal`.
//!
//! The journals live under the target directory's tmp dir, which the figures name: fsync
//! costs what that disk makes it cost.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::Criterion;
use drconsole::incident::{
    Declared, ImpactSource, Incident, Journal, JournalWriter, Origin, Record, Severity, verify,
};
use drconsole::session::Mode;

/// Set in the child whose peak memory is read: the journal to replay and verify, and
/// whether to do it (`none` measures the process doing nothing, for the baseline).
const REPLAY_CHILD: &str = "JOURNAL_BENCH_REPLAY";
const REPLAY_WHAT: &str = "JOURNAL_BENCH_REPLAY_WHAT";
const BIG: u64 = 100_000;

fn origin() -> Origin {
    Origin::new(
        Mode::Production,
        Some("123456789012".into()),
        vec!["us-east-1".into(), "us-west-2".into()],
    )
}

/// The i-th record of a busy incident: notes and AWS requests, alternately.
fn record(i: u64) -> Record {
    if i.is_multiple_of(2) {
        Record::Note {
            text: format!(
                "Entry {i}: replication lag on flightdata-raw back under five minutes; \
                 holding the failover decision until the next poll."
            ),
            author: Some("ic".into()),
        }
    } else {
        Record::RequestSent {
            step: Some(format!("restore-{}", i % 7)),
            service: "dynamodb".into(),
            operation: "RestoreTableToPointInTime".into(),
            target: "flightdata-main".into(),
            region: Some("us-west-2".into()),
            request: serde_json::json!({
                "SourceTableName": "flightdata-main",
                "TargetTableName": format!("flightdata-main-restored-{i}"),
                "UseLatestRestorableTime": true,
            }),
        }
    }
}

fn declared() -> Record {
    Record::Declared(Declared {
        id: "INC-20261126-0941".into(),
        title: "us-east-1 outage".into(),
        scenario: "region-outage".into(),
        severity: Severity::Sev1,
        services: Vec::new(),
        commander: Some("ic".into()),
        impact_began: Utc.with_ymd_and_hms(2026, 11, 26, 9, 41, 0).unwrap(),
        impact_source: ImpactSource::Declaration,
    })
}

fn fresh(root: &Path, name: &str) -> Journal {
    let mut journal = Journal::create(&root.join(name), origin()).expect("journal");
    journal.append(&declared()).expect("declared");
    journal
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn per_second(entries: u64, took: Duration) -> String {
    format!("{:.0} entries/s", entries as f64 / took.as_secs_f64())
}

/// Single appends, each timed until it returned (written, fsynced, head fsynced).
fn append_latency(root: &Path) {
    let mut journal = fresh(root, "latency");
    let mut took: Vec<Duration> = (0..2000)
        .map(|i| {
            let record = record(i);
            let start = Instant::now();
            journal.append(&record).expect("append");
            start.elapsed()
        })
        .collect();
    let total: Duration = took.iter().sum();
    took.sort_unstable();
    eprintln!(
        "append one, durable: p50 {}, p99 {}, max {}, mean {} ({})",
        ms(percentile(&took, 0.50)),
        ms(percentile(&took, 0.99)),
        ms(*took.last().expect("samples")),
        ms(total / took.len() as u32),
        per_second(took.len() as u64, total),
    );
}

/// Entries per second when several land at once.
fn group_commit(root: &Path) {
    let writer = JournalWriter::spawn(fresh(root, "writer"));
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..8 {
            let writer = writer.clone();
            scope.spawn(move || {
                for i in 0..250 {
                    writer
                        .append(record(t * 1000 + i), Utc::now())
                        .expect("append");
                }
            });
        }
    });
    let took = start.elapsed();
    let stats = writer.stats();
    eprintln!(
        "8 threads x 250 through a JournalWriter: {} in {} writes ({:.1} entries a write), {}",
        stats.entries,
        stats.batches,
        stats.entries as f64 / stats.batches as f64,
        per_second(stats.entries, took),
    );

    let mut journal = fresh(root, "batches");
    let batches: Vec<Vec<(Record, chrono::DateTime<Utc>)>> = (0..32)
        .map(|b| (0..64).map(|i| (record(b * 64 + i), Utc::now())).collect())
        .collect();
    let start = Instant::now();
    for batch in &batches {
        journal.append_all(batch).expect("append_all");
    }
    eprintln!(
        "append_all of 64, 32 times: {}",
        per_second(32 * 64, start.elapsed())
    );
}

/// A journal of `BIG` entries, written in batches (the content is what is measured, not
/// how it was written).
fn big_journal(root: &Path) -> std::path::PathBuf {
    let mut journal = fresh(root, "big");
    let mut i = 1;
    while i < BIG {
        let n = (BIG - i).min(1000);
        let batch: Vec<_> = (i..i + n).map(|k| (record(k), Utc::now())).collect();
        journal.append_all(&batch).expect("append_all");
        i += n;
    }
    journal.dir().to_owned()
}

fn median_of_3(mut f: impl FnMut()) -> Duration {
    let mut took: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    took.sort_unstable();
    took[1]
}

/// Peak resident memory of this benchmark run again as a child that replays and verifies
/// `dir` (or, with `none`, only starts), from GNU time.
fn peak_rss_kib(dir: &Path, what: &str) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("maxrss=%M")
        .arg(std::env::current_exe().ok()?)
        .env(REPLAY_CHILD, dir)
        .env(REPLAY_WHAT, what)
        .output()
        .ok()?;
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss="))
        .and_then(|v| v.trim().parse().ok())
}

fn replay_and_verify(dir: &Path) {
    let size = std::fs::metadata(dir.join("journal.jsonl"))
        .expect("journal")
        .len();
    let replay = median_of_3(|| {
        let incident = Incident::replay(dir).expect("replay");
        assert_eq!(incident.entries, BIG);
    });
    let verified = median_of_3(|| {
        let v = verify(dir).expect("verify");
        assert!(v.intact() && v.entries == BIG, "{v:?}");
    });
    let mib = |k: Option<u64>| {
        k.map_or("n/a".to_owned(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        })
    };
    let baseline = peak_rss_kib(dir, "none");
    let replaying = peak_rss_kib(dir, "replay");
    let verifying = peak_rss_kib(dir, "verify");
    eprintln!(
        "{BIG} entries, {:.1} MiB: replay {} (median of 3), verify {} (median of 3); \
         peak RSS of a process replaying {}, verifying {}, doing neither {}",
        size as f64 / (1024.0 * 1024.0),
        ms(replay),
        ms(verified),
        mib(replaying),
        mib(verifying),
        mib(baseline),
    );
}

fn criterion_benches(c: &mut Criterion, root: &Path, big: &Path) {
    let mut group = c.benchmark_group("journal");
    group.sample_size(10);
    let mut journal = fresh(root, "criterion-one");
    let mut i = 0;
    group.bench_function("append one, durable", |b| {
        b.iter(|| {
            i += 1;
            journal.append(&record(i)).expect("append")
        });
    });
    let mut journal = fresh(root, "criterion-64");
    let batch: Vec<_> = (0..64).map(|i| (record(i), Utc::now())).collect();
    group.bench_function("append_all of 64, durable", |b| {
        b.iter(|| journal.append_all(&batch).expect("append_all"));
    });
    group.bench_function("replay 100k", |b| {
        b.iter(|| Incident::replay(big).expect("replay"));
    });
    group.bench_function("verify 100k", |b| {
        b.iter(|| verify(big).expect("verify"));
    });
    group.finish();
}

fn main() {
    if let Some(dir) = std::env::var_os(REPLAY_CHILD) {
        let dir = Path::new(&dir);
        match std::env::var(REPLAY_WHAT).as_deref() {
            Ok("replay") => assert_eq!(Incident::replay(dir).expect("replay").entries, BIG),
            Ok("verify") => assert!(verify(dir).expect("verify").intact()),
            _ => {}
        }
        return;
    }
    let root = tempfile::Builder::new()
        .prefix("journal-bench")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir");
    eprintln!("journals under {}", root.path().display());
    append_latency(root.path());
    group_commit(root.path());
    let big = big_journal(root.path());
    replay_and_verify(&big);

    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, root.path(), &big);
    c.final_summary();
}
