//! What the whole-process benchmarks share: the drconsole they time, one timed run of a
//! command with the machine's load around it, the versions in a report's header, and a
//! results row (median, min, max, every run).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// The drconsole a benchmark times: the one cargo built beside it, or `DRCONSOLE_BIN` (a
/// release binary built on its own).
pub fn drconsole() -> PathBuf {
    std::env::var_os("DRCONSOLE_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_drconsole")),
        PathBuf::from,
    )
}

/// Which build that is, for the report.
pub fn build() -> String {
    match std::env::var_os("DRCONSOLE_BIN") {
        Some(path) => PathBuf::from(path).display().to_string(),
        None if cfg!(debug_assertions) => "debug build".to_owned(),
        None => "release build".to_owned(),
    }
}

/// `/proc/loadavg`'s 1-minute figure.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// What `program args` prints about its version, or "not found".
pub fn version(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            let text = [o.stdout, o.stderr].concat();
            String::from_utf8_lossy(&text).trim().to_owned()
        })
        .unwrap_or_else(|| "not found".to_owned())
}

/// moto's version, as the report's header gives it.
pub fn moto_version() -> String {
    version("python3", &["-c", "import moto; print(moto.__version__)"])
}

/// One timed run of one command.
pub struct Timed {
    pub secs: f64,
    pub code: Option<i32>,
    /// The 1-minute load before and after.
    pub load: String,
}

/// Runs `cmd` to its end, wall clock.
pub fn time(cmd: &mut Command, name: &str) -> Timed {
    let before = load();
    let start = Instant::now();
    let status = cmd.status().unwrap_or_else(|e| panic!("start {name}: {e}"));
    Timed {
        secs: start.elapsed().as_secs_f64(),
        code: status.code(),
        load: format!("{before}→{}", load()),
    }
}

/// The head of a results table.
pub const TABLE_HEAD: &str = "| What | Median | Min | Max | Runs (s) | Exit codes | Load (1 min) |\n|---|---|---|---|---|---|---|\n";

/// One row of the results table for `what`'s runs, and their median.
pub fn row(text: &mut String, what: &str, runs: &[&Timed]) -> f64 {
    let mut secs: Vec<f64> = runs.iter().map(|r| r.secs).collect();
    secs.sort_by(f64::total_cmp);
    let median = secs[secs.len() / 2];
    let list =
        |f: &dyn Fn(&Timed) -> String| runs.iter().map(|r| f(r)).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        text,
        "| {what} | {median:.2} s | {:.2} s | {:.2} s | {} | {} | {} |",
        secs[0],
        secs[secs.len() - 1],
        list(&|r| format!("{:.2}", r.secs)),
        list(&|r| r.code.map_or("signal".to_owned(), |c| c.to_string())),
        list(&|r| r.load.clone()),
    );
    median
}

/// Whether this is a `cargo bench` run: `cargo test --all-targets` runs benchmarks without
/// `--bench`, and these take minutes, so they say so and stop.
pub fn under_cargo_bench(args: &[String], name: &str) -> bool {
    let yes = args.iter().any(|a| a == "--bench");
    if !yes {
        eprintln!("the {name} benchmark runs under `cargo bench` (or with --bench)");
    }
    yes
}

/// A fresh folder for one invocation's results and each contender's output.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{name}-bench-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    ));
    std::fs::create_dir_all(&dir).expect("the output folder");
    dir
}
