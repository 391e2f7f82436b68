//! The append-only journal: one JSON line per entry, each carrying the SHA-256 of the entry
//! before it and its own, plus a small head file with the last sequence number and hash. An
//! append is durable (file and head fsynced) before it returns, so whatever a caller reports
//! done is on disk. Appenders in several processes take turns through an exclusive file lock
//! and re-read the tail under it, so they all extend one chain.
//!
//! The line format makes the hash checkable from the bytes alone: a line is the JSON body
//! (every field but `hash`) with `,"hash":"<64 hex>"` spliced in before its closing brace,
//! and the hash is the SHA-256 of that body. No re-serialisation is needed to verify, so a
//! reader in any language can check the chain.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::record::Record;
use super::redact;
use crate::mode::Mode;

/// The journal in an incident directory (and the operations journal's directory).
pub const JOURNAL_FILE: &str = "journal.jsonl";
/// The last sequence number and hash, rewritten in place with each append.
pub const HEAD_FILE: &str = "head.json";
/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `,"hash":"` + 64 hex digits + `"}`: what follows the body of every line.
const HASH_SUFFIX_LEN: usize = 9 + 64 + 2;
/// The head file is rewritten in place at a fixed size, so a shorter record never leaves the
/// tail of a longer one behind.
const HEAD_LEN: usize = 160;

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub mode: Mode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub regions: Vec<String>,
    pub payload: Value,
    pub prev: String,
    pub hash: String,
}

impl Entry {
    /// The typed record, or `None` for a kind this version does not know (a newer
    /// drconsole wrote it): replay skips those rather than refusing the whole journal.
    pub fn record(&self) -> Option<Record> {
        Record::from_parts(&self.kind, self.payload.clone())
    }
}

/// Everything of an entry but its hash, in the order it is written.
#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    at: String,
    kind: &'a str,
    mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    regions: &'a [String],
    payload: &'a Value,
    prev: &'a str,
}

/// Who appends: stamped on every entry so an entry read alone says whether it was real.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub mode: Mode,
    pub account: Option<String>,
    pub regions: Vec<String>,
}

impl Origin {
    /// What a session's entries are stamped with: its mode, the account (once read) and
    /// the estate's regions, primary first.
    pub fn for_session(session: &crate::session::Session, account: Option<String>) -> Self {
        let regions = &session.estate.regions;
        Self::new(
            session.mode,
            account,
            vec![
                regions.primary.get_ref().clone(),
                regions.backup.get_ref().clone(),
            ],
        )
    }

    pub fn new(mode: Mode, account: Option<String>, regions: Vec<String>) -> Self {
        Self {
            mode,
            account,
            regions,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: no journal here", path.display())]
    NotFound { path: PathBuf },
    #[error("{}: {reason}; run `drconsole journal verify` before appending", path.display())]
    Broken { path: PathBuf, reason: String },
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
}

impl JournalError {
    fn io(path: &Path, source: io::Error) -> Self {
        if source.kind() == io::ErrorKind::NotFound {
            return JournalError::NotFound {
                path: path.to_owned(),
            };
        }
        JournalError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

pub type JournalResult<T> = Result<T, JournalError>;

/// What the journal did to itself on the way: a torn last line (the machine died mid-write)
/// moved to a side file. Reported to the user, and recorded as an entry of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TornTail {
    /// Bytes of the incomplete line, now in `side_file`.
    pub bytes: u64,
    pub side_file: PathBuf,
}

/// Where the chain ends: sequence number, hash and the journal's length in bytes there.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tail {
    len: u64,
    seq: u64,
    hash: String,
}

impl Tail {
    fn genesis() -> Self {
        Tail {
            len: 0,
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// The head file's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
    /// The first 16 hex digits of SHA-256 over `seq:hash`: a head rewritten only half-way
    /// by a crash can still be valid JSON, and this tells it from the real one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

impl Head {
    pub fn new(seq: u64, hash: &str) -> Head {
        Head {
            seq,
            hash: hash.to_owned(),
            check: Some(head_check(seq, hash)),
        }
    }
}

fn head_check(seq: u64, hash: &str) -> String {
    let digest = hex::encode(Sha256::digest(format!("{seq}:{hash}").as_bytes()));
    digest[..16].to_owned()
}

/// An open journal, ready to append. Several may be open on one file, in one process or
/// many: each append locks the file and starts from whatever its tail is then.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    path: PathBuf,
    file: File,
    head: File,
    origin: Origin,
    /// The tail as this handle last left it; trusted only while the file's length agrees.
    cached: Option<Tail>,
    /// Torn tails this handle set aside and has not yet reported.
    torn: Vec<TornTail>,
}

impl Journal {
    /// Creates the directory `dir` (which must not exist: two declarations cannot share
    /// one) with an empty journal and head, all fsynced, directory entries included.
    pub fn create(dir: &Path, origin: Origin) -> JournalResult<Journal> {
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent).map_err(|e| JournalError::io(parent, e))?;
        }
        fs::create_dir(dir).map_err(|e| JournalError::io(dir, e))?;
        if let Some(parent) = dir.parent() {
            sync_dir(parent)?;
        }
        Self::open_in(dir, origin, true)
    }

    /// Opens the journal in `dir`, creating it (and the directory) if there is none yet:
    /// for the standing operations journal.
    pub fn open_or_create(dir: &Path, origin: Origin) -> JournalResult<Journal> {
        if !dir.join(JOURNAL_FILE).exists() {
            fs::create_dir_all(dir).map_err(|e| JournalError::io(dir, e))?;
            if let Some(parent) = dir.parent() {
                sync_dir(parent)?;
            }
            return Self::open_in(dir, origin, true);
        }
        Self::open(dir, origin)
    }

    /// Opens an existing journal.
    pub fn open(dir: &Path, origin: Origin) -> JournalResult<Journal> {
        let path = dir.join(JOURNAL_FILE);
        if !path.is_file() {
            return Err(JournalError::NotFound { path });
        }
        Self::open_in(dir, origin, false)
    }

    fn open_in(dir: &Path, origin: Origin, create: bool) -> JournalResult<Journal> {
        let path = dir.join(JOURNAL_FILE);
        // Not O_APPEND: every write happens under the lock at the end it just measured, and
        // Windows refuses to cut a file opened for appending only (a torn tail is cut).
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(create)
            .open(&path)
            .map_err(|e| JournalError::io(&path, e))?;
        let head_path = dir.join(HEAD_FILE);
        let head = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&head_path)
            .map_err(|e| JournalError::io(&head_path, e))?;
        let mut journal = Journal {
            dir: dir.to_owned(),
            path,
            file,
            head,
            origin,
            cached: None,
            torn: Vec::new(),
        };
        if create {
            // Two processes may create the operations journal at once: only an empty one
            // gets the genesis head, under the lock, or the second would wind the head back.
            journal
                .file
                .lock()
                .map_err(|e| JournalError::io(&journal.path, e))?;
            let empty = journal.file.metadata().map(|m| m.len() == 0);
            let result = match empty {
                Ok(true) => journal.sync(&Tail::genesis()),
                Ok(false) => Ok(()),
                Err(e) => Err(JournalError::io(&journal.path, e)),
            };
            let _ = journal.file.unlock();
            result?;
            sync_dir(dir)?;
        }
        Ok(journal)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Changes what later entries are stamped with (the account, once it is known).
    pub fn set_origin(&mut self, origin: Origin) {
        self.origin = origin;
    }

    /// Torn tails set aside since the last call: say so to the user.
    pub fn take_torn(&mut self) -> Vec<TornTail> {
        std::mem::take(&mut self.torn)
    }

    /// Appends one record stamped now; returns the entry once it is durable.
    pub fn append(&mut self, record: &Record) -> JournalResult<Entry> {
        self.append_at(record, Utc::now())
    }

    /// Appends one record with the given time (tests and replays of a fixed clock).
    pub fn append_at(&mut self, record: &Record, at: DateTime<Utc>) -> JournalResult<Entry> {
        let mut entries = self.append_all(&[(record.clone(), at)])?;
        Ok(entries.pop().expect("one entry appended"))
    }

    /// Appends several records with one write and one fsync (group commit): all of them are
    /// durable when this returns, or none is reported.
    pub fn append_all(&mut self, records: &[(Record, DateTime<Utc>)]) -> JournalResult<Vec<Entry>> {
        self.file
            .lock()
            .map_err(|e| JournalError::io(&self.path, e))?;
        // Released however the append ends; a panic closes the file, which releases it too.
        let result = self.append_locked(records);
        let _ = self.file.unlock();
        result
    }

    fn append_locked(&mut self, records: &[(Record, DateTime<Utc>)]) -> JournalResult<Vec<Entry>> {
        let (mut tail, torn) = self.tail_locked()?;
        let mut records: Vec<(Record, DateTime<Utc>)> = records.to_vec();
        // A tail set aside while taking this lock is recorded first, in the same write.
        if let Some(torn) = torn {
            let at = records.first().map_or_else(Utc::now, |(_, at)| *at);
            let side_file = torn.side_file.file_name().map_or_else(
                || torn.side_file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let record = Record::TornTailSetAside {
                bytes: torn.bytes,
                side_file,
            };
            records.insert(0, (record, at));
            self.torn.push(torn);
        }
        let mut buf = Vec::with_capacity(512 * records.len());
        let mut entries = Vec::with_capacity(records.len());
        for (record, at) in &records {
            let (kind, payload) = record.to_parts();
            let payload = redact::value(payload);
            let seq = tail.seq + 1;
            let (line, hash) = encode(seq, *at, &kind, &payload, &self.origin, &tail.hash);
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
            entries.push(Entry {
                seq,
                at: *at,
                kind,
                mode: self.origin.mode,
                account: self.origin.account.clone(),
                regions: self.origin.regions.clone(),
                payload,
                prev: std::mem::replace(&mut tail.hash, hash.clone()),
                hash,
            });
            tail.seq = seq;
        }
        let before = tail.len;
        let written = self
            .file
            .seek(SeekFrom::Start(before))
            .and_then(|_| crate::fault_write_all!("journal.append", &mut self.file, &buf));
        if crate::fault_point!("journal.before_fsync").is_err() {
            // The machine dies and loses what the page cache held: nothing reached the disk.
            let _ = self.file.set_len(before);
            let _ = self.file.sync_all();
            std::process::abort();
        }
        // Not durable means not recorded: a write or fsync that failed (a full disk) is cut
        // back, still under the lock, so the caller's "not saved" is true and a retry does
        // not record the entry twice.
        if let Err(e) = written.and_then(|()| self.file.sync_data()) {
            let _ = self.file.set_len(before);
            return Err(JournalError::io(&self.path, e));
        }
        tail.len = before + buf.len() as u64;
        // The entries are durable from here: a head that cannot be written lags, which every
        // reader accepts, and must not turn a recorded entry into a reported failure.
        if let Err(e) = self.write_head(&tail) {
            tracing::warn!(error = %e, "journal head not updated; it lags until the next append");
        }
        self.cached = Some(tail);
        Ok(entries)
    }

    /// Fsyncs the journal, then writes and fsyncs the head.
    fn sync(&mut self, tail: &Tail) -> JournalResult<()> {
        self.file
            .sync_data()
            .map_err(|e| JournalError::io(&self.path, e))?;
        self.write_head(tail)
    }

    /// Rewrites the head in place and fsyncs it.
    fn write_head(&mut self, tail: &Tail) -> JournalResult<()> {
        let head = Head::new(tail.seq, &tail.hash);
        let mut text = serde_json::to_string(&head).expect("head serialises");
        while text.len() < HEAD_LEN - 1 {
            text.push(' ');
        }
        text.push('\n');
        let head_path = self.dir.join(HEAD_FILE);
        // The journal is durable, the head not yet: a crash here leaves the head one write
        // behind, which every reader must accept.
        crate::fault_point!("journal.before_head")
            .map_err(|e| JournalError::io(&head_path, e.into()))?;
        let write = |file: &mut File| -> io::Result<()> {
            file.seek(SeekFrom::Start(0))?;
            file.write_all(text.as_bytes())?;
            file.set_len(HEAD_LEN as u64)?;
            file.sync_data()
        };
        write(&mut self.head).map_err(|e| JournalError::io(&head_path, e))
    }

    /// Where the chain ends now. Called under the lock: another process may have appended,
    /// or the last write may have been torn by a crash (then the partial line is set aside).
    fn tail_locked(&mut self) -> JournalResult<(Tail, Option<TornTail>)> {
        let len = self
            .file
            .metadata()
            .map_err(|e| JournalError::io(&self.path, e))?
            .len();
        if let Some(cached) = self.cached.as_ref().filter(|t| t.len == len) {
            return Ok((cached.clone(), None));
        }
        self.cached = None;
        if len == 0 {
            let tail = Tail::genesis();
            self.check_head(&tail)?;
            return Ok((tail, None));
        }
        let (complete, torn_bytes) =
            last_newline(&mut self.file, len).map_err(|e| JournalError::io(&self.path, e))?;
        let torn = match torn_bytes {
            0 => None,
            _ => Some(self.set_aside(complete, len)?),
        };
        if complete == 0 {
            let tail = Tail::genesis();
            self.check_head(&tail)?;
            return Ok((tail, torn));
        }
        let line = read_last_line(&mut self.file, complete)
            .map_err(|e| JournalError::io(&self.path, e))?;
        let entry = check_line(&line).map_err(|reason| JournalError::Broken {
            path: self.path.clone(),
            reason: format!("its last entry is unreadable ({reason})"),
        })?;
        let tail = Tail {
            len: complete,
            seq: entry.seq,
            hash: entry.hash.clone(),
        };
        if let Some(head) = self.readable_head() {
            let at_head = match head.seq {
                seq if seq >= entry.seq => None,
                seq if seq + 1 == entry.seq => Some(entry.prev),
                seq => self.hash_of(seq, complete - line.len() as u64 - 1)?,
            };
            head_agrees(&head, tail.seq, &tail.hash, at_head.as_deref()).map_err(|reason| {
                JournalError::Broken {
                    path: self.path.clone(),
                    reason,
                }
            })?;
        }
        Ok((tail, torn))
    }

    /// Refuses to extend a chain whose last entries were removed or edited: appending would
    /// write a new head over the evidence.
    fn check_head(&self, tail: &Tail) -> JournalResult<()> {
        let Some(head) = self.readable_head() else {
            return Ok(());
        };
        let at_head = (head.seq == 0).then_some(GENESIS);
        head_agrees(&head, tail.seq, &tail.hash, at_head).map_err(|reason| JournalError::Broken {
            path: self.path.clone(),
            reason,
        })
    }

    /// The head to check the tail against. A head that is missing or unreadable is
    /// rewritten by this append: recording must not stop over it during an incident.
    /// `verify` reports it.
    fn readable_head(&self) -> Option<Head> {
        match read_head(&self.dir.join(HEAD_FILE)) {
            Ok(head) => head,
            Err(e) => {
                tracing::warn!(error = %e, "unreadable journal head; it is rewritten");
                None
            }
        }
    }

    /// The hash of entry `seq`, read backwards from the line that ends just before `end`:
    /// where a head that lags a whole batch must find its own hash in the chain. `None` when
    /// the entries there do not count down to `seq`.
    fn hash_of(&mut self, seq: u64, mut end: u64) -> JournalResult<Option<String>> {
        if seq == 0 {
            return Ok(Some(GENESIS.to_owned()));
        }
        while end > 0 {
            let line =
                read_last_line(&mut self.file, end).map_err(|e| JournalError::io(&self.path, e))?;
            let Ok(entry) = check_line(&line) else {
                return Ok(None);
            };
            if entry.seq <= seq {
                return Ok((entry.seq == seq).then_some(entry.hash));
            }
            end -= line.len() as u64 + 1;
        }
        Ok(None)
    }

    /// Moves the bytes after the last complete line into a side file (fsynced), then cuts
    /// them from the journal.
    fn set_aside(&mut self, complete: u64, len: u64) -> JournalResult<TornTail> {
        let mut bytes = Vec::with_capacity((len - complete) as usize);
        let read = |file: &mut File, bytes: &mut Vec<u8>| -> io::Result<()> {
            file.seek(SeekFrom::Start(complete))?;
            file.take(len - complete).read_to_end(bytes)?;
            Ok(())
        };
        read(&mut self.file, &mut bytes).map_err(|e| JournalError::io(&self.path, e))?;
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.9fZ");
        let side = self.dir.join(format!("{JOURNAL_FILE}.torn-{stamp}"));
        let write = || -> io::Result<()> {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&side)?;
            file.write_all(&bytes)?;
            file.sync_all()
        };
        write().map_err(|e| JournalError::io(&side, e))?;
        sync_dir(&self.dir)?;
        self.file
            .set_len(complete)
            .and_then(|()| self.file.sync_all())
            .map_err(|e| JournalError::io(&self.path, e))?;
        tracing::warn!(
            journal = %self.path.display(),
            bytes = bytes.len(),
            side = %side.display(),
            "torn last line set aside"
        );
        Ok(TornTail {
            bytes: bytes.len() as u64,
            side_file: side,
        })
    }
}

/// The JSON line of an entry and its hash.
fn encode(
    seq: u64,
    at: DateTime<Utc>,
    kind: &str,
    payload: &Value,
    origin: &Origin,
    prev: &str,
) -> (String, String) {
    let body = Body {
        seq,
        at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        kind,
        mode: origin.mode,
        account: origin.account.as_deref(),
        regions: &origin.regions,
        payload,
        prev,
    };
    let mut line = serde_json::to_string(&body).expect("an entry serialises");
    let hash = hex::encode(Sha256::digest(line.as_bytes()));
    line.pop();
    line.push_str(",\"hash\":\"");
    line.push_str(&hash);
    line.push_str("\"}");
    (line, hash)
}

/// Checks one line's own hash and parses it. The error says what is wrong in a few words.
pub(crate) fn check_line(line: &[u8]) -> Result<Entry, String> {
    let text = std::str::from_utf8(line).map_err(|_| "not UTF-8".to_owned())?;
    let text = text.strip_suffix('\r').unwrap_or(text);
    let entry: Entry =
        serde_json::from_str(text).map_err(|e| format!("not a journal entry: {e}"))?;
    let cut = text.len().checked_sub(HASH_SUFFIX_LEN);
    let stored = cut.and_then(|cut| text.get(cut..));
    let expected_suffix = format!(",\"hash\":\"{}\"}}", entry.hash);
    let Some(cut) = cut.filter(|_| stored == Some(expected_suffix.as_str())) else {
        return Err("its hash is not where the format puts it".to_owned());
    };
    let mut body = String::with_capacity(cut + 1);
    body.push_str(&text[..cut]);
    body.push('}');
    let actual = hex::encode(Sha256::digest(body.as_bytes()));
    if actual != entry.hash {
        return Err("its content does not match its hash (edited or damaged)".to_owned());
    }
    Ok(entry)
}

/// Where the last complete line ends (just past its newline) and how many bytes follow it.
fn last_newline(file: &mut File, len: u64) -> io::Result<(u64, u64)> {
    let mut end = len;
    let mut buf = vec![0u8; 8192];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|b| *b == b'\n') {
            let complete = start + i as u64 + 1;
            return Ok((complete, len - complete));
        }
        end = start;
    }
    Ok((0, len))
}

/// Bytes after the last complete line of the journal in `dir`: a write the machine did not
/// finish. Reads only the end of the file, so resuming a long incident does not read it all
/// again to find out.
pub fn torn_bytes(dir: &Path) -> JournalResult<u64> {
    let (_, path) = locate(dir)?;
    let mut file = File::open(&path).map_err(|e| JournalError::io(&path, e))?;
    let len = file
        .metadata()
        .map_err(|e| JournalError::io(&path, e))?
        .len();
    let (_, torn) = last_newline(&mut file, len).map_err(|e| JournalError::io(&path, e))?;
    Ok(torn)
}

/// The last line before `end` (which is just past a newline), without its newline.
fn read_last_line(file: &mut File, end: u64) -> io::Result<Vec<u8>> {
    let stop = end - 1;
    let (start, _) = last_newline(file, stop)?;
    let mut line = vec![0u8; (stop - start) as usize];
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(&mut line)?;
    Ok(line)
}

/// The head file's record; `None` when there is none or it is empty (a journal older than
/// its head, or a crash before the first head write).
pub fn read_head(path: &Path) -> JournalResult<Option<Head>> {
    match fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => Ok(None),
        Ok(text) => {
            let head: Head =
                serde_json::from_str(text.trim()).map_err(|e| JournalError::Invalid {
                    path: path.to_owned(),
                    reason: format!("not a head record: {e}"),
                })?;
            match &head.check {
                Some(check) if *check != head_check(head.seq, &head.hash) => {
                    Err(JournalError::Invalid {
                        path: path.to_owned(),
                        reason: "its check does not match: half rewritten, or edited".to_owned(),
                    })
                }
                _ => Ok(Some(head)),
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(JournalError::io(path, e)),
    }
}

/// The head may lag the journal by one write (the machine died between the journal's fsync
/// and the head's), which with group commit is a whole batch: then `at_head`, the journal's
/// own hash of the head's entry, must be the head's. Anything else means entries were
/// removed or edited.
fn head_agrees(head: &Head, seq: u64, hash: &str, at_head: Option<&str>) -> Result<(), String> {
    if head.seq == seq && head.hash == hash {
        return Ok(());
    }
    if head.seq < seq && at_head == Some(head.hash.as_str()) {
        return Ok(());
    }
    if head.seq > seq {
        return Err(format!(
            "the head file records entry {} but the journal ends at entry {seq}: the last entries are missing",
            head.seq
        ));
    }
    if head.seq == seq {
        return Err(format!(
            "entry {seq}, the last, does not have the hash the head file records: it was edited or replaced"
        ));
    }
    Err(format!(
        "the head file records entry {} with a hash the journal's entry {} does not have \
         (the journal goes on to entry {seq}): entries were edited or replaced",
        head.seq, head.seq
    ))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> JournalResult<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| JournalError::io(dir, e))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> JournalResult<()> {
    // Windows cannot open a directory to flush it; NTFS journals its metadata.
    Ok(())
}

mod read;
mod verify;

pub use read::{Follower, Reader};
pub use verify::{Break, Verification, locate, verify};

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
