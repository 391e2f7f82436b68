//! Starting the console: estate, theme, keys and cloud resolved before the terminal is
//! touched, so every mistake in them is a plain error message on a normal screen.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Local, Offset};

use super::app::App;
use super::keymap::{Keymap, default_keymap_path};
use super::run::run_terminal;
use super::theme::{Mode, Theme, no_color_requested, user_theme_dir};
use crate::cli::{self, EXAMPLE_ESTATE, Failure};
use crate::cloud::Cloud;
use crate::cloud::sim::{Fault, Latency, SimClock, SimCloud, SimOptions};
use crate::config;
use crate::health::PollerOptions;

/// How often the dashboard refreshes by itself (`r` refreshes at once).
pub const REFRESH_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct ConsoleOptions {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    /// Run on the embedded simulated estate: no cloud, no config needed.
    pub demo: bool,
    pub faults: Vec<String>,
    pub theme: Option<String>,
    pub keys: Option<PathBuf>,
}

pub async fn run(options: ConsoleOptions) -> Result<(), Failure> {
    let demo = options.demo || !options.faults.is_empty();
    let estate = match (&options.config, demo) {
        // The demo needs no file: it is the plan's own estate.
        (None, true) => config::parse(EXAMPLE_ESTATE, "templates/estate.example.toml".as_ref())?,
        (path, _) => cli::load_estate(path.as_deref())?,
    };
    let estate = Arc::new(estate);
    let mut theme = Theme::resolve(options.theme.as_deref(), user_theme_dir().as_deref())?;
    if no_color_requested(std::env::var_os("NO_COLOR").as_deref()) {
        theme = theme.without_color();
    }
    // A path given on purpose must exist; the default one is optional.
    let keymap = match &options.keys {
        Some(path) => Keymap::load(path)?,
        None => Keymap::load_default_or_builtin(default_keymap_path().as_deref())?,
    };

    let (cloud, mode): (Arc<dyn Cloud>, Mode) = if demo {
        let faults = options
            .faults
            .iter()
            .map(|f| {
                f.parse::<Fault>()
                    .map_err(|e| Failure::Usage(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sim = SimCloud::new(
            &estate,
            SimOptions {
                clock: SimClock::real(),
                latency: Latency::Realistic,
                faults,
            },
        );
        (Arc::new(sim), Mode::Simulation)
    } else {
        (
            Arc::new(cli::aws_for(&estate, options.profile.as_deref()).await),
            Mode::Production,
        )
    };

    let mut app = App::new(Arc::clone(&estate), mode, keymap, cloud.now());
    app.local_offset = Local::now().offset().fix();
    app.endpoints = cloud.endpoint_overrides();
    let poll = PollerOptions {
        interval: REFRESH_EVERY,
        concurrency: estate.aws.max_concurrency,
    };
    run_terminal(app, theme, cloud, poll)
        .await
        .map_err(|e| Failure::Internal(format!("terminal: {e}")))
}
