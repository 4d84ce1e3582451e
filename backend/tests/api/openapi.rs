//! The OpenAPI document: served, committed without drift, and true to the router in both
//! directions (every documented operation is routed; every routed operation is documented).

use axum::http::{Method, StatusCode};
use backend::auth::Role;
use serde_json::Value;

use crate::support::TestApp;

fn committed() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .expect("backend/openapi.json is committed");
    serde_json::from_str(&text).expect("it is JSON")
}

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let app = TestApp::new().await;
    let served = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(
        served.body,
        committed(),
        "the API changed: regenerate with `moat openapi > backend/openapi.json`"
    );
    assert_eq!(
        backend::api::openapi::document_json(),
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json")).unwrap(),
        "byte for byte, as `moat openapi` prints it"
    );
}

/// Every operation the router serves, as (method, path template).
const ROUTED: [(&str, &str); 33] = [
    ("get", "/api/v1/health"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/auth/session"),
    ("post", "/api/v1/auth/signup"),
    ("get", "/api/v1/users"),
    ("patch", "/api/v1/users/{user_id}"),
    ("delete", "/api/v1/users/{user_id}"),
    ("delete", "/api/v1/users/{user_id}/sign-in-failures"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/designs"),
    ("post", "/api/v1/designs"),
    ("get", "/api/v1/designs/{design_id}"),
    ("put", "/api/v1/designs/{design_id}"),
    ("get", "/api/v1/designs/{design_id}/revisions"),
    ("get", "/api/v1/designs/{design_id}/revisions/{revision}"),
    (
        "get",
        "/api/v1/designs/{design_id}/revisions/{revision}/diff",
    ),
    ("post", "/api/v1/designs/{design_id}/restore"),
    ("post", "/api/v1/validate"),
    ("get", "/api/v1/templates"),
    ("get", "/api/v1/templates/{name}"),
    ("get", "/api/v1/schema"),
    ("post", "/api/v1/designs/{design_id}/deployments"),
    ("get", "/api/v1/deployments"),
    ("get", "/api/v1/deployments/{deployment_id}"),
    ("post", "/api/v1/deployments/{deployment_id}/approve"),
    ("get", "/api/v1/designs/{design_id}/plan"),
    ("post", "/api/v1/designs/{design_id}/destroy"),
    ("get", "/api/v1/designs/{design_id}/drift"),
    ("post", "/api/v1/import"),
    ("get", "/api/v1/designs/{design_id}/export"),
    ("get", "/api/v1/deployments/{deployment_id}/events"),
];

#[tokio::test]
async fn every_routed_operation_is_documented_and_every_documented_one_is_routed() {
    let document = committed();
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.push((method.clone(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut routed: Vec<(String, String)> = ROUTED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    routed.sort();
    assert_eq!(documented, routed);
    // And each is really routed: as an admin, with made-up ids, none meets the router's
    // fallback ("API route not found").
    let app = TestApp::new().await.with_user("root", Role::Admin).await;
    let admin = app.login("root").await;
    for (method, path) in ROUTED {
        let uri = path
            .replace("{user_id}", "999")
            .replace("{design_id}", "d-none")
            .replace("{deployment_id}", "dep-none")
            .replace("{revision}", "1")
            .replace("{name}", "mvp");
        let method: Method = method.to_uppercase().parse().unwrap();
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH)
            .then(|| serde_json::json!({}));
        let answer = app.request(method.clone(), &uri, Some(&admin), body).await;
        assert_ne!(
            answer.body["message"], "API route not found",
            "{method} {uri} is documented but not routed"
        );
        assert_ne!(
            answer.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
    }
}
