//! Regions first: whether each region of the estate could be reached, as a fact of its own,
//! judged from its STS endpoint and from every read made there during one snapshot.

use serde::Serialize;

use super::probe::Observed;
use crate::cloud::{CallerIdentity, CloudError, CloudResult, ErrorKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionRole {
    Primary,
    Backup,
}

/// One region as one snapshot saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionHealth {
    pub region: String,
    pub role: RegionRole,
    /// `Some(false)` only when every call there failed to reach its endpoint (an error the
    /// service answered with, AccessDenied included, proves it reachable); `None` when
    /// nothing tells (nothing was asked there, or no call could be sent).
    pub reachable: Option<bool>,
    /// Resources of this region read without an error, and all of them.
    pub resources_read: usize,
    pub resources: usize,
    /// Why it looks unreachable: the first such error.
    pub error: Option<String>,
}

impl RegionHealth {
    pub fn is_unreachable(&self) -> bool {
        self.reachable == Some(false)
    }
}

/// An error that says the endpoint did not answer, as opposed to one it answered with.
fn no_answer(e: &CloudError) -> bool {
    matches!(e.kind, ErrorKind::Unreachable | ErrorKind::Timeout)
}

/// Judges each region from its STS answer and the observations made in it.
pub(super) fn assess(
    regions: &[(String, RegionRole)],
    identities: &[(String, CloudResult<CallerIdentity>)],
    observed: &[Observed],
) -> Vec<RegionHealth> {
    regions
        .iter()
        .map(|(region, role)| {
            let sts = identities.iter().find(|(r, _)| r == region).map(|(_, a)| a);
            let mine: Vec<&Observed> = observed.iter().filter(|o| &o.region == region).collect();
            let resources_read = mine.iter().filter(|o| o.errors.is_empty()).count();
            let answered = resources_read > 0
                || matches!(sts, Some(Ok(_)))
                || mine.iter().any(|o| o.errors.iter().any(|e| !no_answer(e)));
            let silent = sts
                .and_then(|a| a.as_ref().err())
                .filter(|e| no_answer(e))
                .or_else(|| {
                    mine.iter()
                        .flat_map(|o| o.errors.iter())
                        .find(|e| no_answer(e))
                });
            let reachable = match (answered, silent) {
                (true, _) => Some(true),
                (false, Some(_)) => Some(false),
                (false, None) => None,
            };
            RegionHealth {
                region: region.clone(),
                role: *role,
                reachable,
                resources_read,
                resources: mine.len(),
                error: silent
                    .filter(|_| reachable == Some(false))
                    .map(ToString::to_string),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::health::{Facts, ResourceKind};

    fn observed(region: &str, errors: Vec<CloudError>) -> Observed {
        Observed {
            kind: ResourceKind::Table,
            name: "t".into(),
            region: region.into(),
            facts: Facts::Table(Default::default()),
            errors,
            fetched_at: Utc::now(),
        }
    }

    fn error(kind: ErrorKind) -> CloudError {
        CloudError::new("dynamodb", "DescribeTable", kind, "boom")
    }

    fn me() -> CloudResult<CallerIdentity> {
        Ok(CallerIdentity {
            account: "1".into(),
            arn: "a".into(),
            user_id: "u".into(),
        })
    }

    const REGIONS: fn() -> Vec<(String, RegionRole)> = || {
        vec![
            ("us-east-1".into(), RegionRole::Primary),
            ("us-west-2".into(), RegionRole::Backup),
        ]
    };

    #[test]
    fn a_region_where_nothing_answers_is_unreachable_and_the_other_is_not() {
        let identities = vec![
            ("us-east-1".into(), Err(error(ErrorKind::Unreachable))),
            ("us-west-2".into(), me()),
        ];
        let seen = vec![
            observed("us-east-1", vec![error(ErrorKind::Timeout)]),
            observed("us-west-2", vec![]),
        ];
        let r = assess(&REGIONS(), &identities, &seen);
        assert_eq!(r[0].reachable, Some(false));
        assert!(r[0].error.as_deref().unwrap().contains("boom"));
        assert_eq!(r[1].reachable, Some(true));
        assert_eq!((r[1].resources_read, r[1].resources), (1, 1));
    }

    #[test]
    fn refusals_are_answers_and_permissions_alone_tell_nothing() {
        let identities = vec![("us-east-1".into(), Err(error(ErrorKind::AccessDenied)))];
        let seen = vec![observed("us-east-1", vec![error(ErrorKind::AccessDenied)])];
        let r = assess(&REGIONS()[..1], &identities, &seen);
        assert_eq!(r[0].reachable, Some(true), "a refusal is an answer");
        let r = assess(&REGIONS()[..1], &[], &[]);
        assert_eq!(r[0].reachable, None, "nothing asked, nothing known");
    }
}
