//! `message post`: one message to Slack or Statuspage, journalled.

use std::path::Path;
use std::process::ExitCode;

use crate::dirs::Dirs;
use crate::error::Failure;
use crate::session::SessionOptions;

pub async fn post(
    options: &SessionOptions,
    dirs: &Dirs,
    template: &str,
    to: &str,
    incident: Option<&str>,
    text: Option<&Path>,
) -> Result<ExitCode, Failure> {
    let _ = (options, dirs, template, to, incident, text);
    Err(Failure::Usage("message post: not built yet".into()))
}
