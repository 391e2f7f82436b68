//! The native clipboard: the platform's own tool, found on `PATH`, given the text on stdin.
//! No crate: a tool that is missing or fails is said plainly, and nothing it prints reaches
//! the console's screen.

use std::ffi::OsStr;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{Host, Native};

/// A clipboard tool and how it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    pub name: &'static str,
    pub args: &'static [&'static str],
    /// Windows' `clip.exe` reads its input in the console's code page unless it starts with a
    /// UTF-16 byte order mark, so it is given UTF-16LE.
    pub utf16: bool,
}

const PBCOPY: Tool = Tool::plain("pbcopy", &[]);
const WL_COPY: Tool = Tool::plain("wl-copy", &[]);
const XCLIP: Tool = Tool::plain("xclip", &["-selection", "clipboard"]);
const XSEL: Tool = Tool::plain("xsel", &["--clipboard", "--input"]);
const CLIP_EXE: Tool = Tool {
    name: "clip.exe",
    args: &[],
    utf16: true,
};

impl Tool {
    const fn plain(name: &'static str, args: &'static [&'static str]) -> Self {
        Self {
            name,
            args,
            utf16: false,
        }
    }
}

/// The tools that would reach the commander's clipboard, best first. Over SSH a local tool
/// (pbcopy, clip.exe) fills the server's clipboard, not theirs, so only a display forwarded
/// to them counts there.
pub fn candidates(host: &Host) -> Vec<Tool> {
    let over_ssh = host.var("SSH_CONNECTION").is_some() || host.var("SSH_TTY").is_some();
    let set = |name: &str| host.var(name).is_some_and(|v| !v.is_empty());
    let mut tools = Vec::new();
    if !over_ssh {
        if host.macos {
            tools.push(PBCOPY);
        }
        if set("WSL_DISTRO_NAME") {
            tools.push(CLIP_EXE);
        }
    }
    if set("WAYLAND_DISPLAY") {
        tools.push(WL_COPY);
    }
    if set("DISPLAY") {
        tools.extend([XCLIP, XSEL]);
    }
    tools
}

/// Copies through the first candidate found on the host's `PATH`.
pub fn copy(host: &Host, text: &str) -> Native {
    let path = host.var("PATH").unwrap_or_default();
    let Some((tool, program)) = candidates(host)
        .into_iter()
        .find_map(|tool| find_on_path(OsStr::new(&path), tool.name).map(|p| (tool, p)))
    else {
        return Native::Absent;
    };
    let input = if tool.utf16 {
        utf16le_with_bom(text)
    } else {
        text.as_bytes().to_vec()
    };
    let failed = |error: String| Native::Failed {
        tool: tool.name.to_owned(),
        error,
    };
    match run(&program, tool.args, &input, host.native_timeout) {
        Ok(ran) if ran.status.success() => Native::Copied {
            tool: tool.name.to_owned(),
        },
        Ok(ran) => failed(ran.complaint()),
        Err(error) => failed(error),
    }
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// `name` in one of `path`'s directories, as an executable file.
pub fn find_on_path(path: &OsStr, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// A finished process's exit and what it printed.
#[derive(Debug)]
pub struct Ran {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Why it failed, in one line: the first thing it said on stderr, else its exit.
    fn complaint(&self) -> String {
        self.stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map_or_else(|| self.status.to_string(), str::to_owned)
    }
}

/// Runs `program` with `input` on stdin and waits for it to exit, `timeout` at most (then it
/// is killed). Its output goes to unnamed temporary files rather than pipes: xclip and wl-copy
/// leave a child behind that owns the selection and would hold a pipe open for as long as it
/// lives, so reading a pipe to its end would wait for the next copy anywhere on the desktop.
pub fn run(program: &Path, args: &[&str], input: &[u8], timeout: Duration) -> Result<Ran, String> {
    let mut stdout = scratch().map_err(|e| format!("no scratch file: {e}"))?;
    let mut stderr = scratch().map_err(|e| format!("no scratch file: {e}"))?;
    let clone = |f: &std::fs::File| f.try_clone().map(Stdio::from).map_err(|e| e.to_string());
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(clone(&stdout)?)
        .stderr(clone(&stderr)?)
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let input = input.to_vec();
        // A tool that stops reading must not hold this thread: the write happens beside the
        // wait, and ends when the tool reads it all or exits.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {} s", timeout.as_secs_f32()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    };
    Ok(Ran {
        status,
        stdout: read_back(&mut stdout),
        stderr: read_back(&mut stderr),
    })
}

fn read_back(file: &mut std::fs::File) -> String {
    let mut bytes = Vec::new();
    let _ = file.rewind().and_then(|()| file.read_to_end(&mut bytes));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A file in the temporary directory, unlinked at once on Unix so nothing is left behind
/// whatever happens next.
fn scratch() -> std::io::Result<std::fs::File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "drconsole-clip-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    #[cfg(unix)]
    std::fs::remove_file(&path)?;
    Ok(file)
}
