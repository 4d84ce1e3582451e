//! Hostile designs against the server (#14): each limit answered with a clear 4xx, the last
//! admin kept through a race, and the subnet-overlap design that held the server for a minute (the test app takes 64 KiB
//! bodies: 600 subnets fit).

use std::time::Instant;

use axum::http::{Method, StatusCode};
use backend::auth::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, valid_design};

fn hostile(patch: impl Fn(&mut Value)) -> Value {
    let mut document = valid_design();
    patch(&mut document);
    document
}

#[tokio::test]
async fn a_design_over_any_limit_is_refused_with_the_limit_named() {
    let app = TestApp::new().await.with_user("dana", Role::Designer).await;
    let session = app.login("dana").await;
    let cases: Vec<(&str, Value)> = vec![
        (
            "limit.instance-count",
            hostile(|d| {
                d["workloads"] = json!([{"id": "wl-huge", "kind": "ec2", "count": 4294967295u64,
                    "subnet": d["subnets"][0]["id"].clone(), "instance_type": "m5.large"}]);
            }),
        ),
        (
            "limit.layout",
            hostile(|d| {
                d["layout"] =
                    json!({"huge": {"x": 0.0, "y": 0.0, "width": 1.0e9, "height": 1.0e9}});
            }),
        ),
        (
            "limit.text",
            hostile(|d| d["name"] = json!("x".repeat(2_000))),
        ),
        (
            "limit.rules",
            hostile(|d| {
                let rule =
                    json!({"protocol": "tcp", "from_port": 1, "to_port": 1, "cidr": "10.0.0.0/8"});
                let vpc = d["vpcs"][0]["id"].clone();
                d["security_groups"] = json!([{"id": "sg-many", "vpc": vpc, "name": "many",
                    "ingress": vec![rule; 1_001]}]);
            }),
        ),
    ];
    for (code, document) in cases {
        let started = Instant::now();
        let saved = app
            .request(
                Method::POST,
                "/api/v1/designs",
                Some(&session),
                Some(json!({"document": document})),
            )
            .await;
        let elapsed = started.elapsed();
        assert_eq!(
            saved.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {}",
            saved.text
        );
        assert_eq!(saved.body["code"], "over_limits", "{code}");
        let codes: Vec<&str> = saved.body["details"]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(codes.contains(&code), "{code}: {codes:?}");
        assert!(saved.body["message"].as_str().unwrap().contains("limit"));
        eprintln!("{code}: refused in {elapsed:?}");
    }
}

#[tokio::test]
async fn six_hundred_subnets_on_one_cidr_validate_with_one_diagnostic_each() {
    let app = TestApp::new().await.with_user("vera", Role::Viewer).await;
    let session = app.login("vera").await;
    let document = hostile(|d| {
        let vpc = d["vpcs"][0]["id"].clone();
        d["subnets"] = Value::Array(
            (0..600)
                .map(|n| {
                    json!({"id": format!("s-{n}"), "vpc": vpc, "availability_zone": "us-east-1a",
                                "cidr": "10.0.0.0/24", "tier": "private"})
                })
                .collect(),
        );
        d["route_tables"] = json!([]);
        d["nat_gateways"] = json!([]);
        d["workloads"] = json!([]);
        d["endpoints"] = json!([]);
    });
    let started = Instant::now();
    let answer = app
        .request(
            Method::POST,
            "/api/v1/validate",
            Some(&session),
            Some(document),
        )
        .await;
    let elapsed = started.elapsed();
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let overlaps = answer.body["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "subnet.overlap")
        .count();
    // Each subnet after the first is reported once (it was every pair: 179,700, each with a
    // hint costing a pass over every subnet: 400 subnets took 13 s).
    assert_eq!(overlaps, 599);
    eprintln!("600 overlapping subnets (a 57 KB body) validated in {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r14_two_admins_demoting_each_other_at_once_never_leave_no_admin() {
    let app = TestApp::new()
        .await
        .with_user("ada", Role::Admin)
        .await
        .with_user("bob", Role::Admin)
        .await;
    let ada = app.login("ada").await;
    let bob = app.login("bob").await;
    let (ada_id, bob_id) = (app.user_id("ada").await, app.user_id("bob").await);
    let (bob_uri, ada_uri) = (
        format!("/api/v1/users/{bob_id}"),
        format!("/api/v1/users/{ada_id}"),
    );
    for round in 0..200 {
        let (first, second) = tokio::join!(
            app.request(
                Method::PATCH,
                &bob_uri,
                Some(&ada),
                Some(json!({"role": "viewer"})),
            ),
            app.request(
                Method::PATCH,
                &ada_uri,
                Some(&bob),
                Some(json!({"role": "viewer"})),
            ),
        );
        let statuses = [first.status, second.status];
        // A demoted admin's second request is refused as no longer an admin (403), or the
        // last admin is kept (409): never both demoted.
        let succeeded = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(succeeded, 1, "round {round}: {statuses:?}");
        let users = app
            .request(
                Method::GET,
                "/api/v1/users",
                Some(if first.status == StatusCode::OK {
                    &ada
                } else {
                    &bob
                }),
                None,
            )
            .await;
        let admins = users.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["role"] == "admin" && u["status"] == "active")
            .count();
        assert_eq!(admins, 1, "round {round}");
        // The survivor makes the other an admin again.
        let (survivor, demoted) = if first.status == StatusCode::OK {
            (&ada, bob_id)
        } else {
            (&bob, ada_id)
        };
        let restored = app
            .request(
                Method::PATCH,
                &format!("/api/v1/users/{demoted}"),
                Some(survivor),
                Some(json!({"role": "admin"})),
            )
            .await;
        assert_eq!(restored.status, StatusCode::OK, "round {round}");
    }
}

#[tokio::test]
async fn r14_every_response_carries_the_security_headers_and_every_error_is_json() {
    let app = TestApp::new().await.with_user("vera", Role::Viewer).await;
    let session = app.login("vera").await;
    let health = app.request(Method::GET, "/api/v1/health", None, None).await;
    for (name, expected) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(health.headers[name], expected, "{name}");
    }
    let policy = health.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
    // A path and a query that do not parse answer with the JSON error document.
    for uri in [
        "/api/v1/designs/d-1/revisions/not-a-number",
        "/api/v1/designs/d-1/revisions/1/diff?against=soon",
    ] {
        let answer = app.request(Method::GET, uri, Some(&session), None).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{uri}: {}",
            answer.text
        );
        assert_eq!(answer.headers["content-type"], "application/json", "{uri}");
        assert_eq!(answer.body["code"], "bad_request", "{uri}");
        assert!(!answer.body["message"].as_str().unwrap().is_empty());
    }
    let wrong_method = app
        .request(Method::DELETE, "/api/v1/health", Some(&session), None)
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.body["code"], "method_not_allowed");
}

#[tokio::test]
async fn r14_a_region_spelled_otherwise_cannot_slip_past_the_two_person_rule() {
    let app = TestApp::new()
        .await
        .with_protected_target("us-east-1")
        .with_user("dev", Role::Deployer)
        .await;
    let session = app.login("dev").await;
    for region in ["US-EAST-1", "us-east-1\u{200b}", " us-east-1"] {
        let mut document = valid_design();
        document["region"] = json!(region);
        let saved = app
            .request(
                Method::POST,
                "/api/v1/designs",
                Some(&session),
                Some(json!({"document": document})),
            )
            .await;
        assert_eq!(
            saved.status,
            StatusCode::CREATED,
            "{region:?}: {}",
            saved.text
        );
        let design_id = saved.body["id"].as_str().unwrap().to_string();
        let deployment = app
            .request(
                Method::POST,
                &format!("/api/v1/designs/{design_id}/deployments"),
                Some(&session),
                None,
            )
            .await;
        // The region is no AWS region as spelled: an error, and a design with errors never
        // deploys, approved or not (it started unapproved before).
        assert_eq!(
            deployment.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{region:?}: {}",
            deployment.text
        );
        assert!(
            deployment.text.contains("region"),
            "{region:?}: {}",
            deployment.text
        );
    }
}

#[tokio::test]
async fn r14_a_revision_diff_at_the_smallest_number_answers_instead_of_panicking() {
    let app = TestApp::new().await.with_user("dana", Role::Designer).await;
    let session = app.login("dana").await;
    let created = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&session),
            Some(json!({"document": valid_design()})),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let answer = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}/revisions/{}/diff", i64::MIN),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text);
    assert_eq!(answer.body["code"], "not_found");
}
