//! `drconsole report (readiness)`.

use std::process::ExitCode;

use crate::dirs::Dirs;
use crate::error::Failure;
use crate::session::SessionOptions;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub async fn run(
    _args: Args,
    _options: &SessionOptions,
    _dirs: &Dirs,
) -> Result<ExitCode, Failure> {
    Err(Failure::Usage("not built yet".into()))
}
