//! Named fault-injection points: where a test can make drconsole panic, abort, fail a call or
//! tear a write half-way, to prove what survives a crash between "sent" and "recorded".
//!
//! The points exist only with the `failpoints` feature, which `cargo test` switches on (the
//! crate is its own dev-dependency) and no user build has: without it [`fault_point!`] expands
//! to `Ok(())`, so neither the point names nor the code that reads them reach the binary.
//!
//! A test arms points through the environment of the process it starts:
//!
//! ```text
//! DRCONSOLE_FAILPOINTS="console.after_first_frame=panic;status.before_report=error@2"
//! ```
//!
//! Actions: `panic`, `abort` (no unwinding, no destructors: a power cut for the process),
//! `error` (the call site returns its own failure), `torn` (a write stops half-way, then the
//! process aborts; see [`write_all`]), `hang` (a point evaluated with
//! [`fault_point_async!`] waits an hour without blocking its thread, so a test can signal the
//! process while it is there; elsewhere it is `error`), `off`. `@N` fires from the N-th time the point is
//! reached on (default: the first). Every point is listed in `POINTS`; an unknown name in the
//! variable is refused loudly, so a typo cannot make a crash test pass by never crashing.

use std::io::{self, Write};

/// Why a call site gave up: a fault point armed with `error` (or `torn` outside a write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    pub point: &'static str,
}

impl std::fmt::Display for Injected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "injected fault at {}", self.point)
    }
}

impl std::error::Error for Injected {}

impl From<Injected> for io::Error {
    fn from(e: Injected) -> Self {
        io::Error::other(e)
    }
}

/// Evaluates the named point: `Ok(())` unless a test armed it with `error`; `panic` and
/// `abort` never return. Without the `failpoints` feature this is `Ok(())` and the name is
/// not compiled in.
#[cfg(feature = "failpoints")]
#[macro_export]
macro_rules! fault_point {
    ($name:literal) => {
        $crate::faults::armed::eval($name)
    };
}

#[cfg(not(feature = "failpoints"))]
#[macro_export]
macro_rules! fault_point {
    ($name:literal) => {
        ::core::result::Result::<(), $crate::faults::Injected>::Ok(())
    };
}

/// [`fault_point!`] for async code, where the point may also be armed with `hang`: it then
/// waits (tokio's sleep, an hour) before going on, holding the run still for a signal.
#[cfg(feature = "failpoints")]
#[macro_export]
macro_rules! fault_point_async {
    ($name:literal) => {
        $crate::faults::armed::eval_async($name).await
    };
}

#[cfg(not(feature = "failpoints"))]
#[macro_export]
macro_rules! fault_point_async {
    ($name:literal) => {
        ::core::result::Result::<(), $crate::faults::Injected>::Ok(())
    };
}

/// Writes `buf` through the named point: armed with `torn`, only the first half reaches the
/// writer (flushed), then the process aborts, as if the machine died mid-write; `error` fails
/// before anything is written.
#[cfg(feature = "failpoints")]
#[macro_export]
macro_rules! fault_write_all {
    ($name:literal, $writer:expr, $buf:expr) => {
        $crate::faults::write_all($crate::faults::armed::eval_write($name), $writer, $buf)
    };
}

#[cfg(not(feature = "failpoints"))]
#[macro_export]
macro_rules! fault_write_all {
    ($name:literal, $writer:expr, $buf:expr) => {
        $crate::faults::write_all($crate::faults::WriteFault::None, $writer, $buf)
    };
}

/// What [`fault_write_all!`] must do to this write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteFault {
    None,
    Error(&'static str),
    Torn,
}

#[doc(hidden)]
pub fn write_all(fault: WriteFault, writer: &mut dyn Write, buf: &[u8]) -> io::Result<()> {
    match fault {
        WriteFault::None => writer.write_all(buf),
        WriteFault::Error(point) => Err(Injected { point }.into()),
        WriteFault::Torn => {
            writer.write_all(&buf[..buf.len() / 2])?;
            writer.flush()?;
            std::process::abort();
        }
    }
}

#[cfg(feature = "failpoints")]
#[doc(hidden)]
pub mod armed {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    use super::{Injected, WriteFault};

    /// The variable a test sets to arm points in the process it starts.
    pub const ENV: &str = "DRCONSOLE_FAILPOINTS";

    /// Every point in the code, with where it sits. A point used in the code but missing here
    /// panics the first time it is reached in a test build, so the list cannot go stale.
    pub const POINTS: &[(&str, &str)] = &[
        (
            "console.after_first_frame",
            "the console has drawn its first frame on a real terminal",
        ),
        (
            "executor.after_send",
            "a write was sent and answered, and its answer is not yet journalled \
             (arm with `abort`: the journal says sent, AWS has done it)",
        ),
        (
            "journal.append",
            "an entry's bytes are being written to the journal (arm with `torn` to stop half-way)",
        ),
        (
            "journal.before_fsync",
            "an entry is written but not fsynced; `error` here drops what the page cache held \
             (the file is cut back to before the write) and the process aborts, as a power cut would",
        ),
        (
            "journal.before_head",
            "entries are fsynced in the journal but the head file is not yet rewritten \
             (arm with `abort`: the head is left one write behind)",
        ),
        (
            "status.before_report",
            "`drconsole status` has its snapshot and is about to print it",
        ),
        (
            "validate.after_restore",
            "`drconsole validate` has restored a table's backup into its temporary table and \
             not yet checked it (`error`: the check fails mid-run; `hang`: the run holds \
             there)",
        ),
    ];

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Action {
        Off,
        Panic,
        Abort,
        Error,
        Torn,
        Hang,
    }

    #[derive(Debug)]
    struct Armed {
        action: Action,
        from_hit: u64,
        hits: u64,
    }

    fn table() -> &'static Mutex<HashMap<String, Armed>> {
        static TABLE: OnceLock<Mutex<HashMap<String, Armed>>> = OnceLock::new();
        TABLE.get_or_init(|| {
            let spec = std::env::var(ENV).unwrap_or_default();
            let parsed = parse(&spec).unwrap_or_else(|e| panic!("{ENV}: {e}"));
            Mutex::new(parsed)
        })
    }

    fn parse(spec: &str) -> Result<HashMap<String, Armed>, String> {
        let mut map = HashMap::new();
        for entry in spec.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let (name, rest) = entry
                .split_once('=')
                .ok_or_else(|| format!("`{entry}` is not NAME=ACTION"))?;
            let name = name.trim();
            if !POINTS.iter().any(|(known, _)| *known == name) {
                return Err(format!("no fault point is called `{name}`"));
            }
            let (action, from_hit) = match rest.trim().split_once('@') {
                Some((action, n)) => (
                    action,
                    n.parse::<u64>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| format!("`{n}` in `{entry}` is not a hit number >= 1"))?,
                ),
                None => (rest.trim(), 1),
            };
            let action = match action {
                "off" => Action::Off,
                "panic" => Action::Panic,
                "abort" => Action::Abort,
                "error" => Action::Error,
                "torn" => Action::Torn,
                "hang" => Action::Hang,
                other => return Err(format!("unknown action `{other}` in `{entry}`")),
            };
            map.insert(
                name.to_owned(),
                Armed {
                    action,
                    from_hit,
                    hits: 0,
                },
            );
        }
        Ok(map)
    }

    /// Reads the variable now, so a misspelt point stops the process at start rather than
    /// when (or if) the run gets there.
    pub fn load() {
        drop(table().lock());
    }

    /// Replaces what is armed in this process, for in-process tests. Points are global: a
    /// test that arms one must not share it with tests running beside it.
    pub fn arm(spec: &str) -> Result<(), String> {
        let parsed = parse(spec)?;
        *table().lock().unwrap_or_else(|p| p.into_inner()) = parsed;
        Ok(())
    }

    /// Counts the hit and returns the action due now.
    fn due(name: &'static str) -> Action {
        assert!(
            POINTS.iter().any(|(known, _)| *known == name),
            "fault point `{name}` is not listed in faults::armed::POINTS"
        );
        let mut table = table().lock().unwrap_or_else(|p| p.into_inner());
        match table.get_mut(name) {
            Some(armed) => {
                armed.hits += 1;
                if armed.hits >= armed.from_hit {
                    armed.action
                } else {
                    Action::Off
                }
            }
            None => Action::Off,
        }
    }

    pub fn eval(name: &'static str) -> Result<(), Injected> {
        fire(name, due(name))
    }

    pub async fn eval_async(name: &'static str) -> Result<(), Injected> {
        match due(name) {
            Action::Hang => {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                Ok(())
            }
            action => fire(name, action),
        }
    }

    pub fn eval_write(name: &'static str) -> WriteFault {
        match due(name) {
            Action::Torn => WriteFault::Torn,
            Action::Error => WriteFault::Error(name),
            Action::Off => WriteFault::None,
            action => match fire(name, action) {
                Ok(()) => WriteFault::None,
                Err(_) => WriteFault::Error(name),
            },
        }
    }

    fn fire(name: &'static str, action: Action) -> Result<(), Injected> {
        match action {
            Action::Off => Ok(()),
            Action::Panic => panic!("fault point {name}: panicking on purpose"),
            Action::Abort => {
                eprintln!("fault point {name}: aborting on purpose");
                std::process::abort()
            }
            // A hang outside async code cannot wait without blocking its thread.
            Action::Error | Action::Torn | Action::Hang => Err(Injected { point: name }),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_spec_names_points_actions_and_the_first_hit() {
            let map =
                parse(" console.after_first_frame=panic ; status.before_report=error@3 ").unwrap();
            assert_eq!(map["console.after_first_frame"].action, Action::Panic);
            assert_eq!(map["console.after_first_frame"].from_hit, 1);
            assert_eq!(map["status.before_report"].action, Action::Error);
            assert_eq!(map["status.before_report"].from_hit, 3);
            assert!(parse("").unwrap().is_empty());
        }

        #[test]
        fn a_typo_is_refused_rather_than_never_firing() {
            let err = parse("console.after_frist_frame=panic").unwrap_err();
            assert!(err.contains("no fault point"), "{err}");
            assert!(parse("status.before_report=explode").is_err());
            assert!(parse("status.before_report=error@0").is_err());
            assert!(parse("status.before_report").is_err());
        }

        /// Aborting ends the process, so the write runs in a child: this test binary again,
        /// asked to run only this test, with a variable that makes it the writer.
        #[test]
        fn a_torn_write_keeps_the_first_half_then_the_process_dies() {
            const CHILD: &str = "DRCONSOLE_TORN_WRITE_TO";
            if let Some(path) = std::env::var_os(CHILD) {
                let mut file = std::fs::File::create(path).unwrap();
                let _ = super::super::write_all(WriteFault::Torn, &mut file, b"0123456789");
                unreachable!("a torn write aborts");
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("torn");
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "faults::armed::tests::a_torn_write_keeps_the_first_half_then_the_process_dies",
                ])
                .env(CHILD, &path)
                .output()
                .unwrap();
            assert!(!out.status.success(), "{out:?}");
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                assert_eq!(out.status.signal(), Some(6), "SIGABRT: {out:?}");
            }
            assert_eq!(std::fs::read(&path).unwrap(), b"01234");
        }

        #[test]
        fn an_error_writes_nothing() {
            let mut out = Vec::new();
            let err = super::super::write_all(
                WriteFault::Error("status.before_report"),
                &mut out,
                b"abcd",
            )
            .unwrap_err();
            assert!(err.to_string().contains("status.before_report"), "{err}");
            assert!(out.is_empty());
            super::super::write_all(WriteFault::None, &mut out, b"abcd").unwrap();
            assert_eq!(out, b"abcd");
        }
    }
}
