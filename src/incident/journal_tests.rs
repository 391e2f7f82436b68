use super::*;
use chrono::TimeZone;

fn origin() -> Origin {
    Origin::new(
        Mode::Simulation,
        Some("123456789012".into()),
        vec!["us-east-1".into(), "us-west-2".into()],
    )
}

fn note(text: &str) -> Record {
    Record::Note {
        text: text.into(),
        author: None,
    }
}

fn at(s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 41, s).unwrap()
}

/// A journal of `n` notes in a fresh directory.
fn journal_of(n: u32) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("INC-1");
    let mut journal = Journal::create(&dir, origin()).unwrap();
    for i in 1..=n {
        journal
            .append_at(&note(&format!("note {i}")), at(i))
            .unwrap();
    }
    (root, dir)
}

fn lines(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join(JOURNAL_FILE))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(dir: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(dir.join(JOURNAL_FILE), text).unwrap();
}

#[test]
fn entries_chain_and_the_head_follows_the_last() {
    let (_root, dir) = journal_of(3);
    let entries: Vec<Entry> = Reader::open(&dir).unwrap().map(Result::unwrap).collect();
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(entries[0].prev, GENESIS);
    assert_eq!(entries[1].prev, entries[0].hash);
    assert_eq!(entries[2].mode, Mode::Simulation);
    assert_eq!(entries[2].account.as_deref(), Some("123456789012"));
    assert_eq!(entries[2].regions, ["us-east-1", "us-west-2"]);
    let head = read_head(&dir.join(HEAD_FILE)).unwrap().unwrap();
    assert_eq!(
        (head.seq, head.hash.as_str()),
        (3, entries[2].hash.as_str())
    );
    let v = verify(&dir).unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!((v.entries, v.last_seq, v.head_lags), (3, 3, false));
}

#[test]
fn the_hash_is_checkable_from_the_line_alone() {
    let (_root, dir) = journal_of(1);
    let line = &lines(&dir)[0];
    let (body, hash) = line.split_once(",\"hash\":\"").unwrap();
    let body = format!("{body}}}");
    assert_eq!(
        hex::encode(Sha256::digest(body.as_bytes())),
        hash.trim_end_matches("\"}")
    );
}

#[test]
fn a_flipped_byte_is_named_by_its_entry() {
    let (_root, dir) = journal_of(5);
    let mut all = lines(&dir);
    all[2] = all[2].replace("note 3", "note X");
    write_lines(&dir, &all);
    let broken = verify(&dir).unwrap().broken.unwrap();
    assert_eq!((broken.line, broken.seq), (3, 3), "{broken:?}");
    assert!(broken.reason.contains("hash"), "{broken:?}");
}

#[test]
fn a_deleted_line_is_named_by_the_entry_after_the_gap() {
    let (_root, dir) = journal_of(5);
    let mut all = lines(&dir);
    all.remove(1);
    write_lines(&dir, &all);
    let broken = verify(&dir).unwrap().broken.unwrap();
    assert_eq!(broken.seq, 3, "{broken:?}");
    assert!(broken.reason.contains("entry 2 is missing"), "{broken:?}");
}

#[test]
fn swapped_lines_are_caught() {
    let (_root, dir) = journal_of(5);
    let mut all = lines(&dir);
    all.swap(1, 3);
    write_lines(&dir, &all);
    let broken = verify(&dir).unwrap().broken.unwrap();
    assert_eq!((broken.line, broken.seq), (2, 4), "{broken:?}");
}

#[test]
fn a_deleted_last_line_is_caught_by_the_head_and_appending_refuses() {
    let (_root, dir) = journal_of(5);
    let mut all = lines(&dir);
    all.pop();
    write_lines(&dir, &all);
    let v = verify(&dir).unwrap();
    let broken = v.broken.unwrap();
    assert_eq!(broken.seq, 5, "{broken:?}");
    assert!(broken.reason.contains("missing"), "{broken:?}");
    let err = Journal::open(&dir, origin())
        .unwrap()
        .append(&note("after"))
        .unwrap_err();
    assert!(matches!(err, JournalError::Broken { .. }), "{err}");
    assert!(err.to_string().contains("journal verify"), "{err}");
}

#[test]
fn a_last_line_rewritten_with_a_fresh_hash_is_caught_by_the_head() {
    let (_root, dir) = journal_of(3);
    let mut all = lines(&dir);
    let entries: Vec<Entry> = Reader::open(&dir).unwrap().map(Result::unwrap).collect();
    let (forged, _) = encode(
        3,
        at(3),
        "note",
        &serde_json::json!({"text": "forged"}),
        &origin(),
        &entries[1].hash,
    );
    all[2] = forged;
    write_lines(&dir, &all);
    let broken = verify(&dir).unwrap().broken.unwrap();
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("edited or replaced"), "{broken:?}");
}

#[test]
fn a_head_one_behind_is_a_crash_between_two_fsyncs_not_a_break() {
    let (_root, dir) = journal_of(3);
    let entries: Vec<Entry> = Reader::open(&dir).unwrap().map(Result::unwrap).collect();
    let head = serde_json::to_string(&Head::new(2, &entries[1].hash)).unwrap();
    fs::write(dir.join(HEAD_FILE), head).unwrap();
    let v = verify(&dir).unwrap();
    assert!(v.intact() && v.head_lags, "{v:?}");
    let mut journal = Journal::open(&dir, origin()).unwrap();
    assert_eq!(journal.append(&note("on")).unwrap().seq, 4);
    assert!(!verify(&dir).unwrap().head_lags);
}

#[test]
fn a_torn_tail_is_set_aside_recorded_and_the_chain_goes_on() {
    let (_root, dir) = journal_of(2);
    let path = dir.join(JOURNAL_FILE);
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(b"{\"seq\":3,\"at\":\"2026-").unwrap();
    drop(file);
    let v = verify(&dir).unwrap();
    assert!(v.intact(), "a torn tail is not tampering: {v:?}");
    assert_eq!(v.torn_bytes, 20);

    let mut journal = Journal::open(&dir, origin()).unwrap();
    let entry = journal.append_at(&note("after the crash"), at(9)).unwrap();
    assert_eq!(entry.seq, 4, "the repair is entry 3");
    let torn = journal.take_torn();
    assert_eq!(torn.len(), 1);
    assert_eq!(torn[0].bytes, 20);
    assert_eq!(
        fs::read(&torn[0].side_file).unwrap(),
        b"{\"seq\":3,\"at\":\"2026-"
    );
    let entries: Vec<Entry> = Reader::open(&dir).unwrap().map(Result::unwrap).collect();
    assert_eq!(entries[2].kind, "torn_tail_set_aside");
    assert!(verify(&dir).unwrap().intact());
}

#[test]
fn two_handles_on_one_journal_extend_one_chain() {
    let (_root, dir) = journal_of(1);
    let mut a = Journal::open(&dir, origin()).unwrap();
    let mut b = Journal::open(&dir, origin()).unwrap();
    for i in 0..10 {
        let (x, y) = if i % 2 == 0 {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        x.append(&note("x")).unwrap();
        y.append(&note("y")).unwrap();
    }
    let v = verify(&dir).unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!(v.last_seq, 21);
}

#[test]
fn threads_appending_at_once_leave_one_verified_chain() {
    let (_root, dir) = journal_of(0);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut j = Journal::open(&dir, origin()).unwrap();
                for i in 0..50 {
                    j.append(&note(&format!("{t}-{i}"))).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let v = verify(&dir).unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!(v.entries, 200);
}

#[test]
fn a_batch_is_one_write_and_keeps_its_order() {
    let (_root, dir) = journal_of(1);
    let mut j = Journal::open(&dir, origin()).unwrap();
    let batch: Vec<(Record, DateTime<Utc>)> =
        (0..5).map(|i| (note(&i.to_string()), at(i))).collect();
    let entries = j.append_all(&batch).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6]
    );
    assert!(verify(&dir).unwrap().intact());
}

#[test]
fn secrets_never_reach_the_file() {
    let (_root, dir) = journal_of(0);
    let mut j = Journal::open(&dir, origin()).unwrap();
    j.append(&note(
        "webhook is https://hooks.slack.com/services/T0/B0/secret123",
    ))
    .unwrap();
    j.append(&Record::RequestSent {
        step: None,
        service: "dynamodb".into(),
        operation: "RestoreTableFromBackup".into(),
        target: "flightdata-main".into(),
        region: None,
        request: serde_json::json!({"SessionToken": "FwoG", "TableName": "flightdata-main"}),
    })
    .unwrap();
    let text = fs::read_to_string(dir.join(JOURNAL_FILE)).unwrap();
    assert!(
        !text.contains("secret123") && !text.contains("FwoG"),
        "{text}"
    );
    assert!(text.contains("flightdata-main"));
    assert!(verify(&dir).unwrap().intact());
}

#[test]
fn a_follower_sees_what_others_append_and_waits_for_half_lines() {
    let (_root, dir) = journal_of(2);
    let mut follower = Follower::new(&dir);
    assert_eq!(follower.poll().unwrap().len(), 2);
    assert!(follower.poll().unwrap().is_empty());
    let mut other = Journal::open(&dir, origin()).unwrap();
    other.append(&note("from another process")).unwrap();
    let new = follower.poll().unwrap();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].seq, 3);
    let mut file = OpenOptions::new()
        .append(true)
        .open(dir.join(JOURNAL_FILE))
        .unwrap();
    file.write_all(b"{\"seq\":4,").unwrap();
    assert!(follower.poll().unwrap().is_empty());
    // The torn tail is cut away by the next append; the follower drops its half line.
    other.append(&note("after")).unwrap();
    let new = follower.poll().unwrap();
    assert_eq!(new.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
}

#[test]
fn a_journal_that_is_not_json_says_where() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    fs::write(dir.join(JOURNAL_FILE), "hello\n").unwrap();
    let broken = verify(dir).unwrap().broken.unwrap();
    assert_eq!((broken.line, broken.seq), (1, 1));
    assert!(broken.reason.contains("not a journal entry"), "{broken:?}");
    let err = Reader::open(dir).unwrap().next().unwrap().unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
    let missing = verify(&dir.join("nope")).unwrap_err();
    assert!(
        matches!(missing, JournalError::NotFound { .. }),
        "{missing}"
    );
}

#[test]
fn a_missing_head_is_reported_but_never_stops_recording() {
    let (_root, dir) = journal_of(2);
    fs::remove_file(dir.join(HEAD_FILE)).unwrap();
    let broken = verify(&dir).unwrap().broken.unwrap();
    assert!(broken.reason.contains("head file is missing"), "{broken:?}");
    fs::write(dir.join(HEAD_FILE), "{\"seq\":2,\"ha").unwrap();
    let broken = verify(&dir).unwrap().broken.unwrap();
    assert!(broken.reason.contains("unreadable"), "{broken:?}");
    let mut journal = Journal::open(&dir, origin()).unwrap();
    assert_eq!(journal.append(&note("still recording")).unwrap().seq, 3);
    assert!(verify(&dir).unwrap().intact());
}

#[test]
fn opening_the_operations_journal_twice_never_winds_its_head_back() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("journal");
    let mut first = Journal::open_or_create(&dir, origin()).unwrap();
    first.append(&note("one")).unwrap();
    first.append(&note("two")).unwrap();
    // As a second process that saw no journal a moment ago would.
    let _second = Journal::open_in(&dir, origin(), true).unwrap();
    assert!(verify(&dir).unwrap().intact());
}

fn write_head(dir: &Path, seq: u64, hash: &str) {
    let head = serde_json::to_string(&Head::new(seq, hash)).unwrap();
    fs::write(dir.join(HEAD_FILE), head).unwrap();
}

/// A group commit writes several entries before one head: a crash between the two fsyncs
/// leaves the head a whole batch behind, which must not make the journal refuse appends.
#[test]
fn a_head_a_whole_batch_behind_is_a_crash_between_two_fsyncs_not_a_break() {
    let (_root, dir) = journal_of(5);
    let entries: Vec<Entry> = Reader::open(&dir).unwrap().map(Result::unwrap).collect();
    write_head(&dir, 2, &entries[1].hash);
    let v = verify(&dir).unwrap();
    assert!(v.intact() && v.head_lags, "{v:?}");
    let mut journal = Journal::open(&dir, origin()).unwrap();
    assert_eq!(journal.append(&note("on")).unwrap().seq, 6);
    assert!(verify(&dir).unwrap().intact());

    write_head(&dir, 0, GENESIS);
    let v = verify(&dir).unwrap();
    assert!(v.intact() && v.head_lags, "{v:?}");
    let mut journal = Journal::open(&dir, origin()).unwrap();
    assert_eq!(journal.append(&note("on")).unwrap().seq, 7);
}

#[test]
fn a_lagging_head_whose_hash_is_not_in_the_chain_is_a_break() {
    let (_root, dir) = journal_of(5);
    let entries: Vec<Entry> = Reader::open(&dir).unwrap().map(Result::unwrap).collect();
    for seq in [2, 4] {
        write_head(&dir, seq, &entries[0].hash);
        let broken = verify(&dir).unwrap().broken.unwrap();
        assert!(broken.reason.contains("edited or replaced"), "{broken:?}");
        let err = Journal::open(&dir, origin())
            .unwrap()
            .append(&note("after"))
            .unwrap_err();
        assert!(matches!(err, JournalError::Broken { .. }), "{err}");
    }
}

#[test]
fn a_follower_keeps_going_when_a_torn_tail_is_cut_and_overwritten() {
    let (_root, dir) = journal_of(2);
    let mut follower = Follower::new(&dir);
    assert_eq!(follower.poll().unwrap().len(), 2);
    // A crashed appender left half a line, and the follower saw it.
    let mut f = OpenOptions::new()
        .append(true)
        .open(dir.join(JOURNAL_FILE))
        .unwrap();
    f.write_all(b"{\"seq\":3,\"at\":\"2026-11-26T09:41:05.000Z\",\"kind\":\"note\",\"mo")
        .unwrap();
    drop(f);
    assert!(follower.poll().unwrap().is_empty());
    // The next append cuts it away and writes longer lines over where it was.
    let mut journal = Journal::open(&dir, origin()).unwrap();
    journal.append_at(&note("after the crash"), at(9)).unwrap();
    let seqs = |v: Vec<Entry>| v.iter().map(|e| e.seq).collect::<Vec<_>>();
    assert_eq!(seqs(follower.poll().unwrap()), [3, 4]);
    journal.append_at(&note("later"), at(10)).unwrap();
    assert_eq!(seqs(follower.poll().unwrap()), [5]);
}

#[test]
fn a_follower_hands_over_what_it_read_before_a_damaged_line() {
    let (_root, dir) = journal_of(3);
    let mut all = lines(&dir);
    all[2] = all[2].replace("note 3", "note X");
    write_lines(&dir, &all);
    let mut follower = Follower::new(&dir);
    assert_eq!(follower.poll().unwrap().len(), 2);
    let err = follower.poll().unwrap_err();
    assert!(err.to_string().contains("hash"), "{err}");
}

#[test]
fn a_head_half_rewritten_by_a_crash_never_stops_recording() {
    let (_root, dir) = journal_of(11);
    let old = fs::read(dir.join(HEAD_FILE)).unwrap();
    let mut j = Journal::open(&dir, origin()).unwrap();
    j.append_at(&note("12"), at(12)).unwrap();
    let new = fs::read(dir.join(HEAD_FILE)).unwrap();
    // The machine dies while the head is rewritten: its first 50 bytes are new, the rest old.
    let mut torn = new[..50].to_vec();
    torn.extend_from_slice(&old[50..]);
    fs::write(dir.join(HEAD_FILE), &torn).unwrap();
    let broken = verify(&dir).unwrap().broken.unwrap();
    assert!(broken.reason.contains("unreadable"), "{broken:?}");
    let mut j = Journal::open(&dir, origin()).unwrap();
    assert_eq!(j.append_at(&note("13"), at(13)).unwrap().seq, 13);
    assert!(verify(&dir).unwrap().intact());
}

#[test]
fn the_torn_bytes_are_found_from_the_end_alone() {
    let (_root, dir) = journal_of(3);
    assert_eq!(torn_bytes(&dir).unwrap(), 0);
    let mut f = OpenOptions::new()
        .append(true)
        .open(dir.join(JOURNAL_FILE))
        .unwrap();
    f.write_all(b"{\"seq\":4,").unwrap();
    assert_eq!(torn_bytes(&dir).unwrap(), verify(&dir).unwrap().torn_bytes);
    assert_eq!(torn_bytes(&dir).unwrap(), 9);
}
