//! The log for the morning after: every AWS call and every refresh, to a size-rotated file in
//! the state directory, written off the caller's thread, never to the terminal.
//!
//! The level (`--log-level`, else `DRCONSOLE_LOG`, else info) applies to drconsole's own
//! lines. Other crates log at warn at most, whatever the level: the SDK's debug output holds
//! canonical requests with the session token, and that must never reach a file.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::dirs::Dirs;

/// Environment variable with the log level when `--log-level` is not given.
pub const LEVEL_ENV: &str = "DRCONSOLE_LOG";

/// A log file grows to this size before it is rotated.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Rotated files kept beside the current one (`drconsole.log.1` is the newest).
pub const KEEP: usize = 5;

/// Lines queued for the writer thread; beyond this a stalled disk costs lines, not the UI.
const QUEUE: usize = 4096;

/// Reads a level: error, warn, info, debug, trace or off. Directives naming other crates
/// are refused on purpose (see the module comment).
pub fn parse_level(text: &str) -> Result<LevelFilter, String> {
    text.trim().parse::<LevelFilter>().map_err(|_| {
        format!("log level `{text}`: expected one of off, error, warn, info, debug, trace")
    })
}

/// The level to run at: `--log-level`, then `$DRCONSOLE_LOG`, then info.
pub fn level_from(cli: Option<&str>, env: Option<&str>) -> Result<LevelFilter, String> {
    match cli.or(env.filter(|v| !v.trim().is_empty())) {
        Some(text) => parse_level(text),
        None => Ok(LevelFilter::INFO),
    }
}

/// Starts this run's log where `dirs` says, at the level `--log-level` (`cli_level`) or the
/// environment asks. `Err` is a bad level. With no place for the file the run has no log;
/// when the file cannot be opened, it says so once on stderr, before any screen is drawn,
/// and carries on: an incident does not wait for a log.
pub fn start(dirs: &Dirs, cli_level: Option<&str>) -> Result<Option<LogGuard>, String> {
    let env_level = std::env::var(LEVEL_ENV).ok();
    let level = level_from(cli_level, env_level.as_deref())?;
    let Some(file) = dirs.log_file() else {
        return Ok(None);
    };
    match init(&file, level) {
        Ok(guard) => {
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "drconsole started");
            Ok(Some(guard))
        }
        Err(e) => {
            eprintln!("warning: no log file ({}): {e}", file.display());
            Ok(None)
        }
    }
}

fn filter(level: LevelFilter) -> Targets {
    Targets::new()
        .with_target("drconsole", level)
        .with_default(level.min(LevelFilter::WARN))
}

/// Keeps the writer thread's queue drained: dropping it waits (briefly) for the lines
/// already logged to reach the file.
#[must_use = "dropping the guard at once loses the lines still queued"]
pub struct LogGuard {
    tx: Option<SyncSender<Msg>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            let (ack, done) = sync_channel(1);
            if tx.send(Msg::Flush(ack)).is_ok() {
                let _ = done.recv_timeout(Duration::from_secs(2));
            }
        }
    }
}

/// Starts logging to `file` at `level` for the rest of the process. Creates the file's
/// directory; the file is readable by its owner only, since it names accounts and resources.
pub fn init(file: &Path, level: LevelFilter) -> io::Result<LogGuard> {
    if level == LevelFilter::OFF {
        return Ok(LogGuard { tx: None });
    }
    let rotating = RotatingFile::open(file.to_owned(), MAX_BYTES, KEEP)?;
    let (tx, rx) = sync_channel(QUEUE);
    std::thread::Builder::new()
        .name("drconsole-log".into())
        .spawn(move || write_lines(rx, rotating))?;
    let writer = QueueWriter {
        tx: tx.clone(),
        dropped: Arc::new(AtomicU64::new(0)),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer);
    tracing_subscriber::registry()
        .with(layer)
        .with(filter(level))
        .try_init()
        .map_err(io::Error::other)?;
    log_panics();
    Ok(LogGuard { tx: Some(tx) })
}

/// A panic ends up in the log too, with where it happened, before the usual hook prints it.
fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload_as_str()
            .unwrap_or("(no message)")
            .replace('\n', " ");
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%at, %message, "panic");
        previous(info);
    }));
}

enum Msg {
    Line(Vec<u8>),
    Flush(SyncSender<()>),
}

fn write_lines(rx: Receiver<Msg>, mut file: RotatingFile) {
    for msg in rx {
        match msg {
            // Nowhere to report a failed log write but the log: carry on with the next line.
            Msg::Line(line) => {
                let _ = file.write_all(&line);
            }
            Msg::Flush(ack) => {
                let _ = file.flush();
                let _ = ack.send(());
            }
        }
    }
}

/// Hands each formatted line to the writer thread without waiting for the disk.
#[derive(Clone)]
struct QueueWriter {
    tx: SyncSender<Msg>,
    dropped: Arc<AtomicU64>,
}

impl Write for QueueWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut line = Vec::new();
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            line.extend_from_slice(
                format!("({dropped} log lines lost: disk too slow)\n").as_bytes(),
            );
        }
        line.extend_from_slice(buf);
        match self.tx.try_send(Msg::Line(line)) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(dropped + 1, Ordering::Relaxed);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for QueueWriter {
    type Writer = QueueWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A file that moves aside when it would grow past `max_bytes`: `drconsole.log` becomes
/// `drconsole.log.1`, `.1` becomes `.2`, and so on up to `keep`; the oldest is deleted.
pub struct RotatingFile {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    file: File,
    len: u64,
}

impl RotatingFile {
    pub fn open(path: PathBuf, max_bytes: u64, keep: usize) -> io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = open_append(&path)?;
        let len = file.metadata()?.len();
        Ok(Self {
            path,
            max_bytes,
            keep,
            file,
            len,
        })
    }

    fn numbered(&self, n: usize) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        for n in (1..self.keep).rev() {
            match std::fs::rename(self.numbered(n), self.numbered(n + 1)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        if self.keep == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            std::fs::rename(&self.path, self.numbered(1))?;
        }
        self.file = open_append(&self.path)?;
        self.len = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    /// Writes whole lines: a line is never split across two files.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.len > 0 && self.len + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        self.file.write_all(buf)?;
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_beats_the_variable_which_beats_info() {
        assert_eq!(
            level_from(Some("debug"), Some("error")).unwrap(),
            LevelFilter::DEBUG
        );
        assert_eq!(level_from(None, Some("warn")).unwrap(), LevelFilter::WARN);
        assert_eq!(level_from(None, Some(" ")).unwrap(), LevelFilter::INFO);
        assert_eq!(level_from(None, None).unwrap(), LevelFilter::INFO);
        assert_eq!(level_from(Some("OFF"), None).unwrap(), LevelFilter::OFF);
    }

    #[test]
    fn directives_for_other_crates_are_refused() {
        let err = level_from(None, Some("aws_sigv4=trace")).unwrap_err();
        assert!(err.contains("aws_sigv4=trace"), "{err}");
        assert!(level_from(Some("loud"), None).is_err());
    }

    #[test]
    fn other_crates_never_log_below_warn() {
        use tracing::Level;
        let targets = filter(LevelFilter::TRACE);
        assert!(targets.would_enable("drconsole::cloud::aws", &Level::TRACE));
        assert!(!targets.would_enable("aws_sigv4::http_request", &Level::DEBUG));
        assert!(!targets.would_enable("aws_smithy_runtime", &Level::INFO));
        assert!(targets.would_enable("aws_smithy_runtime", &Level::WARN));
        let quiet = filter(LevelFilter::ERROR);
        assert!(!quiet.would_enable("hyper", &Level::WARN));
    }

    #[test]
    fn the_file_rotates_by_size_and_keeps_a_bounded_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs").join("drconsole.log");
        let mut file = RotatingFile::open(path.clone(), 10, 2).unwrap();
        for line in ["aaaaaa\n", "bbbbbb\n", "cccccc\n", "dddddd\n"] {
            file.write_all(line.as_bytes()).unwrap();
        }
        let read = |p: &Path| std::fs::read_to_string(p).unwrap();
        assert_eq!(read(&path), "dddddd\n");
        assert_eq!(read(&dir.path().join("logs/drconsole.log.1")), "cccccc\n");
        assert_eq!(read(&dir.path().join("logs/drconsole.log.2")), "bbbbbb\n");
        assert!(!dir.path().join("logs/drconsole.log.3").exists());

        // A restart appends to the current file and counts what it already holds.
        let mut file = RotatingFile::open(path.clone(), 10, 2).unwrap();
        file.write_all(b"e\n").unwrap();
        assert_eq!(read(&path), "dddddd\ne\n");
        file.write_all(b"ffff\n").unwrap();
        assert_eq!(read(&path), "ffff\n");
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_can_read_the_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drconsole.log");
        RotatingFile::open(path.clone(), 10, 2).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
}
