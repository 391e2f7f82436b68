//! Whether what drconsole is pointed at is real: production, a drill, or the simulated
//! estate. Stamped on every screen, report and journal entry, so a rehearsal never passes
//! for the real thing. Its own module because the directories and the journal need it and
//! must not depend on the session that builds clouds.

use serde::{Deserialize, Serialize};

/// What a session is pointed at. Every screen and every report says which, so a rehearsal
/// never passes for the real thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Production,
    Drill,
    Simulation,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Production => "PRODUCTION",
            Mode::Drill => "DRILL",
            Mode::Simulation => "SIMULATION",
        }
    }
}
