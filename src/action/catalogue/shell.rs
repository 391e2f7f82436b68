//! The `shell` check: runs a command of the estate file's allow-list (the plan's
//! `smoke-test.sh`, `verify-restored-data.sh`) as argv, never through a shell, with a
//! timeout; its exit status is the verdict and the tail of its output is journalled.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Instant;

use async_trait::async_trait;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::action::{ActionError, ArgKind, ArgSpec, Args, Check, Context, Report, TargetKind};
use crate::cloud::{CloudError, ErrorKind};
use crate::config::COMMAND_PLACEHOLDERS;

/// How much of each stream is kept: the end, where a failing script says why.
pub const OUTPUT_TAIL: usize = 64 * 1024;
/// Lines of output shown on the terminal under the verdict.
const LINES_SHOWN: usize = 20;

pub struct Shell;

const ARGS: &[ArgSpec] = &[ArgSpec {
    name: "region",
    kind: ArgKind::Text,
    required: false,
    help: "the region {{region}} stands for (default: the primary region)",
}];

/// `{{region}}`, `{{primary_region}}`, `{{backup_region}}` replaced; the estate's
/// validation has already refused any other.
fn substitute(arg: &str, values: &[(&str, &str)]) -> String {
    let mut out = arg.to_owned();
    for (name, value) in values {
        for spelling in [format!("{{{{{name}}}}}"), format!("{{{{ {name} }}}}")] {
            out = out.replace(&spelling, value);
        }
    }
    out
}

/// Reads a stream to its end, keeping its last `OUTPUT_TAIL` bytes; `tell` gets each
/// complete line as it arrives.
async fn tail<R: AsyncRead + Unpin>(
    mut stream: R,
    tell: &(dyn Fn(String) + Send + Sync),
) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut cut = false;
    let mut line = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                for &b in &chunk[..n] {
                    if b == b'\n' {
                        tell(String::from_utf8_lossy(&line).into_owned());
                        line.clear();
                    } else if line.len() < 1024 {
                        line.push(b);
                    }
                }
                kept.extend_from_slice(&chunk[..n]);
                if kept.len() > OUTPUT_TAIL {
                    let extra = kept.len() - OUTPUT_TAIL;
                    kept.drain(..extra);
                    cut = true;
                }
            }
        }
    }
    (kept, cut)
}

fn could_not(message: String) -> ActionError {
    ActionError::Cloud(CloudError::new("shell", "run", ErrorKind::Client, message))
}

/// Kills the command and everything it started: it runs as the leader of its own process
/// group, so a script's `sleep` or `curl` dies with it.
fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is shared.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}

#[async_trait]
impl Check for Shell {
    fn name(&self) -> &'static str {
        "shell"
    }
    fn summary(&self) -> &'static str {
        "Run a command of the estate file's allow-list ([commands]) and judge it by its exit \
         status"
    }
    fn details(&self) -> &'static str {
        "Only commands named under [commands.NAME] in the estate file can run, as argv (no \
         shell), in their `dir` (relative to the estate file), with {{region}}, \
         {{primary_region}} and {{backup_region}} filled in. Exit status 0 passes. After its \
         `timeout` the command and its children are killed and the check fails. The last 64 \
         KiB of stdout and of stderr are journalled."
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Command
    }
    fn args(&self) -> &'static [ArgSpec] {
        ARGS
    }

    async fn run(
        &self,
        ctx: &Context<'_>,
        target: &str,
        args: &Args,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<Report, ActionError> {
        let Some(command) = ctx.estate.commands.get(target) else {
            return Err(ActionError::Invalid(format!(
                "{target} is not in the estate file's [commands] allow-list"
            )));
        };
        let values = [
            ("region", args.get("region").unwrap_or(ctx.primary())),
            ("primary_region", ctx.primary()),
            ("backup_region", ctx.backup()),
        ];
        debug_assert_eq!(values.len(), COMMAND_PLACEHOLDERS.len());
        let argv: Vec<String> = command
            .run
            .get_ref()
            .iter()
            .map(|a| substitute(a, &values))
            .collect();
        let dir = ctx
            .estate
            .base_dir
            .join(command.dir.as_deref().unwrap_or_default());
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let Some((program, rest)) = argv.split_first() else {
            return Err(ActionError::Invalid(format!(
                "[commands.{target}].run names no program"
            )));
        };
        // A path with a slash is the estate's own script, taken from its folder; a bare
        // name is looked up on PATH.
        let program_path = if program.contains('/') && !PathBuf::from(program).is_absolute() {
            dir.join(program)
        } else {
            PathBuf::from(program)
        };
        let timeout: std::time::Duration = command.timeout.into();
        progress(format!(
            "running {} in {} (at most {})",
            argv.join(" "),
            dir.display(),
            command.timeout
        ));
        let mut cmd = tokio::process::Command::new(&program_path);
        cmd.args(rest)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        cmd.process_group(0);
        let started = Instant::now();
        // A script that is missing or not executable is a check that could not be made
        // (exit 2), not a mistake in what was typed.
        let mut child = cmd.spawn().map_err(|e| {
            could_not(format!(
                "cannot run {} (in {}): {e}",
                program_path.display(),
                dir.display()
            ))
        })?;
        let pid = child.id();
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let work = async {
            let out = async {
                match stdout {
                    Some(s) => tail(s, progress).await,
                    None => (Vec::new(), false),
                }
            };
            let err = async {
                match stderr {
                    Some(s) => tail(s, &|_| {}).await,
                    None => (Vec::new(), false),
                }
            };
            let (out, err, status) = tokio::join!(out, err, child.wait());
            (out, err, status)
        };
        let finished = tokio::time::timeout(timeout, work).await;
        let took = started.elapsed();
        let (stdout, stderr, exit_code, timed_out) = match finished {
            Ok(((out, out_cut), (err, err_cut), status)) => {
                let status = status
                    .map_err(|e| could_not(format!("lost track of {}: {e}", argv.join(" "))))?;
                ((out, out_cut), (err, err_cut), status.code(), false)
            }
            Err(_) => {
                kill_group(pid);
                // Reaped, so no zombie outlives the check.
                let _ = child.kill().await;
                ((Vec::new(), false), (Vec::new(), false), None, true)
            }
        };
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let (out_text, err_text) = (text(&stdout.0), text(&stderr.0));
        let passed = exit_code == Some(0);
        let summary = if timed_out {
            format!("{target} was killed after {}", command.timeout)
        } else {
            match exit_code {
                Some(0) => format!("{target} passed (exit 0)"),
                Some(code) => format!("{target} failed (exit {code})"),
                None => format!("{target} was ended by a signal"),
            }
        };
        let mut report = Report::new(passed, summary);
        let shown: Vec<&str> = out_text
            .lines()
            .chain(err_text.lines())
            .filter(|l| !l.trim().is_empty())
            .collect();
        report.lines = shown
            .iter()
            .skip(shown.len().saturating_sub(LINES_SHOWN))
            .map(|l| (*l).to_owned())
            .collect();
        report.figures = json!({
            "command": target,
            "argv": argv,
            "dir": dir.display().to_string(),
            "exit_code": exit_code,
            "timed_out": timed_out,
            "timeout_secs": timeout.as_secs(),
            "duration_ms": u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            "stdout": out_text,
            "stdout_truncated": stdout.1,
            "stderr": err_text,
            "stderr_truncated": stderr.1,
        });
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::substitute;

    #[test]
    fn placeholders_are_filled_with_or_without_spaces() {
        let values = [("region", "us-west-2"), ("backup_region", "us-west-2")];
        assert_eq!(
            substitute("--region={{region}}", &values),
            "--region=us-west-2"
        );
        assert_eq!(substitute("{{ backup_region }}", &values), "us-west-2");
        assert_eq!(substitute("plain", &values), "plain");
    }
}
