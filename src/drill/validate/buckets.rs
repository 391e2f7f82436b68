//! Stand-in until the buckets check lands: the agreed signature, no findings.

use super::Finding;
use crate::action::Context;
use crate::config::ValidateSettings;

pub async fn check(ctx: &Context<'_>, settings: &ValidateSettings) -> Vec<Finding> {
    let _ = (ctx, settings);
    Vec::new()
}
