//! `backup lambda`: the plan's backup-lambda-functions.sh. Each function's configuration and
//! code under `lambda-backups/<date>/<function>/` and `latest/`, and a copy in the backup
//! region.

mod measure;

use super::{Item, ItemStatus, Run, Step, bounded};
use crate::action::{Args, catalogue};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The functions named on the command line (default: every function of the estate).
    pub functions: Vec<String>,
}

/// Every function named (default: those of the estate, and those its prefix finds, as
/// `validate` checks them), backed up at most `backup.concurrency` at once.
pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let mut items = Vec::new();
    let functions = if options.functions.is_empty() {
        let mut names = run.estate.named_functions();
        if let Some(prefix) = run.estate.lambda.prefix.as_deref() {
            match run.cloud.list_functions(run.estate.regions.primary.get_ref(), Some(prefix)).await {
                Ok(found) => names.extend(found.into_iter().map(|f| f.name)),
                Err(e) => items.push(Item::new(
                    "function",
                    &format!("{prefix}*"),
                    ItemStatus::Unknown,
                    format!("the functions named by the prefix could not be listed, so none of them was backed up: {e}"),
                )),
            }
        }
        names.sort();
        names.dedup();
        names
    } else {
        options.functions.clone()
    };
    let n = run.estate.backup.concurrency;
    items.extend(
        bounded(
            functions,
            n,
            &run.stop,
            |f| async move { one(run, &f).await },
        )
        .await,
    );
    items
}

async fn one(run: &Run<'_>, function: &str) -> Item {
    let action = catalogue::find("backup-function").expect("backup-function is in the catalogue");
    let day = run.now.format("%Y%m%d").to_string();
    let args = Args::default()
        .with("date", day.clone())
        .with("latest", "yes");
    run.say(format!("{function}: backing up"));
    let step = run.act(action, function, &args).await;
    let item = match step.status {
        ItemStatus::Failed | ItemStatus::Unknown => {
            Item::new("function", function, step.status, step.detail.clone())
        }
        ItemStatus::WouldDo | ItemStatus::Unchanged if run.dry_run => {
            Item::new("function", function, step.status, said(&step))
        }
        _ => measure::after(run, function, &day, &step).await,
    };
    let mut item = item.figure("date", day);
    item.steps.push(step);
    item
}

/// The step's own words, and each of its notes (the code that could not be had, a `latest/`
/// left as it was).
fn said(step: &Step) -> String {
    let mut out = step.detail.clone();
    for note in &step.notes {
        out.push_str("; ");
        out.push_str(note);
    }
    out
}
