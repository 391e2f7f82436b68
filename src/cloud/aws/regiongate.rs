//! Region fast-fail: once a region's endpoint has not answered (a timeout, a refused or
//! dropped connection), calls to it fail at once for a while instead of each waiting out its
//! own timeout. With the primary region gone, a restore in the backup region then waits on
//! it for one call timeout in all, not one per call.
//!
//! An SDK interceptor on every client, keyed by the region whose endpoint the client calls
//! (Route53 and the global STS client by their own endpoint's region). Any answer from the
//! endpoint, an error response included, clears the mark.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// How long a region that did not answer is not asked again.
pub(super) const DOWN_FOR: Duration = Duration::from_secs(60);

/// When each region last failed to answer, and how.
#[derive(Debug, Default)]
pub(super) struct DownRegions(Mutex<HashMap<String, (Instant, String)>>);

impl DownRegions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, String)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The refusal for a call to `region` now, while it is marked down.
    fn refusal(&self, region: &str) -> Option<RegionDown> {
        let mut map = self.lock();
        let (since, how) = map.get(region)?;
        let ago = since.elapsed();
        if ago >= DOWN_FOR {
            map.remove(region);
            return None;
        }
        Some(RegionDown {
            region: region.to_owned(),
            ago,
            left: DOWN_FOR - ago,
            how: how.clone(),
        })
    }

    fn mark(&self, region: &str, how: &str) {
        self.lock()
            .entry(region.to_owned())
            .or_insert_with(|| (Instant::now(), how.to_owned()));
    }

    fn clear(&self, region: &str) {
        self.lock().remove(region);
    }
}

/// A call not sent because its region did not answer a moment ago.
#[derive(Debug)]
pub(crate) struct RegionDown {
    region: String,
    ago: Duration,
    left: Duration,
    how: String,
}

impl std::fmt::Display for RegionDown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The first words are the original failure's, as a call that waited would say it.
        write!(
            f,
            "{}: {} did not answer {} s ago; not asked again for {} s",
            self.how,
            self.region,
            self.ago.as_secs(),
            self.left.as_secs_f64().ceil().max(1.0) as u64
        )
    }
}

impl std::error::Error for RegionDown {}

/// The interceptor of one client, for the region its endpoint serves.
#[derive(Debug, Clone)]
pub(super) struct RegionGate {
    region: String,
    down: Arc<DownRegions>,
}

impl RegionGate {
    pub(super) fn new(region: impl Into<String>, down: &Arc<DownRegions>) -> Self {
        Self {
            region: region.into(),
            down: Arc::clone(down),
        }
    }

    fn check(&self) -> Result<(), BoxError> {
        match self.down.refusal(&self.region) {
            Some(refused) => Err(Box::new(refused)),
            None => Ok(()),
        }
    }
}

impl Intercept for RegionGate {
    fn name(&self) -> &'static str {
        "drconsole::RegionGate"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.check()
    }

    // Also before each retry: a retry of a call whose first attempt timed out is the wait
    // this gate exists to spare.
    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.check()
    }

    // Per attempt, not per call: the call's own overall timeout drops it without a last
    // look, but each attempt's timeout ends here.
    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.response().is_some() {
            self.down.clear(&self.region);
        } else if let Some(Err(e)) = context.output_or_error() {
            if e.is_timeout_error() {
                self.down
                    .mark(&self.region, "no answer within the call's time limit");
            } else if e.is_connector_error() {
                self.down.mark(&self.region, "could not reach the endpoint");
            }
        }
        Ok(())
    }
}

/// The gate's refusal among an SDK error's causes, if that is why the call was not sent.
pub(super) fn refusal_in(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if let Some(down) = cause.downcast_ref::<RegionDown>() {
            return Some(down.to_string());
        }
        source = cause.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_refuses_its_region_only_until_an_answer_clears_it() {
        let down = DownRegions::default();
        assert!(down.refusal("us-east-1").is_none());
        down.mark("us-east-1", "could not reach the endpoint");
        let refused = down.refusal("us-east-1").expect("marked down").to_string();
        assert!(
            refused.starts_with("could not reach the endpoint: us-east-1 did not answer 0 s ago;"),
            "{refused}"
        );
        assert!(refused.ends_with("not asked again for 60 s"), "{refused}");
        assert!(
            down.refusal("us-west-2").is_none(),
            "other regions are asked"
        );
        down.clear("us-east-1");
        assert!(down.refusal("us-east-1").is_none());
    }
}
