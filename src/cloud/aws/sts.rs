//! STS: the caller's account, shown in the header so nobody acts in the wrong account.

use async_trait::async_trait;

use super::{AwsCloud, cloud_error};
use crate::cloud::{CallerIdentity, CloudResult, Identity};

#[async_trait]
impl Identity for AwsCloud {
    async fn caller_identity(&self) -> CloudResult<CallerIdentity> {
        identity(&self.sts).await
    }

    /// Through the region's own STS endpoint (STS is regional by default in the SDK), and
    /// through its endpoint override when the estate file gives one.
    async fn caller_identity_in(&self, region: &str) -> CloudResult<CallerIdentity> {
        identity(&self.clients(region).sts).await
    }

    fn endpoint_overrides(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .base
            .endpoint_url()
            .map(|url| ("all".to_owned(), url.to_owned()))
            .into_iter()
            .collect();
        let mut regional: Vec<(String, String)> = self
            .region_endpoints
            .iter()
            .map(|(r, u)| (r.clone(), u.clone()))
            .collect();
        regional.sort();
        out.extend(regional);
        out
    }
}

async fn identity(sts: &aws_sdk_sts::Client) -> CloudResult<CallerIdentity> {
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| cloud_error("sts", "GetCallerIdentity", e))?;
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_owned(),
        arn: out.arn().unwrap_or_default().to_owned(),
        user_id: out.user_id().unwrap_or_default().to_owned(),
    })
}
