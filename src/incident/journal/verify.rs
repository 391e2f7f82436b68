//! Checking a whole journal: every line against its own hash, the chain from entry to
//! entry, and the head file against the end of the chain, streaming.

use super::*;

/// What `journal verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub path: PathBuf,
    /// Entries that verified, in order, before the first break (all of them when intact).
    pub entries: u64,
    pub last_seq: u64,
    pub last_hash: String,
    /// The first place the chain breaks, if it does.
    pub broken: Option<Break>,
    /// Bytes after the last complete line: a write the machine did not finish.
    pub torn_bytes: u64,
    /// The head lags by one write (an entry, or a group commit's batch): the machine died
    /// between the journal's fsync and the head's. Not a break; the next append rewrites
    /// the head.
    pub head_lags: bool,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// Where and why a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// 1-based line of the journal file.
    pub line: u64,
    /// The sequence number of the entry that breaks, when it could be read; else the one
    /// expected there.
    pub seq: u64,
    pub reason: String,
}

/// Checks the whole chain of the journal in `dir` (or the journal file itself) and its head,
/// streaming: memory stays flat however long the journal.
pub fn verify(path: &Path) -> JournalResult<Verification> {
    let (dir, file_path) = locate(path)?;
    let file = File::open(&file_path).map_err(|e| JournalError::io(&file_path, e))?;
    // Shared: appenders wait until the journal and its head have been read as one state,
    // or a head written meanwhile would look like a removed entry.
    file.lock_shared()
        .map_err(|e| JournalError::io(&file_path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut result = Verification {
        path: file_path.clone(),
        entries: 0,
        last_seq: 0,
        last_hash: GENESIS.to_owned(),
        broken: None,
        torn_bytes: 0,
        head_lags: false,
    };
    // Read first (the lock makes it one state with the journal) so that the stream can keep
    // the chain's own hash at the head's entry: a head a whole batch behind must match it.
    let head_read = read_head(&dir.join(HEAD_FILE));
    let head_seq = head_read
        .as_ref()
        .ok()
        .and_then(|h| h.as_ref())
        .map(|h| h.seq);
    let mut at_head = (head_seq == Some(0)).then(|| GENESIS.to_owned());
    let mut line = Vec::with_capacity(1024);
    let mut number = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| JournalError::io(&file_path, e))?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.last() != Some(&b'\n') {
            result.torn_bytes = line.len() as u64;
            break;
        }
        line.pop();
        let expected = result.last_seq + 1;
        let fail = |reason: String, seq: u64| Break {
            line: number,
            seq,
            reason,
        };
        match check_line(&line) {
            Err(reason) => {
                result.broken = Some(fail(reason, expected));
                return Ok(result);
            }
            Ok(entry) if entry.seq != expected => {
                let reason = if entry.seq < expected {
                    format!(
                        "entry {} comes after entry {}: out of order or repeated",
                        entry.seq, result.last_seq
                    )
                } else if entry.seq == expected + 1 {
                    format!(
                        "entry {} follows entry {}: entry {expected} is missing or out of place",
                        entry.seq, result.last_seq
                    )
                } else {
                    format!(
                        "entry {} follows entry {}: entries {expected} to {} are missing or out of place",
                        entry.seq,
                        result.last_seq,
                        entry.seq - 1
                    )
                };
                result.broken = Some(fail(reason, entry.seq));
                return Ok(result);
            }
            Ok(entry) if entry.prev != result.last_hash => {
                result.broken = Some(fail(
                    format!(
                        "entry {} does not chain to the entry before it (an entry was removed, replaced or reordered)",
                        entry.seq
                    ),
                    entry.seq,
                ));
                return Ok(result);
            }
            Ok(entry) => {
                if head_seq == Some(entry.seq) {
                    at_head = Some(entry.hash.clone());
                }
                result.entries += 1;
                result.last_seq = entry.seq;
                result.last_hash = entry.hash;
            }
        }
    }
    let last_line = number - u64::from(result.torn_bytes > 0);
    let head = match head_read {
        Ok(Some(head)) => Ok(head),
        Ok(None) if result.entries == 0 => return Ok(result),
        Ok(None) => {
            Err("the head file is missing, so a removed last entry cannot be ruled out".to_owned())
        }
        Err(e) => Err(format!("the head file is unreadable ({e})")),
    };
    let checked = head.and_then(|head| {
        head_agrees(
            &head,
            result.last_seq,
            &result.last_hash,
            at_head.as_deref(),
        )?;
        Ok(head)
    });
    match checked {
        Ok(head) => result.head_lags = head.seq < result.last_seq,
        Err(reason) => {
            let seq = head_seq.map_or(result.last_seq, |h| h.max(result.last_seq));
            result.broken = Some(Break {
                line: last_line,
                seq,
                reason,
            });
        }
    }
    Ok(result)
}

/// The directory and journal file for a path naming either.
pub fn locate(path: &Path) -> JournalResult<(PathBuf, PathBuf)> {
    if path.is_dir() {
        let file = path.join(JOURNAL_FILE);
        if !file.is_file() {
            return Err(JournalError::NotFound { path: file });
        }
        return Ok((path.to_owned(), file));
    }
    if path.is_file() {
        let dir = path.parent().unwrap_or(Path::new(".")).to_owned();
        return Ok((dir, path.to_owned()));
    }
    Err(JournalError::NotFound {
        path: path.to_owned(),
    })
}
