//! What a configuration backup holds, gathered before anything is written: each stack's
//! template and description from CloudFormation, and the files drconsole runs by (the
//! estate file, the runbooks and message templates in use, a stack's local template), each
//! as it was read.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::Options;
use super::manifest::{ManifestFile, sha256_hex};
use crate::backup::{ItemStatus, Run, bounded};
use crate::cloud::{CloudError, ErrorKind};
use crate::config::StackRole;

/// One file of the backup, its key relative to the dated folder.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub key: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl File {
    fn new(key: impl Into<String>, content_type: &'static str, bytes: Vec<u8>) -> File {
        File {
            key: key.into(),
            content_type,
            bytes,
        }
    }

    pub fn sha256(&self) -> String {
        sha256_hex(&self.bytes)
    }

    pub fn manifest_entry(&self) -> ManifestFile {
        ManifestFile {
            key: self.key.clone(),
            size: self.bytes.len() as u64,
            sha256: self.sha256(),
        }
    }
}

/// One thing the summary reports on (a stack, the estate file, the runbooks, the templates):
/// its files, or why some could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub kind: &'static str,
    pub target: String,
    pub files: Vec<File>,
    /// What went wrong reading it (Failed, Unknown) or is short of whole (Warning); what is
    /// in `files` is still stored.
    pub problem: Option<(ItemStatus, String)>,
    /// Nothing to back up, and rightly so (an emergency stack not made yet).
    pub absent: Option<String>,
}

impl Part {
    fn new(kind: &'static str, target: impl Into<String>) -> Part {
        Part {
            kind,
            target: target.into(),
            files: Vec::new(),
            problem: None,
            absent: None,
        }
    }

    fn problem(mut self, status: ItemStatus, why: impl Into<String>) -> Part {
        self.problem = Some((status, why.into()));
        self
    }
}

/// Every part, in the order the summary lists them: stacks, the estate file, runbooks,
/// templates.
pub async fn collect(run: &Run<'_>, options: &Options) -> Vec<Part> {
    let estate = run.estate;
    let stacks: Vec<(String, String, Option<StackRole>, Option<String>)> = estate
        .stacks
        .iter()
        .map(|s| {
            (
                s.name.get_ref().clone(),
                s.region.as_ref().map_or_else(
                    || estate.regions.primary.get_ref().clone(),
                    |r| r.get_ref().clone(),
                ),
                s.role,
                s.template.as_ref().map(|t| t.get_ref().clone()),
            )
        })
        .collect();
    let mut parts = bounded(
        stacks,
        estate.backup.concurrency,
        &run.stop,
        |(name, region, role, template)| async move {
            run.say(format!(
                "stack {name} ({region}): reading its template and description"
            ));
            stack(run, &name, &region, role, template.as_deref()).await
        },
    )
    .await;
    parts.push(estate_file(options.estate_file.as_deref()));
    parts.push(runbooks(run, options.runbook_dir.as_deref()));
    parts.push(templates(options.template_dir.as_deref()));
    parts
}

/// Where a stack's files go in the dated folder.
pub fn stack_folder(name: &str) -> String {
    format!("stacks/{name}/")
}

fn status_of(e: &CloudError) -> ItemStatus {
    if e.kind == ErrorKind::Unreachable {
        ItemStatus::Unknown
    } else {
        ItemStatus::Failed
    }
}

async fn stack(
    run: &Run<'_>,
    name: &str,
    region: &str,
    role: Option<StackRole>,
    local_template: Option<&str>,
) -> Part {
    let mut part = Part::new("stack", name);
    let folder = stack_folder(name);
    // The template file create-stack makes it from is configuration too, and the one copy
    // that does not need CloudFormation to answer.
    if let Some(path) = local_template {
        let full = run.estate.base_dir.join(path);
        match std::fs::read(&full) {
            Ok(bytes) => part.files.push(File::new(
                format!("{folder}local/{}", file_name(&full)),
                content_type_of(&bytes, &full),
                bytes,
            )),
            Err(e) => {
                part = part.problem(
                    ItemStatus::Failed,
                    format!(
                        "its template file {} could not be read: {e}",
                        full.display()
                    ),
                )
            }
        }
    }
    let (info, template) = futures::join!(
        run.cloud.describe_stack(region, name),
        run.cloud.get_template(region, name)
    );
    let info = match info {
        Ok(info) => info,
        Err(e) if e.is_not_found() && role == Some(StackRole::Emergency) => {
            part.absent = Some(format!(
                "not in {region}: an emergency stack is made only during a recovery"
            ));
            return part;
        }
        Err(e) => {
            let why = format!("stack {name} in {region} could not be read: {e}");
            return part.problem(status_of(&e), why);
        }
    };
    match template {
        Ok(text) => {
            let json = text.trim_start().starts_with('{');
            part.files.push(File::new(
                format!("{folder}template.{}", if json { "json" } else { "yaml" }),
                if json {
                    "application/json"
                } else {
                    "application/yaml"
                },
                text.into_bytes(),
            ));
        }
        Err(e) => {
            let why = format!("the template of stack {name} in {region} could not be read: {e}");
            part = part.problem(status_of(&e), why);
        }
    }
    let description = json!({ "region": region, "stack": info });
    part.files.push(File::new(
        format!("{folder}stack.json"),
        "application/json",
        serde_json::to_string_pretty(&description)
            .unwrap_or_default()
            .into_bytes(),
    ));
    part
}

fn estate_file(path: Option<&Path>) -> Part {
    let part = Part::new("file", "estate file");
    let Some(path) = path else {
        // The simulation's estate is built in: nothing is missing from the backup.
        return Part {
            absent: Some(
                "no estate file was read (--demo without --config): the simulation's estate is \
                 built in"
                    .to_owned(),
            ),
            ..part
        };
    };
    match std::fs::read(path) {
        Ok(bytes) => Part {
            files: vec![File::new(
                format!("files/estate/{}", file_name(path)),
                "application/toml",
                bytes,
            )],
            target: format!("estate file {}", path.display()),
            ..part
        },
        Err(e) => part.problem(
            ItemStatus::Failed,
            format!("{} could not be read: {e}", path.display()),
        ),
    }
}

/// The runbooks the loader uses: each shipped one still in use as compiled in, and the
/// user's files as they are on disk. A user file that does not load is still stored (it is
/// what would run once fixed), with a warning naming its mistake.
fn runbooks(run: &Run<'_>, user_dir: Option<&Path>) -> Part {
    use crate::runbook::load::{Origin, SHIPPED, load_all};
    let mut part = Part::new("file", "runbooks");
    let shipped = |file: &str| {
        SHIPPED
            .iter()
            .find(|(f, _)| *f == file)
            .map(|(f, text)| shipped_file("runbooks", f, text))
    };
    match load_all(user_dir, run.estate) {
        Ok(loaded) => {
            for l in loaded {
                match l.origin {
                    Origin::Shipped => part.files.extend(shipped(&file_name(&l.path))),
                    Origin::User(path) => match user_file("runbooks", &path) {
                        Ok(file) => part.files.push(file),
                        Err(why) => part = part.problem(ItemStatus::Failed, why),
                    },
                }
            }
        }
        Err(e) => {
            part.files
                .extend(SHIPPED.iter().map(|(f, t)| shipped_file("runbooks", f, t)));
            for path in user_files(user_dir, "toml") {
                match user_file("runbooks", &path) {
                    Ok(file) => part.files.push(file),
                    Err(why) => part = part.problem(ItemStatus::Failed, why),
                }
            }
            part = part.problem(
                ItemStatus::Warning,
                format!("a runbook does not load ({e}); every file is stored as found"),
            );
        }
    }
    part
}

/// The message templates in use, as the runbooks and the console load them.
fn templates(user_dir: Option<&Path>) -> Part {
    use crate::comms::template::{EXTENSION, Library, Origin, SHIPPED};
    let mut part = Part::new("file", "message templates");
    let shipped = |name: &str| {
        SHIPPED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| shipped_file("comms", &format!("{n}.{EXTENSION}"), text))
    };
    match Library::load(user_dir) {
        Ok(library) => {
            for t in library.list() {
                match &t.origin {
                    Origin::Shipped => part.files.extend(shipped(&t.name)),
                    Origin::User(path) => match user_file("comms", path) {
                        Ok(file) => part.files.push(file),
                        Err(why) => part = part.problem(ItemStatus::Failed, why),
                    },
                }
            }
        }
        Err(e) => {
            part.files.extend(
                SHIPPED
                    .iter()
                    .map(|(n, t)| shipped_file("comms", &format!("{n}.{EXTENSION}"), t)),
            );
            for path in user_files(user_dir, EXTENSION) {
                match user_file("comms", &path) {
                    Ok(file) => part.files.push(file),
                    Err(why) => part = part.problem(ItemStatus::Failed, why),
                }
            }
            part = part.problem(
                ItemStatus::Warning,
                format!("a template does not load ({e}); every file is stored as found"),
            );
        }
    }
    part
}

fn shipped_file(kind: &str, file: &str, text: &str) -> File {
    File::new(
        format!("files/{kind}/shipped/{file}"),
        "text/plain",
        text.as_bytes().to_vec(),
    )
}

fn user_file(kind: &str, path: &Path) -> Result<File, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("{} could not be read: {e}", path.display()))?;
    Ok(File::new(
        format!("files/{kind}/user/{}", file_name(path)),
        "text/plain",
        bytes,
    ))
}

/// The files of `dir` with `extension`, by name.
fn user_files(dir: Option<&Path>, extension: &str) -> Vec<PathBuf> {
    let Some(Ok(entries)) = dir.map(std::fs::read_dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == extension) && p.is_file())
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn content_type_of(bytes: &[u8], path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    match ext {
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        _ if bytes.trim_ascii_start().starts_with(b"{") => "application/json",
        _ => "text/plain",
    }
}
