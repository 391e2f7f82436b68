//! `drconsole message …`: the communication templates headless — list them, render one filled
//! from an incident (or, with `--demo`, from the scripted simulated incident), post one.

mod post;
mod render;

use std::process::ExitCode;

use clap::Subcommand;

use crate::comms::Format;
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::session::SessionOptions;

#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Every template: name, what it is for, and where it comes from (shipped, or the
    /// user's file that replaces it).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print a template filled from an incident. Values the journal does not give are left
    /// as `[[placeholders]]`.
    Render {
        template: String,
        /// The incident (default: the only open one). With --demo, the scripted one.
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
        #[arg(long, default_value = "text", value_parser = parse_format)]
        format: Format,
    },
    /// Post a template filled from an incident (or a file's text) to the Slack webhook or
    /// the Statuspage page the estate file configures; journalled either way.
    Post {
        template: String,
        /// `slack` or `statuspage`.
        #[arg(long, value_name = "CHANNEL")]
        to: String,
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
        /// Post this file's text (an edited draft) instead of rendering the template.
        #[arg(long, value_name = "PATH")]
        text: Option<std::path::PathBuf>,
    },
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
        .map_err(|_| format!("unknown format `{s}`: use text or slack"))
}

pub async fn run(
    command: MessageCommand,
    options: &SessionOptions,
    dirs: &Dirs,
) -> Result<ExitCode, Failure> {
    match command {
        MessageCommand::List { json } => render::list(options, dirs, json).await,
        MessageCommand::Render {
            template,
            incident,
            format,
        } => render::render(options, dirs, &template, incident.as_deref(), format).await,
        MessageCommand::Post {
            template,
            to,
            incident,
            text,
        } => {
            post::post(
                options,
                dirs,
                &template,
                &to,
                incident.as_deref(),
                text.as_deref(),
            )
            .await
        }
    }
}
