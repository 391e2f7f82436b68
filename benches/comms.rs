//! What a status update costs to write: the message context built from a long incident's
//! journal (what changed since the last update, what is in progress, every stopwatch) and
//! every shipped template rendered from it, in both formats. The journal is the scripted
//! demo incident followed by 20,000 more entries (runbook steps, AWS requests, notes), about
//! a day of a busy recovery; the context is rebuilt on every journal entry the console sees,
//! so this is the cost of keeping a draft current. Run: `cargo bench --bench comms`.

use chrono::Duration;
use criterion::Criterion;
use drconsole::comms::context::{MessageContext, Sources};
use drconsole::comms::{Format, Library, demo};
use drconsole::incident::{Entry, Record, StepOutcome};

const MORE: u64 = 20_000;

/// The i-th record after the demo's own: a step started, its request sent and answered, the
/// step finished, and now and then a note.
fn record(i: u64) -> Record {
    let run = Some("run-20260314-0920".to_owned());
    let step = format!("restore-{}", i / 4);
    match i % 4 {
        0 => Record::StepStarted {
            run,
            step,
            title: Some(format!("Restore flightdata-part-{} in us-west-2", i / 4)),
        },
        1 => Record::RequestSent {
            step: Some(step),
            service: "dynamodb".into(),
            operation: "RestoreTableFromBackup".into(),
            target: format!("flightdata-part-{}", i / 4),
            region: Some("us-west-2".into()),
            request: serde_json::json!({"TargetTableName": format!("flightdata-part-{}", i / 4)}),
        },
        2 => Record::Note {
            text: format!(
                "part {} restoring; replication lag back under five minutes",
                i / 4
            ),
            author: None,
        },
        _ => Record::StepFinished {
            run,
            step,
            outcome: StepOutcome::Succeeded,
            detail: None,
            outputs: Default::default(),
        },
    }
}

fn journal() -> Vec<Entry> {
    let mut entries = demo::entries();
    let last = entries.last().expect("the demo has entries").clone();
    for i in 0..MORE {
        let (kind, payload) = record(i).to_parts();
        entries.push(Entry {
            seq: last.seq + 1 + i,
            at: last.at + Duration::seconds(i as i64 * 4),
            kind,
            payload,
            prev: String::new(),
            hash: String::new(),
            ..last.clone()
        });
    }
    entries
}

fn main() {
    let entries = journal();
    let incident = demo::incident(&entries);
    let now = entries.last().expect("entries").at;
    let library = Library::load(None).expect("the shipped templates load");
    let sources = Sources {
        incident: &incident,
        entries: &entries,
        run: None,
        drills: &[],
        update_every: std::time::Duration::from_secs(30 * 60),
        primary_region: "us-east-1",
        backup_region: "us-west-2",
        now,
    };
    let ctx = MessageContext::build(&sources);
    println!(
        "{} entries: {} changes listed, {} in progress, {} templates",
        entries.len(),
        ctx.changes.len(),
        ctx.actions.len(),
        library.list().len()
    );

    let mut c = Criterion::default().sample_size(20).configure_from_args();
    c.bench_function(
        &format!("comms: context from a {}-entry journal", entries.len()),
        |b| b.iter(|| MessageContext::build(&sources)),
    );
    c.bench_function("comms: every template, text and Slack", |b| {
        b.iter(|| {
            for template in library.list() {
                for format in [Format::Text, Format::Slack] {
                    library
                        .render(&template.name, &ctx, format)
                        .expect("the shipped templates render");
                }
            }
        })
    });
    c.final_summary();
}
