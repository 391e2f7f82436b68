//! STS: the caller's account, shown in the header so nobody acts in the wrong account.

use async_trait::async_trait;

use super::{AwsCloud, cloud_error};
use crate::cloud::{CallerIdentity, CloudResult, Identity};

#[async_trait]
impl Identity for AwsCloud {
    async fn caller_identity(&self) -> CloudResult<CallerIdentity> {
        let out = self
            .sts
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
}
