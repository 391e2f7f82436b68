//! Reading a journal others may be appending to: every entry in order (`Reader`), or only
//! the ones added since the last look (`Follower`).

use super::*;

/// Reads every complete entry in order, each checked against its own hash. The chain itself
/// is `verify`'s job; a reader stops at the first line it cannot read and says where.
pub struct Reader {
    path: PathBuf,
    reader: BufReader<File>,
    line: Vec<u8>,
    number: u64,
    /// Bytes after the last complete line.
    pub torn_bytes: u64,
}

impl Reader {
    pub fn open(path: &Path) -> JournalResult<Reader> {
        let (_, file_path) = locate(path)?;
        let file = File::open(&file_path).map_err(|e| JournalError::io(&file_path, e))?;
        Ok(Reader {
            path: file_path,
            reader: BufReader::with_capacity(1 << 16, file),
            line: Vec::with_capacity(1024),
            number: 0,
            torn_bytes: 0,
        })
    }
}

impl Iterator for Reader {
    type Item = JournalResult<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        self.line.clear();
        match self.reader.read_until(b'\n', &mut self.line) {
            Ok(0) => None,
            Err(e) => Some(Err(JournalError::io(&self.path, e))),
            Ok(_) if self.line.last() != Some(&b'\n') => {
                self.torn_bytes = self.line.len() as u64;
                None
            }
            Ok(_) => {
                self.number += 1;
                self.line.pop();
                Some(
                    check_line(&self.line).map_err(|reason| JournalError::Invalid {
                        path: self.path.clone(),
                        reason: format!("line {}: {reason}", self.number),
                    }),
                )
            }
        }
    }
}

/// Follows a journal others append to: each `poll` returns the complete entries added since
/// the last, in order. The console polls it every half second.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
    last_seq: u64,
}

impl Follower {
    /// Starts at the beginning of the journal in `dir`.
    pub fn new(dir: &Path) -> Self {
        Follower {
            path: dir.join(JOURNAL_FILE),
            offset: 0,
            partial: Vec::new(),
            last_seq: 0,
        }
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// New complete entries since the last poll. A line that fails its own hash is an error
    /// (the console flashes it); a line still being written waits for the next poll.
    pub fn poll(&mut self) -> JournalResult<Vec<Entry>> {
        let mut file = File::open(&self.path).map_err(|e| JournalError::io(&self.path, e))?;
        let len = file
            .metadata()
            .map_err(|e| JournalError::io(&self.path, e))?
            .len();
        let consumed = self.offset + self.partial.len() as u64;
        if len < consumed {
            // A torn tail was cut away: drop the partial line we held from it.
            self.partial.clear();
            if len < self.offset {
                self.offset = 0;
                self.last_seq = 0;
            }
        }
        let consumed = self.offset + self.partial.len() as u64;
        if len == consumed {
            return Ok(Vec::new());
        }
        file.seek(SeekFrom::Start(consumed))
            .and_then(|_| file.take(len - consumed).read_to_end(&mut self.partial))
            .map_err(|e| JournalError::io(&self.path, e))?;
        let mut entries = Vec::new();
        let mut start = 0;
        while let Some(i) = self.partial[start..].iter().position(|b| *b == b'\n') {
            let line = &self.partial[start..start + i];
            start += i + 1;
            let entry = check_line(line).map_err(|reason| JournalError::Invalid {
                path: self.path.clone(),
                reason,
            })?;
            if entry.seq > self.last_seq {
                self.last_seq = entry.seq;
                entries.push(entry);
            }
        }
        self.offset += start as u64;
        self.partial.drain(..start);
        Ok(entries)
    }
}
