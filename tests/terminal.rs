//! The terminal is always restored: the console is run in tmux, forced to panic after its
//! first frame (a fault point, compiled into test builds), and the pane is checked for
//! cooked mode, echo and the main screen.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("tmux is needed for this test (apt-get install tmux): {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(200));
}

/// A console run in its own tmux session; the shell records its exit code and, afterwards,
/// the terminal modes it was left with.
struct Run {
    dir: tempfile::TempDir,
    session: String,
}

impl Run {
    fn start(name: &str, env: &str) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let session = format!("drconsole-{name}-{}", std::process::id());
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "100",
            "-y",
            "30",
            "sh",
        ]);
        let script = format!(
            "{env} DRCONSOLE_DATA_DIR={d} {bin} --demo 2>{d}/stderr; echo $? > {d}/code.tmp; stty -a > {d}/stty; mv {d}/code.tmp {d}/code",
            bin = env!("CARGO_BIN_EXE_drconsole"),
            d = dir.path().display(),
        );
        tmux(&["send-keys", "-t", &session, &script, "Enter"]);
        Run { dir, session }
    }

    fn alternate_on(&self) -> bool {
        tmux(&[
            "display-message",
            "-p",
            "-t",
            &self.session,
            "#{alternate_on}",
        ])
        .trim()
            == "1"
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(file)).unwrap()
    }

    /// Waits for the console to end and checks the terminal is as it was; returns the exit
    /// code and what it wrote to stderr.
    fn finish(&self) -> (String, String) {
        wait_for(&self.dir.path().join("code"));
        let alternate = self.alternate_on();
        tmux(&["kill-session", "-t", &self.session]);
        let modes = self.read("stty");
        let words: Vec<&str> = modes.split_whitespace().collect();
        for mode in ["icanon", "echo", "isig", "icrnl"] {
            assert!(words.contains(&mode), "{mode} restored: {modes}");
        }
        assert!(!alternate, "back on the main screen");
        (self.read("code").trim().to_owned(), self.read("stderr"))
    }
}

#[test]
fn the_terminal_is_restored_after_a_panic() {
    let run = Run::start(
        "panic",
        "DRCONSOLE_FAILPOINTS=console.after_first_frame=panic",
    );
    let (code, stderr) = run.finish();
    assert_eq!(code, "101", "it did panic");
    assert!(
        stderr.contains("panicking on purpose"),
        "the panic message reaches the user: {stderr}"
    );
    let log = run.read("state/drconsole.log");
    assert!(
        log.lines()
            .any(|l| l.contains("ERROR") && l.contains("console.after_first_frame")),
        "the panic reaches the log: {log}"
    );
}

#[test]
fn the_terminal_is_restored_when_the_console_is_killed() {
    let run = Run::start("killed", "");
    // Wait for the console to be up (it switches to the alternate screen), then kill it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !run.alternate_on() {
        assert!(Instant::now() < deadline, "the console never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    let shell = tmux(&["display-message", "-p", "-t", &run.session, "#{pane_pid}"]);
    let status = Command::new("pkill")
        .args(["-TERM", "-P", shell.trim(), "drconsole"])
        .status()
        .unwrap();
    assert!(status.success(), "pkill found the console");
    assert_eq!(run.finish().0, "0", "a clean exit");
}
