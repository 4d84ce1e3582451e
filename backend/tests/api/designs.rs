//! Designs: create, read, revisions and conflicts, validation, body limits.

use axum::http::{Method, StatusCode};
use backend::auth::Role;
use serde_json::json;

use crate::support::{TestApp, valid_design};

#[tokio::test]
async fn a_designer_creates_reads_and_updates_a_design() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let session = app.login("ada").await;
    let created = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&session),
            Some(json!({"document": valid_design()})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["revision"], 1);
    let id = created.body["id"].as_str().unwrap().to_string();
    let read = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}"),
            Some(&session),
            None,
        )
        .await;
    // Stored in canonical form (defaults filled in): the same design as what was sent.
    assert_eq!(
        shared::spec::load_design_value(read.body["document"].clone()).unwrap(),
        shared::spec::load_design_value(valid_design()).unwrap()
    );
    assert_eq!(
        read.body["document"]["vpcs"][0]["enable_dns_hostnames"],
        true
    );
    let mut changed = valid_design();
    changed["name"] = json!("renamed");
    let updated = app
        .request(
            Method::PUT,
            &format!("/api/v1/designs/{id}"),
            Some(&session),
            Some(json!({"document": changed, "base_revision": 1})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["revision"], 2);
    let listed = app
        .request(Method::GET, "/api/v1/designs", Some(&session), None)
        .await;
    assert_eq!(listed.body["designs"][0]["name"], "renamed");
}

#[tokio::test]
async fn a_stale_save_gets_409_with_the_current_revision_and_loses_nothing() {
    let app = TestApp::new()
        .await
        .with_user("ada", Role::Designer)
        .await
        .with_user("bob", Role::Designer)
        .await;
    let ada = app.login("ada").await;
    let bob = app.login("bob").await;
    let created = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&ada),
            Some(json!({"document": valid_design()})),
        )
        .await;
    let uri = format!("/api/v1/designs/{}", created.body["id"].as_str().unwrap());
    let mut ada_version = valid_design();
    ada_version["name"] = json!("ada's");
    let mut bob_version = valid_design();
    bob_version["name"] = json!("bob's");
    let (first, second) = tokio::join!(
        app.request(
            Method::PUT,
            &uri,
            Some(&ada),
            Some(json!({"document": ada_version, "base_revision": 1}))
        ),
        app.request(
            Method::PUT,
            &uri,
            Some(&bob),
            Some(json!({"document": bob_version, "base_revision": 1}))
        ),
    );
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let (winner, loser) = if first.status == StatusCode::OK {
        (&first, &second)
    } else {
        (&second, &first)
    };
    assert_eq!(loser.body["code"], "conflict");
    assert_eq!(loser.body["details"]["current_revision"], 2);
    let stored = app.request(Method::GET, &uri, Some(&ada), None).await;
    assert_eq!(stored.body["revision"], winner.body["revision"]);
}

#[tokio::test]
async fn a_viewer_cannot_save_and_a_broken_document_is_refused_precisely() {
    let app = TestApp::new()
        .await
        .with_user("vic", Role::Viewer)
        .await
        .with_user("ada", Role::Designer)
        .await;
    let viewer = app.login("vic").await;
    let refused = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&viewer),
            Some(json!({"document": valid_design()})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let designer = app.login("ada").await;
    let mut broken = valid_design();
    broken["subnets"][1]["tier"] = json!("dmz");
    let answer = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&designer),
            Some(json!({"document": broken})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .starts_with("subnets[1].tier:"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn validate_returns_the_shared_diagnostics() {
    let app = TestApp::new().await.with_user("vic", Role::Viewer).await;
    let session = app.login("vic").await;
    let mut overlapping = valid_design();
    overlapping["subnets"][1]["cidr"] = json!("10.0.0.0/24");
    let answer = app
        .request(
            Method::POST,
            "/api/v1/validate",
            Some(&session),
            Some(overlapping),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["diagnostics"][0]["code"], "subnet.overlap");
    assert_eq!(
        answer.body["diagnostics"][0]["objects"],
        json!(["subnet-1", "subnet-2"])
    );
}

#[tokio::test]
async fn an_oversized_body_gets_413_and_a_non_json_body_415() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let session = app.login("ada").await;
    let mut huge = valid_design();
    huge["name"] = json!("x".repeat(100 * 1024));
    let answer = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&session),
            Some(json!({"document": huge})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.body["code"], "too_large");
    let request = axum::http::Request::post("/api/v1/designs")
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf_token)
        .body(axum::body::Body::from("name=x"))
        .unwrap();
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn templates_and_the_schema_are_served_to_anyone() {
    let app = TestApp::new().await;
    let list = app
        .request(Method::GET, "/api/v1/templates", None, None)
        .await;
    let names: Vec<&str> = list.body["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "mvp",
            "tabular-vpn",
            "multimodal-endpoints",
            "llm-training-efa"
        ]
    );
    for name in names {
        let document = app
            .request(
                Method::GET,
                &format!("/api/v1/templates/{name}"),
                None,
                None,
            )
            .await;
        let design = shared::spec::load_design_value(document.body).expect("a template loads");
        assert!(
            shared::validate(&design)
                .iter()
                .all(|d| d.severity == shared::Severity::Info),
            "{name} has no error or warning"
        );
    }
    let missing = app
        .request(Method::GET, "/api/v1/templates/nope", None, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body["message"]
            .as_str()
            .unwrap()
            .contains("mvp, tabular-vpn")
    );
    let schema = app.request(Method::GET, "/api/v1/schema", None, None).await;
    let expected: serde_json::Value = serde_json::from_str(&shared::spec::json_schema()).unwrap();
    assert_eq!(schema.body, expected);
}

#[tokio::test]
async fn every_export_format_comes_from_the_api() {
    let app = crate::support::TestApp::new()
        .await
        .with_user("vera", backend::auth::Role::Designer)
        .await;
    let session = app.login("vera").await;
    let document: serde_json::Value = serde_json::from_str(
        shared::templates::template("multimodal-endpoints")
            .unwrap()
            .document,
    )
    .unwrap();
    let created = app
        .request(
            axum::http::Method::POST,
            "/api/v1/designs",
            Some(&session),
            Some(serde_json::json!({"document": document})),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    for format in shared::export::Format::ALL {
        let answer = app
            .request(
                axum::http::Method::GET,
                &format!("/api/v1/designs/{id}/export?format={}", format.name()),
                Some(&session),
                None,
            )
            .await;
        assert_eq!(
            answer.status,
            axum::http::StatusCode::OK,
            "{}",
            format.name()
        );
        let files = answer.body["files"].as_array().unwrap();
        let design = shared::spec::load_design(&serde_json::to_string(&document).unwrap()).unwrap();
        let expected = shared::export::export(&design, format, &id).unwrap();
        assert_eq!(files.len(), expected.len());
        for (file, wanted) in files.iter().zip(&expected) {
            assert_eq!(file["name"], wanted.name.as_str());
            assert_eq!(
                file["contents"],
                wanted.contents.as_str(),
                "the same bytes as the CLI"
            );
        }
    }
    let png = app
        .request(
            axum::http::Method::GET,
            &format!("/api/v1/designs/{id}/export?format=png&scale=1"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(png.status, axum::http::StatusCode::OK);
    assert_eq!(png.headers["content-type"], "image/png");
    let refused = app
        .request(
            axum::http::Method::GET,
            &format!("/api/v1/designs/{id}/export?format=visio"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(refused.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["code"], "unknown_format");
    let anonymous = app
        .request(
            axum::http::Method::GET,
            &format!("/api/v1/designs/{id}/export?format=json"),
            None,
            None,
        )
        .await;
    assert_eq!(anonymous.status, axum::http::StatusCode::UNAUTHORIZED);
}
