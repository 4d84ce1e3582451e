//! Deployments: who may deploy, what is refused, what reaches the EC2 port.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use backend::auth::Role;
use backend::aws::recording::{RecordedCall, RecordingNetwork};
use serde_json::{Value, json};

use crate::support::{Session, TestApp, valid_design};

async fn saved_design(app: &TestApp, session: &Session, document: Value) -> String {
    let created = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(session),
            Some(json!({"document": document})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["id"].as_str().unwrap().to_string()
}

async fn wait_for_end(app: &TestApp, session: &Session, deployment_id: &str) -> Value {
    for _ in 0..200 {
        let answer = app
            .request(
                Method::GET,
                &format!("/api/v1/deployments/{deployment_id}"),
                Some(session),
                None,
            )
            .await;
        if answer.body["status"] != "running" {
            return answer.body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("deployment {deployment_id} did not finish");
}

#[tokio::test]
async fn a_deployer_deploys_vpc_then_subnets_and_the_journal_lists_every_id() {
    let app = TestApp::new().await.with_user("dana", Role::Deployer).await;
    let session = app.login("dana").await;
    let design_id = saved_design(&app, &session, valid_design()).await;
    let started = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{design_id}/deployments"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let finished = wait_for_end(&app, &session, started.body["id"].as_str().unwrap()).await;
    assert_eq!(finished["status"], "succeeded", "{finished}");
    let resources = finished["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 3);
    // The VPC first; its two subnets then run in parallel, in either order.
    let mut calls = app.network.calls();
    calls[1..].sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    assert_eq!(
        calls,
        vec![
            RecordedCall {
                operation: "CreateVpc",
                logical_id: "vpc-1".into(),
                cidr_block: "10.0.0.0/16".into()
            },
            RecordedCall {
                operation: "CreateSubnet",
                logical_id: "subnet-1".into(),
                cidr_block: "10.0.0.0/24".into()
            },
            RecordedCall {
                operation: "CreateSubnet",
                logical_id: "subnet-2".into(),
                cidr_block: "10.0.1.0/24".into()
            },
        ]
    );
}

#[tokio::test]
async fn designers_and_viewers_cannot_deploy() {
    let app = TestApp::new()
        .await
        .with_user("ada", Role::Designer)
        .await
        .with_user("vic", Role::Viewer)
        .await;
    let designer = app.login("ada").await;
    let design_id = saved_design(&app, &designer, valid_design()).await;
    for name in ["ada", "vic"] {
        let session = app.login(name).await;
        let answer = app
            .request(
                Method::POST,
                &format!("/api/v1/designs/{design_id}/deployments"),
                Some(&session),
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{name}");
    }
    assert!(app.network.calls().is_empty());
}

#[tokio::test]
async fn a_design_with_errors_is_not_deployed() {
    let app = TestApp::new().await.with_user("dana", Role::Deployer).await;
    let session = app.login("dana").await;
    let mut overlapping = valid_design();
    overlapping["subnets"][1]["cidr"] = json!("10.0.0.0/24");
    let design_id = saved_design(&app, &session, overlapping).await;
    let answer = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{design_id}/deployments"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.body["code"], "design_has_errors");
    assert_eq!(
        answer.body["details"]["diagnostics"][0]["code"],
        "subnet.overlap"
    );
    assert!(app.network.calls().is_empty());
}

#[tokio::test]
async fn two_deployments_of_one_design_at_once_run_exactly_one() {
    let app = TestApp::with_network(RecordingNetwork::gated())
        .await
        .with_user("dana", Role::Deployer)
        .await;
    let session = app.login("dana").await;
    let design_id = saved_design(&app, &session, valid_design()).await;
    let uri = format!("/api/v1/designs/{design_id}/deployments");
    let first = app.request(Method::POST, &uri, Some(&session), None).await;
    let second = app.request(Method::POST, &uri, Some(&session), None).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.body["code"], "deployment_running");
    app.network.release(3);
    let finished = wait_for_end(&app, &session, first.body["id"].as_str().unwrap()).await;
    assert_eq!(finished["status"], "succeeded");
    assert_eq!(app.network.calls().len(), 3);
}

#[tokio::test]
async fn the_plan_the_event_stream_and_a_destroy_through_the_api() {
    let app = TestApp::new()
        .await
        .with_user("dana", Role::Deployer)
        .await
        .with_user("vera", Role::Viewer)
        .await;
    let session = app.login("dana").await;
    let design_id = saved_design(&app, &session, valid_design()).await;
    let plan_path = format!("/api/v1/designs/{design_id}/plan");
    let viewer = app.login("vera").await;
    let refused = app
        .request(Method::GET, &plan_path, Some(&viewer), None)
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "planning needs the deployer role"
    );
    let plan = app
        .request(Method::GET, &plan_path, Some(&session), None)
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let steps = plan.body["plan"]["steps"].as_array().unwrap();
    assert_eq!(
        plan.body["counts"][0],
        steps.len(),
        "an empty account: all creates"
    );
    assert!(
        steps
            .iter()
            .any(|s| s["key"]["kind"] == "vpc" && s["action"]["action"] == "create")
    );

    let started = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{design_id}/deployments"),
            Some(&session),
            None,
        )
        .await;
    let deployment_id = started.body["id"].as_str().unwrap().to_string();
    wait_for_end(&app, &session, &deployment_id).await;
    // The stream replays the journal (started and done per step) and ends with the status.
    let events = app
        .request(
            Method::GET,
            &format!("/api/v1/deployments/{deployment_id}/events"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(events.status, StatusCode::OK);
    assert_eq!(events.headers["content-type"], "text/event-stream");
    let started_steps = events.text.matches("\"phase\":\"started\"").count();
    let done_steps = events.text.matches("\"phase\":\"done\"").count();
    assert_eq!(started_steps, steps.len(), "{}", events.text);
    assert_eq!(done_steps, steps.len());
    assert!(events.text.contains("event: end"));
    assert!(events.text.contains("\"status\":\"succeeded\""));

    let destroy = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{design_id}/destroy"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(destroy.status, StatusCode::ACCEPTED, "{}", destroy.body);
    let finished = wait_for_end(&app, &session, destroy.body["id"].as_str().unwrap()).await;
    assert_eq!(finished["status"], "succeeded", "{finished}");
    assert_eq!(finished["operation"], "destroy");
    let refused = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{design_id}/destroy"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_deployed_design_says_where_its_deployment_stands_and_drift_before_it_says_not_deployed()
{
    let app = TestApp::new().await.with_user("dana", Role::Deployer).await;
    let session = app.login("dana").await;
    let design_id = saved_design(&app, &session, valid_design()).await;
    // Nothing in the account yet: no drift to report, not three resources "deleted".
    let drift = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{design_id}/drift"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(drift.status, StatusCode::OK, "{}", drift.body);
    assert_eq!(drift.body["deployed"], false);
    assert_eq!(drift.body["lines"], json!([]));
    let plan = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{design_id}/plan"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(plan.body["approval"], Value::Null, "no protected target");

    let started = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{design_id}/deployments"),
            Some(&session),
            None,
        )
        .await;
    let deployment_id = started.body["id"].as_str().unwrap().to_string();
    wait_for_end(&app, &session, &deployment_id).await;
    let read = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{design_id}"),
            Some(&session),
            None,
        )
        .await;
    let deployment = &read.body["deployment"];
    assert_eq!(deployment["id"], deployment_id.as_str(), "{}", read.body);
    assert_eq!(deployment["status"], "succeeded");
    assert_eq!(deployment["operation"], "apply");
    assert_eq!(deployment["design_revision"], 1);
    let listed = app
        .request(Method::GET, "/api/v1/designs", Some(&session), None)
        .await;
    assert_eq!(listed.body["designs"][0]["deployment"], *deployment);
}

#[tokio::test]
async fn the_plan_of_a_protected_target_says_who_must_approve() {
    let app = TestApp::new()
        .await
        .with_protected_target("us-east-1")
        .with_user("dana", Role::Deployer)
        .await;
    let session = app.login("dana").await;
    let design_id = saved_design(&app, &session, valid_design()).await;
    let plan = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{design_id}/plan"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let approval = plan.body["approval"].as_str().unwrap_or_default();
    assert!(
        approval.contains("us-east-1") && approval.contains("different deployer"),
        "{approval}"
    );
}

/// Deployments are leased jobs (on SQLite here and on PostgreSQL in the suite's second run):
/// a live lease is never claimed, an expired one is taken over by exactly one of two servers
/// claiming at once, the server that lost it can neither renew it nor record the end, and a
/// released one is claimed at once (not counted as a takeover).
#[tokio::test]
async fn a_deployment_is_claimed_by_one_server_only_once_its_lease_expired_or_was_released() {
    use backend::store::Lease;
    use shared::api::DeploymentStatus;
    let app = TestApp::new().await.with_user("dana", Role::Deployer).await;
    let session = app.login("dana").await;
    let user = app.user_id("dana").await;
    let store = &app.state.store;
    let lease = |owner: &str, milliseconds: u64| Lease {
        owner: owner.to_string(),
        duration: Duration::from_millis(milliseconds),
    };
    let (gone, first, second) = (
        lease("moat-gone", 1),
        lease("moat-first", 60_000),
        lease("moat-second", 60_000),
    );

    // A live lease: nobody claims it.
    let held_design = saved_design(&app, &session, valid_design()).await;
    store
        .create_deployment(
            "dep-held",
            &held_design,
            1,
            user,
            DeploymentStatus::Running,
            "hash",
            Some(&lease("moat-alive", 60_000)),
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_unleased_deployments(&first)
            .await
            .unwrap()
            .is_empty()
    );

    // An expired lease: of two servers claiming at once, exactly one takes it over.
    let expired_design = saved_design(&app, &session, valid_design()).await;
    store
        .create_deployment(
            "dep-expired",
            &expired_design,
            1,
            user,
            DeploymentStatus::Running,
            "hash",
            Some(&gone),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let (by_first, by_second) = tokio::join!(
        store.claim_unleased_deployments(&first),
        store.claim_unleased_deployments(&second)
    );
    let claims: Vec<_> = by_first
        .unwrap()
        .into_iter()
        .map(|claim| ("moat-first", claim))
        .chain(
            by_second
                .unwrap()
                .into_iter()
                .map(|claim| ("moat-second", claim)),
        )
        .collect();
    assert_eq!(claims.len(), 1, "{claims:?}");
    let (winner, claim) = &claims[0];
    assert_eq!(claim.id, "dep-expired");
    assert!(claim.takeover);
    let (holder, takeovers) = store.lease_of("dep-expired").await.unwrap();
    assert_eq!(holder.as_deref(), Some(*winner));
    assert_eq!(takeovers, 1);
    // The server that lost it can neither renew it nor record its end.
    assert!(!store.renew_lease("dep-expired", &gone).await.unwrap());
    assert!(
        !store
            .finish_leased_deployment("dep-expired", "moat-gone", DeploymentStatus::Failed, "late")
            .await
            .unwrap()
    );
    let winner_lease = if *winner == "moat-first" {
        &first
    } else {
        &second
    };
    assert!(
        store
            .renew_lease("dep-expired", winner_lease)
            .await
            .unwrap()
    );
    assert!(
        store
            .finish_leased_deployment("dep-expired", winner, DeploymentStatus::Succeeded, "done")
            .await
            .unwrap()
    );
    assert_eq!(
        store.deployment("dep-expired").await.unwrap().status,
        DeploymentStatus::Succeeded
    );

    // A released lease (a server stopping): claimed at once, not a takeover.
    assert_eq!(store.release_leases("moat-alive", None).await.unwrap(), 1);
    let claimed = store.claim_unleased_deployments(&first).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, "dep-held");
    assert!(!claimed[0].takeover);
    assert_eq!(
        store.lease_of("dep-held").await.unwrap(),
        (Some("moat-first".to_string()), 0)
    );
}
