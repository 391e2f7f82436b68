//! Group commit: one thread owns a [`Journal`] and appends whatever many submitters queued
//! meanwhile with one write and one fsync, then answers each with its entry. When the
//! console, a runbook run and the comms all record at once they share an fsync instead of
//! queueing for the lock one after another.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};

use super::journal::{Entry, Journal, JournalError, JournalResult, Origin, TornTail};
use super::record::Record;

/// The most records one write carries: a flood of submitters still gets answers in steps
/// small enough that the first of them is not kept waiting for the last.
const MAX_BATCH: usize = 512;

/// A handle on the writer thread; clone it freely. The thread ends once the last handle is
/// dropped, after appending everything already queued.
#[derive(Clone)]
pub struct JournalWriter {
    inner: Arc<Inner>,
}

struct Inner {
    tx: Option<mpsc::Sender<Message>>,
    thread: Option<JoinHandle<()>>,
    path: PathBuf,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    submitted: AtomicU64,
    batches: AtomicU64,
    entries: AtomicU64,
    torn: Mutex<Vec<TornTail>>,
}

/// How many records were handed in, and how many writes (each one fsync) carried how many
/// entries, since the writer started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    pub submitted: u64,
    pub batches: u64,
    pub entries: u64,
}

enum Message {
    Append {
        record: Record,
        at: DateTime<Utc>,
        reply: Reply,
    },
    SetOrigin(Origin),
}

enum Reply {
    Blocking(mpsc::SyncSender<JournalResult<Entry>>),
    Async(tokio::sync::oneshot::Sender<JournalResult<Entry>>),
}

impl Reply {
    /// A submitter that gave up waiting (a dropped future) is no reason to stop the others.
    fn send(self, result: JournalResult<Entry>) {
        match self {
            Reply::Blocking(tx) => drop(tx.send(result)),
            Reply::Async(tx) => drop(tx.send(result)),
        }
    }
}

impl JournalWriter {
    /// Moves `journal` onto a thread of its own.
    pub fn spawn(journal: Journal) -> JournalWriter {
        let (tx, rx) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let path = journal.path().to_owned();
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("journal-writer".into())
                .spawn(move || run(journal, &rx, &shared))
                .expect("spawn the journal writer")
        };
        JournalWriter {
            inner: Arc::new(Inner {
                tx: Some(tx),
                thread: Some(thread),
                path,
                shared,
            }),
        }
    }

    /// Appends `record` stamped `at` and returns its entry once it is durable, sharing the
    /// write and fsync with whatever else was queued meanwhile. Blocks: use
    /// [`append_async`](Self::append_async) from a task.
    pub fn append(&self, record: Record, at: DateTime<Utc>) -> JournalResult<Entry> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.send(Message::Append {
            record,
            at,
            reply: Reply::Blocking(tx),
        })?;
        rx.recv().unwrap_or_else(|_| Err(self.stopped()))
    }

    /// As [`append`](Self::append), without blocking the task's thread.
    pub async fn append_async(&self, record: Record, at: DateTime<Utc>) -> JournalResult<Entry> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.send(Message::Append {
            record,
            at,
            reply: Reply::Async(tx),
        })?;
        rx.await.unwrap_or_else(|_| Err(self.stopped()))
    }

    /// Changes what entries queued from now on are stamped with (the account, once read).
    pub fn set_origin(&self, origin: Origin) -> JournalResult<()> {
        self.send(Message::SetOrigin(origin))
    }

    /// Torn tails the journal set aside since the last call: say so to the user.
    pub fn take_torn(&self) -> Vec<TornTail> {
        std::mem::take(&mut *lock(&self.inner.shared.torn))
    }

    pub fn stats(&self) -> WriterStats {
        let shared = &self.inner.shared;
        WriterStats {
            submitted: shared.submitted.load(Ordering::Relaxed),
            batches: shared.batches.load(Ordering::Relaxed),
            entries: shared.entries.load(Ordering::Relaxed),
        }
    }

    fn send(&self, message: Message) -> JournalResult<()> {
        let tx = self
            .inner
            .tx
            .as_ref()
            .expect("sender lives as long as the handle");
        if matches!(message, Message::Append { .. }) {
            self.inner.shared.submitted.fetch_add(1, Ordering::Relaxed);
        }
        tx.send(message).map_err(|_| self.stopped())
    }

    /// The thread is gone only if it panicked: nothing more is durable.
    fn stopped(&self) -> JournalError {
        JournalError::Io {
            path: self.inner.path.clone(),
            source: io::Error::other("the journal writer stopped; nothing more was recorded"),
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Closing the channel lets the thread finish what is queued and return.
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(mut journal: Journal, rx: &mpsc::Receiver<Message>, shared: &Shared) {
    let mut records = Vec::new();
    let mut replies = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Append { record, at, reply } => {
                    records.push((record, at));
                    replies.push(reply);
                }
                // Entries queued before the change keep the origin they were queued under.
                Message::SetOrigin(origin) => {
                    commit(&mut journal, &mut records, &mut replies, shared);
                    journal.set_origin(origin);
                }
            }
            if records.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        commit(&mut journal, &mut records, &mut replies, shared);
    }
}

/// Appends the queued records with one write and one fsync and answers each submitter.
fn commit(
    journal: &mut Journal,
    records: &mut Vec<(Record, DateTime<Utc>)>,
    replies: &mut Vec<Reply>,
    shared: &Shared,
) {
    if records.is_empty() {
        return;
    }
    let result = journal.append_all(records);
    records.clear();
    let torn = journal.take_torn();
    if !torn.is_empty() {
        lock(&shared.torn).extend(torn);
    }
    match result {
        Ok(entries) => {
            shared.batches.fetch_add(1, Ordering::Relaxed);
            shared
                .entries
                .fetch_add(replies.len() as u64, Ordering::Relaxed);
            // A torn tail set aside on the way is recorded first: its entry is nobody's.
            let skip = entries.len() - replies.len();
            for (reply, entry) in replies.drain(..).zip(entries.into_iter().skip(skip)) {
                reply.send(Ok(entry));
            }
        }
        Err(e) => {
            for reply in replies.drain(..) {
                reply.send(Err(duplicate(&e)));
            }
        }
    }
}

/// The same failure for every submitter of a batch (`io::Error` does not clone).
fn duplicate(e: &JournalError) -> JournalError {
    match e {
        JournalError::Io { path, source } => JournalError::Io {
            path: path.clone(),
            source: io::Error::new(source.kind(), source.to_string()),
        },
        JournalError::NotFound { path } => JournalError::NotFound { path: path.clone() },
        JournalError::Broken { path, reason } => JournalError::Broken {
            path: path.clone(),
            reason: reason.clone(),
        },
        JournalError::Invalid { path, reason } => JournalError::Invalid {
            path: path.clone(),
            reason: reason.clone(),
        },
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use std::fs::{self, File};
    use std::path::Path;

    use chrono::TimeZone;

    use super::*;
    use crate::incident::journal::{HEAD_FILE, JOURNAL_FILE, Reader, verify};
    use crate::mode::Mode;

    fn origin() -> Origin {
        Origin::new(Mode::Simulation, None, vec!["us-east-1".into()])
    }

    fn note(text: &str) -> Record {
        Record::Note {
            text: text.into(),
            author: None,
        }
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 41, 0).unwrap()
    }

    /// Holds the journal's lock from outside, so the writer stalls on its first batch
    /// until `submitted` records were handed in: then they must share at most two writes.
    fn with_writer_stalled<T: Send>(
        dir: &Path,
        writer: &JournalWriter,
        submitted: u64,
        while_stalled: impl FnOnce(),
        submit: impl FnOnce() -> T + Send,
    ) -> T {
        let gate = File::open(dir.join(JOURNAL_FILE)).unwrap();
        gate.lock().unwrap();
        std::thread::scope(|scope| {
            let submitting = scope.spawn(submit);
            while writer.stats().submitted < submitted {
                std::thread::yield_now();
            }
            while_stalled();
            gate.unlock().unwrap();
            submitting.join().unwrap()
        })
    }

    #[test]
    fn many_threads_share_fsyncs_and_extend_one_chain() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("INC-1");
        let writer = JournalWriter::spawn(Journal::create(&dir, origin()).unwrap());
        let per_thread: Vec<Vec<Entry>> = with_writer_stalled(
            &dir,
            &writer,
            8,
            || {},
            || {
                std::thread::scope(|scope| {
                    let threads: Vec<_> = (0..8)
                        .map(|t| {
                            let writer = writer.clone();
                            scope.spawn(move || {
                                (0..200)
                                    .map(|i| {
                                        writer.append(note(&format!("{t}-{i}")), at()).unwrap()
                                    })
                                    .collect::<Vec<_>>()
                            })
                        })
                        .collect();
                    threads.into_iter().map(|t| t.join().unwrap()).collect()
                })
            },
        );
        let stats = writer.stats();
        drop(writer);

        let v = verify(&dir).unwrap();
        assert!(v.intact(), "{v:?}");
        assert_eq!(v.entries, 1600);
        assert_eq!((stats.submitted, stats.entries), (1600, 1600));
        assert!(
            stats.batches < stats.entries,
            "no two records shared an fsync: {stats:?}"
        );
        let on_disk: Vec<Entry> = Reader::open(&dir).unwrap().map(Result::unwrap).collect();
        for (t, entries) in per_thread.iter().enumerate() {
            // Each answer is the entry that was stored, and a thread's records keep its order.
            assert!(entries.windows(2).all(|w| w[0].seq < w[1].seq));
            for (i, entry) in entries.iter().enumerate() {
                assert_eq!(&on_disk[entry.seq as usize - 1], entry);
                assert_eq!(entry.payload["text"], format!("{t}-{i}"));
            }
        }
    }

    #[test]
    fn a_failed_batch_fails_every_submitter_in_it() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("INC-1");
        let mut journal = Journal::create(&dir, origin()).unwrap();
        journal.append_at(&note("first"), at()).unwrap();
        let writer = JournalWriter::spawn(Journal::open(&dir, origin()).unwrap());
        let results: Vec<JournalResult<Entry>> = with_writer_stalled(
            &dir,
            &writer,
            4,
            // The head now claims entries the journal does not have: the last were removed.
            || fs::write(dir.join(HEAD_FILE), r#"{"seq":9,"hash":"ab"}"#).unwrap(),
            || {
                std::thread::scope(|scope| {
                    let threads: Vec<_> = (0..4)
                        .map(|i| {
                            let writer = writer.clone();
                            scope.spawn(move || writer.append(note(&i.to_string()), at()))
                        })
                        .collect();
                    threads.into_iter().map(|t| t.join().unwrap()).collect()
                })
            },
        );
        assert_eq!(results.len(), 4);
        for result in results {
            let err = result.unwrap_err();
            assert!(matches!(err, JournalError::Broken { .. }), "{err}");
            assert!(err.to_string().contains("missing"), "{err}");
        }
        assert_eq!(writer.stats().entries, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tasks_append_without_blocking_and_get_their_own_entries() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("INC-1");
        let writer = JournalWriter::spawn(Journal::create(&dir, origin()).unwrap());
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.append_async(note(&i.to_string()), at()).await })
            })
            .collect();
        let mut seqs = Vec::new();
        for (i, task) in tasks.into_iter().enumerate() {
            let entry = task.await.unwrap().unwrap();
            assert_eq!(entry.payload["text"], i.to_string());
            seqs.push(entry.seq);
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=50).collect::<Vec<u64>>());
        drop(writer);
        assert_eq!(verify(&dir).unwrap().entries, 50);
    }

    #[test]
    fn a_torn_tail_is_recorded_first_and_reported_but_answers_nobody() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("INC-1");
        let mut journal = Journal::create(&dir, origin()).unwrap();
        journal.append_at(&note("first"), at()).unwrap();
        drop(journal);
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(dir.join(JOURNAL_FILE))
            .unwrap();
        std::io::Write::write_all(&mut file, b"{\"seq\":2,").unwrap();
        let writer = JournalWriter::spawn(Journal::open(&dir, origin()).unwrap());
        let entry = writer.append(note("after"), at()).unwrap();
        assert_eq!((entry.seq, entry.kind.as_str()), (3, "note"));
        let torn = writer.take_torn();
        assert_eq!(torn.len(), 1);
        assert_eq!(fs::read(&torn[0].side_file).unwrap(), b"{\"seq\":2,");
        assert!(writer.take_torn().is_empty());
        drop(writer);
        assert!(verify(&dir).unwrap().intact());
    }

    #[test]
    fn dropping_the_last_handle_finishes_what_is_queued() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("INC-1");
        let writer = JournalWriter::spawn(Journal::create(&dir, origin()).unwrap());
        let other = writer.clone();
        writer
            .set_origin(Origin::new(Mode::Simulation, Some("123".into()), vec![]))
            .unwrap();
        let entry = other.append(note("x"), at()).unwrap();
        assert_eq!(entry.account.as_deref(), Some("123"));
        drop(writer);
        // The thread still runs for `other`.
        assert_eq!(other.append(note("y"), at()).unwrap().seq, 2);
        drop(other);
        // The thread has ended and closed the journal: its lock is free.
        let file = File::open(dir.join(JOURNAL_FILE)).unwrap();
        assert!(file.try_lock().is_ok());
    }
}
