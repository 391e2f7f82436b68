//! `message list` and `message render`.

use std::process::ExitCode;

use crate::comms::Format;
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::session::SessionOptions;

pub async fn list(options: &SessionOptions, dirs: &Dirs, json: bool) -> Result<ExitCode, Failure> {
    let _ = (options, dirs, json);
    Err(Failure::Usage("message list: not built yet".into()))
}

pub async fn render(
    options: &SessionOptions,
    dirs: &Dirs,
    template: &str,
    incident: Option<&str>,
    format: Format,
) -> Result<ExitCode, Failure> {
    let _ = (options, dirs, template, incident, format);
    Err(Failure::Usage("message render: not built yet".into()))
}
