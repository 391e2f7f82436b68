//! Region fast-fail: once a region's endpoint has not answered (a timeout, a refused or
//! dropped connection), calls to it fail at once for a while instead of each waiting out its
//! own timeout. With the primary region gone, a restore in the backup region then waits on
//! it for one call timeout in all, not one per call.
//!
//! An SDK interceptor on every client, keyed by the endpoint an attempt goes to (so Route53
//! and the global STS client count as their own endpoint's region), named by the client's
//! region. Any answer from the endpoint, an error response included, clears the mark.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// How long a region that did not answer is not asked again.
pub(super) const DOWN_FOR: Duration = Duration::from_secs(60);

/// When each endpoint last failed to answer, and how.
#[derive(Debug, Default)]
pub(super) struct DownRegions(Mutex<HashMap<String, (Instant, String)>>);

impl DownRegions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, String)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The refusal for a call to `endpoint` (of `region`) now, while it is marked down.
    fn refusal(&self, endpoint: &str, region: &str) -> Option<RegionDown> {
        let mut map = self.lock();
        let (since, how) = map.get(endpoint)?;
        let ago = since.elapsed();
        if ago >= DOWN_FOR {
            map.remove(endpoint);
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

/// The endpoint an attempt is sent to, kept from before it leaves to after it ends.
#[derive(Debug, Clone)]
struct Endpoint(String);

impl Storable for Endpoint {
    type Storer = StoreReplace<Self>;
}

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
}

/// `host[:port]` of a request's URI: what is marked down. Keyed by endpoint rather than by
/// region name alone, so one dead service endpoint (a per-service override) does not
/// condemn the region's other services; a region gone dark takes each of its endpoints
/// down on their first failed attempt.
fn authority(uri: &str) -> &str {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

impl Intercept for RegionGate {
    fn name(&self) -> &'static str {
        "drconsole::RegionGate"
    }

    // Before every attempt, retries included: a retry of an attempt that timed out is the
    // wait this gate exists to spare.
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let key = authority(context.request().uri()).to_owned();
        let refused = self.down.refusal(&key, &self.region);
        cfg.interceptor_state().store_put(Endpoint(key));
        match refused {
            Some(refused) => Err(Box::new(refused)),
            None => Ok(()),
        }
    }

    // Per attempt, not per call: the call's own overall timeout drops it without a last
    // look, but each attempt's timeout ends here.
    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Endpoint(key)) = cfg.load::<Endpoint>() else {
            return Ok(());
        };
        if context.response().is_some() {
            self.down.clear(key);
        } else if let Some(Err(e)) = context.output_or_error() {
            if e.is_timeout_error() {
                self.down
                    .mark(key, "no answer within the call's time limit");
            } else if e.is_connector_error() {
                self.down.mark(key, "could not reach the endpoint");
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
    fn a_mark_refuses_its_endpoint_only_until_an_answer_clears_it() {
        let down = DownRegions::default();
        let east = authority("http://127.0.0.1:4566/?Action=x");
        assert_eq!(east, "127.0.0.1:4566");
        assert!(down.refusal(east, "us-east-1").is_none());
        down.mark(east, "could not reach the endpoint");
        let refused = down
            .refusal(east, "us-east-1")
            .expect("marked down")
            .to_string();
        assert!(
            refused.starts_with("could not reach the endpoint: us-east-1 did not answer 0 s ago;"),
            "{refused}"
        );
        assert!(refused.ends_with("not asked again for 60 s"), "{refused}");
        let other = authority("https://monitoring.us-east-1.amazonaws.com/");
        assert!(
            down.refusal(other, "us-east-1").is_none(),
            "another endpoint is asked"
        );
        down.clear(east);
        assert!(down.refusal(east, "us-east-1").is_none());
    }
}
