//! What every family shares: one action on one target through the executor (previewed only,
//! under `--dry-run`), and a bounded number of targets at once.

use std::future::Future;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::ItemStatus;
use crate::action::{Action, ActionError, Args, Executor, Plan, Status};
use crate::cloud::Cloud;
use crate::config::Estate;

/// One action run (or previewed) on one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub action: String,
    pub target: String,
    pub status: ItemStatus,
    /// Why nothing was needed, what went wrong (the service's own message), or what was done.
    pub detail: String,
    /// The writes sent, or under `--dry-run` those a real run would send, one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The executor's run id (the journal's name for it); none under `--dry-run`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

/// A backup run in progress: what every family's code works with.
pub struct Run<'a> {
    pub executor: &'a Executor,
    pub cloud: &'a dyn Cloud,
    pub estate: &'a Estate,
    pub dry_run: bool,
    /// The cloud's clock at the start: every name and folder of the run is dated by it, so
    /// a run across midnight writes one day's folder.
    pub now: DateTime<Utc>,
    /// A line of progress (shown on a terminal only; silent under cron).
    pub progress: &'a (dyn Fn(String) + Send + Sync),
    /// Set on Ctrl-C: start no new target.
    pub stop: watch::Receiver<bool>,
}

impl Run<'_> {
    /// Whether Ctrl-C asked the run to stop starting targets.
    pub fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    pub fn say(&self, line: impl Into<String>) {
        (self.progress)(line.into())
    }

    /// Runs `action` on `target` through every guard of the executor, or under `--dry-run`
    /// only previews it. A failure is a step that failed, with the service's message: the
    /// run goes on with the other targets.
    pub async fn act(&self, action: &dyn Action, target: &str, args: &Args) -> Step {
        self.act_confirmed(action, target, args, None).await
    }

    /// [`Run::act`] for a destructive action, with the confirmation the person gave.
    pub async fn act_confirmed(
        &self,
        action: &dyn Action,
        target: &str,
        args: &Args,
        confirm: Option<&str>,
    ) -> Step {
        let step = |status, detail: String| Step {
            action: action.name().to_owned(),
            target: target.to_owned(),
            status,
            detail,
            requests: Vec::new(),
            notes: Vec::new(),
            run: None,
        };
        if self.dry_run {
            return match self.executor.plan(action, target, args).await {
                Ok(plan) => preview(step, &plan),
                Err(e) => step(failed_status(&e), e.to_string()),
            };
        }
        let progress = |p: crate::action::Progress| {
            if !p.what.is_empty() {
                self.say(format!("{target}: {}: {}", action.name(), p.what));
            }
        };
        match self
            .executor
            .run(action, target, args, confirm, None, &progress)
            .await
        {
            Ok(outcome) => {
                let requests: Vec<String> = outcome.sent.iter().map(|(r, _)| r.summary()).collect();
                let (status, detail) = match outcome.status {
                    Status::Done => (ItemStatus::Done, format!("{} sent", requests.len())),
                    Status::AlreadyDone(why) => (ItemStatus::Unchanged, why),
                };
                Step {
                    requests,
                    notes: outcome.notes,
                    run: Some(outcome.run),
                    ..step(status, detail)
                }
            }
            Err(e) => step(failed_status(&e), e.to_string()),
        }
    }
}

/// A failure that is a read that did not answer is unknown; anything else failed.
fn failed_status(e: &ActionError) -> ItemStatus {
    match e {
        ActionError::Cloud(c) if c.kind == crate::cloud::ErrorKind::Unreachable => {
            ItemStatus::Unknown
        }
        _ => ItemStatus::Failed,
    }
}

fn preview(step: impl Fn(ItemStatus, String) -> Step, plan: &Plan) -> Step {
    if plan.is_noop() {
        let why = plan
            .already_done
            .clone()
            .unwrap_or_else(|| "nothing to change".to_owned());
        return Step {
            notes: plan.notes.clone(),
            ..step(ItemStatus::Unchanged, why)
        };
    }
    let requests: Vec<String> = plan.all_requests().iter().map(|r| r.summary()).collect();
    Step {
        notes: plan.notes.clone(),
        ..step(
            ItemStatus::WouldDo,
            format!("would send {} request(s)", requests.len()),
        )
    }
    .with_requests(requests)
}

impl Step {
    fn with_requests(mut self, requests: Vec<String>) -> Step {
        self.requests = requests;
        self
    }
}

/// `f` over every target, at most `n` at once, results in the targets' order. Stops starting
/// targets once `stop` is set; those never started are left out (the record says
/// interrupted).
pub async fn bounded<T, R, F, Fut>(
    targets: Vec<T>,
    n: usize,
    stop: &watch::Receiver<bool>,
    f: F,
) -> Vec<R>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = R>,
{
    let f = &f;
    let mut results: Vec<(usize, R)> = futures::stream::iter(targets.into_iter().enumerate())
        .take_while(|_| std::future::ready(!*stop.borrow()))
        .map(|(i, t)| async move { (i, f(t).await) })
        .buffer_unordered(n.max(1))
        .collect()
        .await;
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_keeps_the_order_and_never_runs_more_than_n() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (_tx, stop) = watch::channel(false);
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let out = bounded((0..10).collect(), 3, &stop, |i: u32| {
            let (running, most) = (&running, &most);
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                tokio::time::sleep(std::time::Duration::from_millis(u64::from(10 - i))).await;
                running.fetch_sub(1, Ordering::SeqCst);
                i * 2
            }
        })
        .await;
        assert_eq!(out, (0..10).map(|i| i * 2).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= 3);
    }

    #[tokio::test]
    async fn bounded_starts_nothing_once_stopped() {
        let (tx, stop) = watch::channel(false);
        tx.send(true).unwrap();
        let out: Vec<u32> = bounded(vec![1, 2, 3], 2, &stop, |i| async move { i }).await;
        assert!(out.is_empty());
    }
}
