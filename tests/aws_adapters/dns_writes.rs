//! Route53 health-check writes through the port: what a failover by health check sends, and
//! what moto keeps of it.

use super::*;

fn update(id: &str, inverted: Option<bool>, disabled: Option<bool>) -> WriteRequest {
    WriteRequest::UpdateHealthCheck {
        health_check_id: id.to_owned(),
        inverted,
        disabled,
    }
}

/// What moto keeps, read with the SDK rather than the adapter under test.
async fn flags(env: &MotoEnv, id: &str) -> (Option<bool>, Option<bool>) {
    let out = env
        .route53()
        .await
        .get_health_check()
        .health_check_id(id)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetHealthCheck {id}: {e:?}"));
    let config = out
        .health_check()
        .and_then(|c| c.health_check_config())
        .expect("a health check config")
        .clone();
    (config.inverted(), config.disabled())
}

#[tokio::test]
async fn dns_update_health_check_inverts_and_disables_and_leaves_the_rest() {
    let env = moto().await;
    let id = create_health_check(&env, "api-primary.flightdata.example.com").await;
    let cloud = env.cloud().await;

    let sent = cloud
        .send(&update(&id, Some(true), None), &Authority::for_tests())
        .await
        .unwrap();
    let WriteOutput::HealthCheck { config, at } = sent.output else {
        panic!("expected the health check back: {sent:?}");
    };
    assert!(config.inverted && !config.disabled, "{config:?}");
    assert!(at <= Utc::now());
    assert_eq!(flags(&env, &id).await.0, Some(true));

    // Only the flag given changes: the inversion stays while the check is disabled.
    write(&cloud, update(&id, None, Some(true))).await.unwrap();
    let (inverted, disabled) = flags(&env, &id).await;
    assert_eq!((inverted, disabled), (Some(true), Some(true)));
    let read = cloud.get_health_check(&id).await.unwrap();
    assert!(read.inverted && read.disabled, "{read:?}");

    write(&cloud, update(&id, Some(false), Some(false)))
        .await
        .unwrap();
    assert_eq!(flags(&env, &id).await, (Some(false), Some(false)));

    let err = write(&cloud, update("no-such-check", Some(true), None))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn dns_health_check_status_says_when_each_checker_looked() {
    let env = moto().await;
    let id = create_health_check(&env, "api-primary.flightdata.example.com").await;
    let status = env.cloud().await.health_check_status(&id).await.unwrap();
    assert!(!status.observations.is_empty(), "{status:?}");
    assert!(
        status.observations.iter().all(|o| o.checked_at.is_some()),
        "{status:?}"
    );
}
