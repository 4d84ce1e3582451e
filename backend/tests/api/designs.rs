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

#[tokio::test]
async fn the_open_dialog_lists_who_made_and_saved_each_design_and_searches_literally() {
    let app = TestApp::new()
        .await
        .with_user("ada", Role::Designer)
        .await
        .with_user("bob", Role::Designer)
        .await;
    let ada = app.login("ada").await;
    let bob = app.login("bob").await;
    let create = |name: &'static str| {
        let mut document = valid_design();
        document["name"] = json!(name);
        document
    };
    let mut ids = Vec::new();
    for name in ["Training net", "Inference 50%_off"] {
        let created = app
            .request(
                Method::POST,
                "/api/v1/designs",
                Some(&ada),
                Some(json!({"document": create(name)})),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        ids.push(created.body["id"].as_str().unwrap().to_string());
    }
    // Bob saves the training design's second revision.
    let saved = app
        .request(
            Method::PUT,
            &format!("/api/v1/designs/{}", ids[0]),
            Some(&bob),
            Some(json!({"document": create("Training net"), "base_revision": 1})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    let list = |query: &str| {
        let path = format!("/api/v1/designs{query}");
        let app = &app;
        let bob = &bob;
        async move { app.request(Method::GET, &path, Some(bob), None).await }
    };
    let everything = list("").await;
    assert_eq!(everything.status, StatusCode::OK, "{}", everything.body);
    assert_eq!(everything.body["truncated"], false);
    let rows = everything.body["designs"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{}", everything.body);
    let training = rows
        .iter()
        .find(|row| row["id"] == ids[0].as_str())
        .unwrap();
    assert_eq!(training["name"], "Training net");
    assert_eq!(training["revision"], 2);
    assert_eq!(training["created_by"], "ada");
    assert_eq!(training["saved_by"], "bob");
    assert_eq!(training["deployment"], serde_json::Value::Null);
    let inference = rows
        .iter()
        .find(|row| row["id"] == ids[1].as_str())
        .unwrap();
    assert_eq!(inference["saved_by"], "ada");
    let stamps: Vec<i64> = rows
        .iter()
        .map(|row| row["updated_at"].as_i64().unwrap())
        .collect();
    assert!(
        stamps.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first: {stamps:?}"
    );

    // The search is any case and literal: % and _ are characters, not patterns.
    let names = |answer: &crate::support::Answer| -> Vec<String> {
        answer.body["designs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&list("?search=TRAIN").await), ["Training net"]);
    assert_eq!(names(&list("?search=%25").await), ["Inference 50%_off"]);
    assert_eq!(names(&list("?search=_").await), ["Inference 50%_off"]);
    assert_eq!(names(&list("?search=n%25e").await), Vec::<String>::new());
    let by_id = list(&format!("?search={}", ids[1])).await;
    assert_eq!(names(&by_id), ["Inference 50%_off"]);

    let first_only = list("?limit=1").await;
    assert_eq!(first_only.body["designs"].as_array().unwrap().len(), 1);
    assert_eq!(first_only.body["truncated"], true);
    for bad in ["?limit=0", "?limit=501", "?limit=many"] {
        let refused = list(bad).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            refused.body
        );
    }
    let long = list(&format!("?search={}", "x".repeat(201))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert_eq!(long.body["code"], "invalid_search");

    // The design's own page says who saved it last.
    let read = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{}", ids[0]),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(read.body["saved_by"], "bob");
    assert_eq!(read.body["deployment"], serde_json::Value::Null);
}
