//! `journal verify` through the binary: tampering named by line and entry, and notes cut by a
//! crash (through the journal's fault points) never reported, then set aside.

use std::path::{Path, PathBuf};

use drconsole::incident::journal::JOURNAL_FILE;

use super::{declare, drconsole, run, simulated};

/// Five entries, each note text distinct, in an incident of its own.
fn five_entries(data: &Path) -> PathBuf {
    let id = declare(data, &["S3 Data Storage"]);
    for text in ["alpha", "bravo", "charlie", "delta"] {
        run(
            drconsole(data).args(["--demo", "incident", "note", text]),
            0,
        );
    }
    simulated(data).join(id)
}

fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(JOURNAL_FILE))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(dir: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join(JOURNAL_FILE), text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn journal_verify_names_the_entry_where_tampering_breaks_the_chain() {
    let data = tempfile::tempdir().unwrap();
    let original = five_entries(data.path());
    let verify = |dir: &Path| {
        let (stdout, _) = run(
            drconsole(data.path()).args(["journal", "verify"]).arg(dir),
            1,
        );
        stdout
    };
    let tampered = |name: &str, edit: &dyn Fn(&mut Vec<String>)| {
        let dir = data.path().join(name);
        copy_dir(&original, &dir);
        let mut l = lines(&dir);
        edit(&mut l);
        write_lines(&dir, &l);
        dir
    };

    let flipped = tampered("flip", &|l| l[2] = l[2].replace("bravo", "brava"));
    let out = verify(&flipped);
    assert!(out.contains("broken at line 3, entry #3:"), "{out}");
    assert!(out.contains("does not match its hash"), "{out}");
    assert!(out.contains("2 entries before it verify"), "{out}");

    let deleted = tampered("delete", &|l| {
        l.remove(1);
    });
    let out = verify(&deleted);
    assert!(out.contains("broken at line 2, entry #3:"), "{out}");
    assert!(out.contains("missing"), "{out}");

    let last = tampered("last", &|l| {
        l.pop();
    });
    let out = verify(&last);
    assert!(out.contains("broken at line 4, entry #5:"), "{out}");
    assert!(out.contains("the last entries are missing"), "{out}");
    // Nor does it take a new entry: a new head would be written over the evidence.
    let (_, stderr) = run(
        drconsole(data.path())
            .args(["--demo", "incident", "note", "x", "--incident"])
            .arg(&last),
        5,
    );
    assert!(stderr.contains("journal verify"), "{stderr}");
    assert_eq!(lines(&last).len(), 4, "nothing appended");

    let swapped = tampered("swap", &|l| l.swap(2, 3));
    let out = verify(&swapped);
    assert!(out.contains("broken at line 3, entry #4:"), "{out}");

    // The untouched one still verifies.
    let (out, _) = run(
        drconsole(data.path())
            .args(["journal", "verify"])
            .arg(&original),
        0,
    );
    assert!(out.contains("intact: 5 entries, last #5"), "{out}");
}

#[test]
fn a_note_cut_by_a_crash_is_never_reported_and_the_next_sets_it_aside() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let id = declare(d, &["S3 Data Storage"]);
    let dir = simulated(d).join(&id);

    // The machine dies before the fsync: what was written is lost, and nothing was reported.
    let out = drconsole(d)
        .env("DRCONSOLE_FAILPOINTS", "journal.before_fsync=error")
        .args(["--demo", "incident", "note", "lost before the fsync"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "never reported");
    let (stdout, _) = run(drconsole(d).args(["--demo", "journal", "verify"]), 0);
    assert!(stdout.contains("intact: 1 entry, last #1"), "{stdout}");

    // The machine dies half-way through the write: a torn line, noted by verify, not a break.
    let out = drconsole(d)
        .env("DRCONSOLE_FAILPOINTS", "journal.append=torn")
        .args(["--demo", "incident", "note", "cut in half"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "never reported");
    let (stdout, _) = run(drconsole(d).args(["--demo", "journal", "verify"]), 0);
    assert!(stdout.contains("intact: 1 entry"), "{stdout}");
    assert!(
        stdout.contains("a write the machine did not finish"),
        "{stdout}"
    );

    // The next note sets the torn line aside, says so, and the chain goes on.
    let (stdout, stderr) = run(
        drconsole(d).args(["--demo", "incident", "note", "after the crash"]),
        0,
    );
    assert!(stdout.contains("#3 note: after the crash"), "{stdout}");
    assert!(stderr.contains("set aside in"), "{stderr}");
    let side: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("journal.jsonl.torn-"))
        .collect();
    assert_eq!(side.len(), 1, "{side:?}");
    let kept = std::fs::read_to_string(dir.join(&side[0])).unwrap();
    assert!(
        kept.starts_with("{\"seq\":2,"),
        "the torn half is kept: {kept}"
    );
    let (stdout, _) = run(drconsole(d).args(["--demo", "journal", "verify"]), 0);
    assert!(stdout.contains("intact: 3 entries, last #3"), "{stdout}");
    assert!(!stdout.contains("note:"), "{stdout}");
}
