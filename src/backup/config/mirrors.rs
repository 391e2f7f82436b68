//! The git mirrors: whether each mirror's branches and tags point where the origin's do, by
//! `git ls-remote` of both (the plan pushes with `git push --mirror` and never looks).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::backup::{Item, ItemStatus, Run, bounded};
use crate::config::GitMirror;

/// How long one `git ls-remote` may take: a remote that hangs is unknown, not a hung run.
const LS_REMOTE_TIMEOUT: Duration = Duration::from_secs(60);

/// Branch and tag names to the commit (or tag object) each points at.
pub type Refs = BTreeMap<String, String>;

/// Why a remote's refs could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LsRemoteError {
    /// No `git` to run.
    NoGit(String),
    /// git ran and failed, or did not answer in time: its own words.
    Failed(String),
}

impl std::fmt::Display for LsRemoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LsRemoteError::NoGit(why) => {
                write!(f, "git could not be run ({why}): is it installed?")
            }
            LsRemoteError::Failed(why) => f.write_str(why),
        }
    }
}

/// One item per mirror URL of every repository.
pub async fn check(run: &Run<'_>) -> Vec<Item> {
    let repos = run.estate.backup.mirrors.clone();
    let n = run.estate.backup.concurrency;
    let per_repo = bounded(repos, n, &run.stop, |repo| async move {
        check_one(run, "git", &repo, LS_REMOTE_TIMEOUT).await
    })
    .await;
    per_repo.into_iter().flatten().collect()
}

/// One repository: its origin read once, then each mirror, compared with it.
pub async fn check_one(
    run: &Run<'_>,
    program: &str,
    repo: &GitMirror,
    timeout: Duration,
) -> Vec<Item> {
    let origin_url = repo.origin.get_ref();
    run.say(format!(
        "mirror {}: reading {}",
        repo.name,
        redact(origin_url)
    ));
    let origin = ls_remote(program, origin_url, timeout).await;
    let urls: Vec<String> = repo.mirrors.iter().map(|m| m.get_ref().clone()).collect();
    let origin = &origin;
    bounded(
        urls,
        run.estate.backup.concurrency,
        &run.stop,
        |url| async move {
            let target = format!("{} {}", repo.name, redact(&url));
            let origin = match origin {
                Ok(refs) => refs,
                Err(e) => {
                    return Item::new(
                        "mirror",
                        &target,
                        ItemStatus::Unknown,
                        format!("the origin {} could not be read: {e}", redact(origin_url)),
                    );
                }
            };
            run.say(format!("mirror {}: reading {}", repo.name, redact(&url)));
            match ls_remote(program, &url, timeout).await {
                Err(e) => Item::new(
                    "mirror",
                    &target,
                    ItemStatus::Unknown,
                    format!("the mirror could not be read: {e}"),
                ),
                Ok(mirror) => compared(&target, origin, &mirror),
            }
        },
    )
    .await
}

fn compared(target: &str, origin: &Refs, mirror: &Refs) -> Item {
    let differences = differences(origin, mirror);
    let branches = origin
        .keys()
        .filter(|r| r.starts_with("refs/heads/"))
        .count();
    let tags = origin
        .keys()
        .filter(|r| r.starts_with("refs/tags/"))
        .count();
    let item = if differences.is_empty() {
        Item::new(
            "mirror",
            target,
            ItemStatus::Done,
            format!("{branches} branch(es) and {tags} tag(s) match the origin"),
        )
    } else {
        Item::new(
            "mirror",
            target,
            ItemStatus::Failed,
            format!("not a mirror of the origin: {}", differences.join("; ")),
        )
        .figure("differences", differences.len())
    };
    item.figure("branches", branches).figure("tags", tags)
}

/// Each ref that is missing at the mirror, points elsewhere, or is only at the mirror.
pub fn differences(origin: &Refs, mirror: &Refs) -> Vec<String> {
    let short = |sha: &str| sha.chars().take(12).collect::<String>();
    let mut out = Vec::new();
    for (name, sha) in origin {
        match mirror.get(name) {
            None => out.push(format!("{name} is missing at the mirror")),
            Some(m) if m != sha => out.push(format!(
                "{name} is {} at the mirror, {} at the origin",
                short(m),
                short(sha)
            )),
            Some(_) => {}
        }
    }
    for name in mirror.keys().filter(|n| !origin.contains_key(*n)) {
        out.push(format!("{name} is only at the mirror"));
    }
    out
}

/// The branches and tags of the remote at `url` (peeled tags included), asked with no
/// prompt: under cron nobody can type a password, so git must fail rather than wait.
pub async fn ls_remote(program: &str, url: &str, timeout: Duration) -> Result<Refs, LsRemoteError> {
    let mut command = tokio::process::Command::new(program);
    command
        .args(["ls-remote", "--heads", "--tags", "--", url])
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if std::env::var_os("GIT_SSH_COMMAND").is_none() {
        command.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let output = match tokio::time::timeout(timeout, command.output()).await {
        Err(_) => {
            return Err(LsRemoteError::Failed(format!(
                "no answer within {}s",
                timeout.as_secs()
            )));
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LsRemoteError::NoGit(e.to_string()));
        }
        Ok(Err(e)) => return Err(LsRemoteError::Failed(e.to_string())),
        Ok(Ok(output)) => output,
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let said = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        return Err(LsRemoteError::Failed(redact_in(
            &format!("git ls-remote failed ({}): {said}", output.status),
            url,
        )));
    }
    Ok(parse(&String::from_utf8_lossy(&output.stdout)))
}

/// `<sha>\t<ref>` lines, branches and tags only.
pub fn parse(text: &str) -> Refs {
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .filter(|(_, name)| name.starts_with("refs/heads/") || name.starts_with("refs/tags/"))
        .map(|(sha, name)| (name.trim().to_owned(), sha.trim().to_owned()))
        .collect()
}

/// The URL without a password or token in it (`https://user:token@host/...`): the summary
/// goes to cron's mail and the history.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

fn redact_in(text: &str, url: &str) -> String {
    text.replace(url, &redact(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_in_a_url_is_never_shown() {
        assert_eq!(
            redact("https://ci:s3cr3t@gitlab.com/example/flightdata.git"),
            "https://***@gitlab.com/example/flightdata.git"
        );
        assert_eq!(
            redact("git@github.com:example/flightdata.git"),
            "git@github.com:example/flightdata.git"
        );
        assert_eq!(redact("/srv/git/flightdata.git"), "/srv/git/flightdata.git");
    }

    #[test]
    fn only_branches_and_tags_are_compared() {
        let refs = parse(
            "aaaa\tHEAD\nbbbb\trefs/heads/main\ncccc\trefs/tags/v1\ndddd\trefs/tags/v1^{}\n\
             eeee\trefs/pull/1/head\n",
        );
        assert_eq!(
            refs.keys().collect::<Vec<_>>(),
            ["refs/heads/main", "refs/tags/v1", "refs/tags/v1^{}"]
        );
    }

    #[test]
    fn each_differing_ref_is_named() {
        let origin = parse("1111\trefs/heads/main\n2222\trefs/heads/dev\n3333\trefs/tags/v1\n");
        let mirror = parse("1111\trefs/heads/main\n9999\trefs/heads/dev\n4444\trefs/heads/old\n");
        assert_eq!(
            differences(&origin, &mirror),
            [
                "refs/heads/dev is 9999 at the mirror, 2222 at the origin",
                "refs/tags/v1 is missing at the mirror",
                "refs/heads/old is only at the mirror",
            ]
        );
    }

    #[tokio::test]
    async fn no_git_binary_reads_as_no_git() {
        let e = ls_remote(
            "drconsole-no-such-git-binary",
            "https://example.com/x.git",
            Duration::from_secs(5),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, LsRemoteError::NoGit(_)), "{e:?}");
        assert!(e.to_string().contains("is it installed"), "{e}");
    }
}
