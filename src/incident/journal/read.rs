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
    /// Just past the last complete line returned. Nothing after it is kept between polls:
    /// a torn line there may be cut away and overwritten by the next append.
    offset: u64,
    last_seq: u64,
}

impl Follower {
    /// Starts at the beginning of the journal in `dir`.
    pub fn new(dir: &Path) -> Self {
        Follower {
            path: dir.join(JOURNAL_FILE),
            offset: 0,
            last_seq: 0,
        }
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// New complete entries since the last poll, in order. A line still being written waits
    /// for the next poll. A line that fails its own hash stops the poll there: the entries
    /// before it are returned, and the next poll (with nothing before it) reports it.
    pub fn poll(&mut self) -> JournalResult<Vec<Entry>> {
        let mut file = File::open(&self.path).map_err(|e| JournalError::io(&self.path, e))?;
        let len = file
            .metadata()
            .map_err(|e| JournalError::io(&self.path, e))?
            .len();
        if len < self.offset {
            // Not something the journal does (it only cuts after its last complete line):
            // the file was replaced. Start over; entries already seen are skipped by seq.
            self.offset = 0;
        }
        if len == self.offset {
            return Ok(Vec::new());
        }
        let mut bytes = Vec::with_capacity((len - self.offset) as usize);
        file.seek(SeekFrom::Start(self.offset))
            .and_then(|_| file.take(len - self.offset).read_to_end(&mut bytes))
            .map_err(|e| JournalError::io(&self.path, e))?;
        let mut entries = Vec::new();
        let mut start = 0;
        while let Some(i) = bytes[start..].iter().position(|b| *b == b'\n') {
            let line = &bytes[start..start + i];
            let entry = match check_line(line) {
                Ok(entry) => entry,
                Err(_) if !entries.is_empty() => break,
                Err(reason) => {
                    return Err(JournalError::Invalid {
                        path: self.path.clone(),
                        reason,
                    });
                }
            };
            start += i + 1;
            self.offset += (i + 1) as u64;
            if entry.seq > self.last_seq {
                self.last_seq = entry.seq;
                entries.push(entry);
            }
        }
        Ok(entries)
    }
}
