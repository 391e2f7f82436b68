//! Starting the console: session, theme and keys resolved before the terminal is touched,
//! so every mistake in them is a plain error message on a normal screen.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Local, Offset};

use super::app::App;
use super::keymap::{Keymap, default_keymap_path};
use super::run::{Actions, Incidents, run_terminal};
use super::theme::{Theme, no_color_requested, user_theme_dir};
use crate::dirs::Dirs;
use crate::error::Failure;
use crate::health::PollerOptions;
use crate::incident::{IncidentStore, Origin};
use crate::session::{Session, SessionOptions};

/// How often the dashboard refreshes by itself (`r` refreshes at once).
pub const REFRESH_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct ConsoleOptions {
    pub session: SessionOptions,
    pub theme: Option<String>,
    pub keys: Option<PathBuf>,
    /// Where incidents are kept; without it the console can watch but not journal.
    pub dirs: Option<Dirs>,
}

pub async fn run(options: ConsoleOptions) -> Result<(), Failure> {
    let session = Session::open(&options.session).await?;
    let mut theme = Theme::resolve(options.theme.as_deref(), user_theme_dir().as_deref())?;
    if no_color_requested(std::env::var_os("NO_COLOR").as_deref()) {
        theme = theme.without_color();
    }
    // A path given on purpose must exist; the default one is optional.
    let keymap = match &options.keys {
        Some(path) => Keymap::load(path)?,
        None => Keymap::load_default_or_builtin(default_keymap_path().as_deref())?,
    };

    let mut app = App::new(
        Arc::clone(&session.estate),
        session.mode,
        keymap,
        session.cloud.now(),
    );
    app.local_offset = Local::now().offset().fix();
    app.endpoints = session.cloud.endpoint_overrides();
    app.read_only = session.read_only;
    // A runbook that does not load is shown on the dashboard, file:line:column, not fatal:
    // the console is still needed to watch the estate.
    let runbook_dir = crate::runbook::load::user_dir();
    let runbooks = crate::runbook::load::load_all(runbook_dir.as_deref(), &session.estate)
        .map(|all| {
            all.into_iter()
                .map(|loaded| Arc::new(loaded.runbook))
                .collect()
        })
        .map_err(|e| e.to_string());
    app.set_runbooks(runbooks);
    // Likewise a user template that does not load: the shipped ones are still offered.
    let (templates, error) = super::comms::console_library();
    app.set_templates(templates, error);
    let poll = PollerOptions {
        interval: REFRESH_EVERY,
        concurrency: session.estate.aws.max_concurrency,
    };
    let incidents = options.dirs.as_ref().and_then(|dirs| {
        let store = IncidentStore::new(dirs, session.mode).ok()?;
        let origin = Origin::for_session(&session, None);
        Some(Incidents { store, origin })
    });
    let actions = options.dirs.clone().map(|dirs| Actions {
        session: session.clone(),
        dirs,
    });
    run_terminal(
        app,
        theme,
        Arc::clone(&session.cloud),
        poll,
        incidents,
        actions,
    )
    .await
    .map_err(|e| Failure::Internal(format!("terminal: {e}")))
}
