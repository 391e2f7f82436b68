//! `drconsole journal verify`: checks a journal's hash chain and head and names the first
//! entry where it breaks. Exit 0 intact, 1 broken; 5 when there is no journal to check.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::emit;
use super::incident::{pick_dir, store, tag};
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::incident::{Reader, verify as verify_chain};
use crate::session::SessionOptions;

/// Verifies the journal that `target` names: a path (an incident directory, the operations
/// journal's, or a journal file), else an incident id; with none, the only open incident.
pub fn verify(
    target: Option<&str>,
    options: &SessionOptions,
    dirs: &Dirs,
) -> Result<ExitCode, Failure> {
    let path = match target {
        Some(t) if looks_like_path(t) => PathBuf::from(t),
        t => pick_dir(&store(options, dirs)?, t)?,
    };
    let v = verify_chain(&path)?;
    let mut out = String::new();
    // Best effort: a journal broken at its first line still gets its verdict.
    let mode = Reader::open(&path)
        .ok()
        .and_then(|mut r| r.next())
        .and_then(Result::ok)
        .map(|e| e.mode);
    if let Some(mode) = mode {
        out.push_str(tag(mode));
    }
    out.push_str(&format!("journal {}\n", v.path.display()));
    let code = match &v.broken {
        None => {
            let hash = v.last_hash.get(..12).unwrap_or(&v.last_hash);
            out.push_str(&format!(
                "intact: {} {}, last #{} {hash}\n",
                v.entries,
                plural(v.entries, "entry", "entries"),
                v.last_seq
            ));
            0
        }
        Some(b) => {
            out.push_str(&format!(
                "broken at line {}, entry #{}: {}\n",
                b.line, b.seq, b.reason
            ));
            let verified = if v.entries == 1 {
                "1 entry before it verifies".to_owned()
            } else {
                format!("{} entries before it verify", v.entries)
            };
            out.push_str(&format!("{verified}\n"));
            1
        }
    };
    if v.torn_bytes > 0 {
        out.push_str(&format!(
            "note: {} bytes after entry #{} are a write the machine did not finish; the next append sets them aside\n",
            v.torn_bytes, v.last_seq
        ));
    }
    if v.head_lags {
        out.push_str(
            "note: the head file is behind the journal, at an entry of its own chain (the machine stopped between the journal's fsync and the head's); the next append brings it up to date\n",
        );
    }
    emit(&out)?;
    Ok(ExitCode::from(code))
}

/// An argument that names a file or directory rather than an incident id.
fn looks_like_path(t: &str) -> bool {
    Path::new(t).exists()
        || t.contains('/')
        || t.contains(std::path::MAIN_SEPARATOR)
        || t.ends_with(".jsonl")
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
