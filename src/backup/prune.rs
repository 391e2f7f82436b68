//! `backup prune`: removes the on-demand backups and dated folders drconsole's naming made
//! that fall outside the retention rule; never the newest of anything, never an incident's
//! safety net.

mod nets;
mod remove;
pub mod rule;
pub mod series;

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde_json::json;

use super::{Item, ItemStatus, Run, bounded};
pub use nets::Nets;
use series::{Found, Kind, Member};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Days kept whole: the newest of each of the last N days with one.
    pub keep_daily: usize,
    /// Weeks kept: the newest of each of the last M ISO weeks with one.
    pub keep_weekly: usize,
    /// `--yes`: the removals were confirmed (needed without a terminal to type on).
    pub confirmed: bool,
    /// The session's incidents (one journal each), read for their safety nets.
    pub incidents: Option<PathBuf>,
    /// Asks the person to confirm the removals listed (on a terminal); `None` without one.
    pub ask: Option<fn(&[String]) -> bool>,
}

pub async fn run(run: &Run<'_>, options: &Options) -> Vec<Item> {
    let nets = Nets::read(options.incidents.as_deref(), &[run.executor.journal_dir()]);
    if !nets.unreadable.is_empty() {
        // A safety net in a journal that cannot be read could be any of the candidates.
        return vec![Item::new(
            "journal",
            "safety nets",
            ItemStatus::Unknown,
            format!(
                "nothing removed: an incident's safety net cannot be ruled out ({})",
                nets.unreadable.join("; ")
            ),
        )];
    }
    run.say(format!(
        "read the safety nets of {} journal(s); listing the backups",
        nets.journals
    ));
    let mut items = Vec::new();
    let mut doomed: Vec<Member> = Vec::new();
    for found in series::find(run, &nets).await {
        let (item, removed) = judge(run, options, found);
        items.push(item);
        doomed.extend(removed);
    }
    if doomed.is_empty() {
        return items;
    }
    if !run.dry_run && !options.confirmed {
        let lines: Vec<String> = doomed.iter().map(Member::label).collect();
        let yes = match options.ask {
            Some(ask) => ask(&lines),
            None => false,
        };
        if !yes {
            items.push(Item::new(
                "confirmation",
                &format!("{} removal(s)", doomed.len()),
                ItemStatus::Failed,
                if options.ask.is_some() {
                    "not confirmed: nothing removed"
                } else {
                    "no terminal to confirm on: pass --yes (nothing removed)"
                },
            ));
            return items;
        }
    }
    let n = run.estate.backup.concurrency;
    items.extend(bounded(doomed, n, &run.stop, |m| remove_one(run, m)).await);
    items
}

/// One series' summary item, and its members the rule leaves without a reason to stay.
fn judge(run: &Run<'_>, options: &Options, found: Found) -> (Item, Vec<Member>) {
    let series = match found {
        Ok(series) => series,
        Err((label, e)) => {
            let status = if e.kind == crate::cloud::ErrorKind::Unreachable {
                ItemStatus::Unknown
            } else {
                ItemStatus::Failed
            };
            let item = Item::new(
                "series",
                &label,
                status,
                format!("could not be listed, nothing of it removed: {e}"),
            );
            return (item, Vec::new());
        }
    };
    let dated: Vec<rule::Dated> = series.members.iter().map(|m| m.dated.clone()).collect();
    let keep = rule::decide(&dated, run.now, options.keep_daily, options.keep_weekly);
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for (member, why) in series.members.into_iter().zip(keep) {
        if why.is_empty() {
            removed.push(member);
        } else {
            let reasons: Vec<String> = why.iter().map(rule::Why::label).collect();
            kept.push(json!({ "name": member.label(), "kept": reasons }));
        }
    }
    let held = kept
        .iter()
        .filter(|k| k["kept"].to_string().contains("safety net"))
        .count();
    let detail = if kept.is_empty() && removed.is_empty() {
        "none found".to_owned()
    } else {
        format!(
            "{} found: {} kept{}, {} {}",
            kept.len() + removed.len(),
            kept.len(),
            if held > 0 {
                format!(" ({held} an incident's safety net)")
            } else {
                String::new()
            },
            removed.len(),
            if run.dry_run {
                "would be removed"
            } else {
                "to remove"
            }
        )
    };
    let mut item = Item::new("series", &series.label, ItemStatus::Unchanged, detail)
        .figure("kept", kept)
        .figure("removed", removed.len());
    if let Some(setting) = series.setting {
        item = item.figure("setting", setting);
    }
    (item, removed)
}

async fn remove_one(run: &Run<'_>, member: Member) -> Item {
    let (action, kind) = match member.kind {
        Kind::Backup => (&remove::BACKUP, "backup"),
        Kind::DayFolder | Kind::ExportFolder => (&remove::FOLDER, "folder"),
    };
    let label = member.label();
    run.say(format!("removing {label}"));
    let id = match member.kind {
        Kind::Backup => &member.id,
        Kind::DayFolder | Kind::ExportFolder => &member.name,
    };
    let step = match remove::args(kind, &member.region, id) {
        // The count of removals was confirmed: each is confirmed with its target's name.
        Ok(args) => {
            run.act_confirmed(action, &member.target, &args, Some(&member.target))
                .await
        }
        Err(e) => {
            return Item::new(
                member.kind.label(),
                &label,
                ItemStatus::Failed,
                e.to_string(),
            );
        }
    };
    let status = Item::status_from_steps(std::slice::from_ref(&step));
    let detail = match status {
        ItemStatus::Done if member.kind == Kind::Backup => "removed".to_owned(),
        ItemStatus::Done => format!("removed ({} object(s) when listed)", member.objects),
        ItemStatus::WouldDo => "would be removed".to_owned(),
        _ => step.detail.clone(),
    };
    let mut item = Item::new(member.kind.label(), &label, status, detail)
        .figure("day", member.dated.day.to_string())
        .figure("region", member.region.clone());
    if member.kind == Kind::Backup {
        item = item.figure("arn", member.id.clone());
    } else {
        item = item.figure("objects", member.objects);
    }
    item.steps.push(step);
    item
}

/// Lists the removals on stderr and asks for their number to be typed back on the
/// terminal: a number, not a yes, so a habit cannot answer for the person.
pub fn ask_on_terminal(lines: &[String]) -> bool {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "backup prune removes {} item(s):", lines.len());
    for line in lines {
        let _ = writeln!(err, "  - {line}");
    }
    let _ = write!(
        err,
        "type {} to remove them (anything else removes nothing): ",
        lines.len()
    );
    let _ = err.flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    answer.trim() == lines.len().to_string()
}
