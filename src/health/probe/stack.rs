//! The stack probe: a stack of the estate file, by name in its region.

use super::{Observed, Probes};
use crate::config::StackEntry;
use crate::health::{Facts, ResourceKind, StackFacts};

impl Probes<'_> {
    pub async fn stack(&self, entry: &StackEntry) -> Observed {
        let name = entry.name.get_ref();
        let region = entry
            .region
            .as_ref()
            .map_or(self.primary(), |r| r.get_ref().as_str());
        let mut facts = StackFacts {
            role: entry
                .role
                .and_then(|r| serde_json::to_value(r).ok())
                .and_then(|v| v.as_str().map(str::to_owned)),
            ..Default::default()
        };
        let mut errors = Vec::new();
        match self.cloud.describe_stack(region, name).await {
            Ok(info) => {
                facts.exists = Some(true);
                facts.stack_status = Some(info.status);
                facts.status_reason = info.status_reason;
                facts.last_updated = info.last_updated;
                facts.parameters = info
                    .parameters
                    .into_iter()
                    .map(|p| (p.key, p.value.unwrap_or_default()))
                    .collect();
            }
            Err(e) if e.is_not_found() => facts.exists = Some(false),
            Err(e) => errors.push(e),
        }
        self.observed(
            ResourceKind::Stack,
            name,
            region,
            Facts::Stack(facts),
            errors,
        )
    }
}
