//! The terminal is always restored: the console is run in tmux, forced to panic after its
//! first frame, and the pane is checked for cooked mode, echo and the main screen.

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

#[test]
fn the_terminal_is_restored_after_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (stty, code) = (dir.path().join("stty"), dir.path().join("code"));
    let session = format!("drconsole-restore-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_drconsole");
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
        "DRCONSOLE_TEST_PANIC=1 {bin} --demo 2>{err}; echo $? > {code}.tmp; stty -a > {stty}; mv {code}.tmp {code}",
        err = dir.path().join("stderr").display(),
        code = code.display(),
        stty = stty.display(),
    );
    tmux(&["send-keys", "-t", &session, &script, "Enter"]);
    wait_for(&code);
    let alternate = tmux(&["display-message", "-p", "-t", &session, "#{alternate_on}"]);
    tmux(&["kill-session", "-t", &session]);

    let exit = std::fs::read_to_string(&code).unwrap();
    assert_eq!(exit.trim(), "101", "it did panic");
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    assert!(
        stderr.contains("panicking on purpose"),
        "the panic message reaches the user: {stderr}"
    );
    let modes = std::fs::read_to_string(&stty).unwrap();
    let words: Vec<&str> = modes.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig", "icrnl"] {
        assert!(words.contains(&mode), "{mode} restored: {modes}");
    }
    assert_eq!(alternate.trim(), "0", "back on the main screen");
}

#[test]
fn the_terminal_is_restored_when_the_console_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let (stty, code) = (dir.path().join("stty"), dir.path().join("code"));
    let session = format!("drconsole-term-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_drconsole");
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
        "{bin} --demo; echo $? > {code}.tmp; stty -a > {stty}; mv {code}.tmp {code}",
        code = code.display(),
        stty = stty.display(),
    );
    tmux(&["send-keys", "-t", &session, &script, "Enter"]);
    // Wait for the console to be up (it switches to the alternate screen), then kill it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while tmux(&["display-message", "-p", "-t", &session, "#{alternate_on}"]).trim() != "1" {
        assert!(Instant::now() < deadline, "the console never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    let shell = tmux(&["display-message", "-p", "-t", &session, "#{pane_pid}"]);
    let status = Command::new("pkill")
        .args(["-TERM", "-P", shell.trim(), "drconsole"])
        .status()
        .unwrap();
    assert!(status.success(), "pkill found the console");
    wait_for(&code);
    let alternate = tmux(&["display-message", "-p", "-t", &session, "#{alternate_on}"]);
    tmux(&["kill-session", "-t", &session]);

    assert_eq!(
        std::fs::read_to_string(&code).unwrap().trim(),
        "0",
        "a clean exit"
    );
    let modes = std::fs::read_to_string(&stty).unwrap();
    let words: Vec<&str> = modes.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig", "icrnl"] {
        assert!(words.contains(&mode), "{mode} restored: {modes}");
    }
    assert_eq!(alternate.trim(), "0", "back on the main screen");
}
