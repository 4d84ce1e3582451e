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

/// Every operation of the document, as (method, path template). The document's paths come
/// from the router (each route is registered with its operation), so this is what is routed.
fn documented_operations(document: &Value) -> Vec<(String, String)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                operations.push((method.clone(), path.clone()));
            }
        }
    }
    operations.sort();
    operations
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let document = committed();
    let documented = documented_operations(&document);
    assert!(
        documented.len() >= 33,
        "the API's 33 operations are documented: {documented:?}"
    );
    // And each is really routed: as an admin, with made-up ids, none meets the router's
    // fallback ("API route not found").
    let app = TestApp::new().await.with_user("root", Role::Admin).await;
    let admin = app.login("root").await;
    for (method, path) in &documented {
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

/// Every `$ref` in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

#[test]
fn every_success_response_has_a_body_schema_and_every_reference_resolves() {
    let document = committed();
    let mut unschema = Vec::new();
    for (method, path) in documented_operations(&document) {
        let responses = document["paths"][&path][&method]["responses"]
            .as_object()
            .expect("responses");
        for (status, response) in responses {
            if !status.starts_with('2') {
                continue;
            }
            let content = response["content"].as_object();
            let described = content.is_some_and(|content| {
                content.iter().all(|(media_type, body)| {
                    // An image is bytes: its media type is its description.
                    media_type.starts_with("image/") || body.get("schema").is_some()
                })
            });
            if !described {
                unschema.push(format!("{method} {path} {status}"));
            }
        }
    }
    assert_eq!(
        unschema,
        Vec::<String>::new(),
        "success responses without a body schema"
    );

    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("component schemas");
    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(found.len() > 50, "{found:?}");
    for target in found {
        match target.strip_prefix("#/components/schemas/") {
            Some(name) => assert!(schemas.contains_key(name), "{target} resolves to nothing"),
            None => assert!(
                target.starts_with("https://"),
                "{target}: a reference is a component or a published schema"
            ),
        }
    }
}

#[tokio::test]
async fn answers_are_the_shared_wire_types() {
    // What the frontend reads is what the server writes: each answer parses as its type.
    let app = TestApp::new().await.with_user("root", Role::Admin).await;
    let admin = app.login("root").await;
    let health = app.request(Method::GET, "/api/v1/health", None, None).await;
    let health: shared::api::HealthAnswer = serde_json::from_value(health.body).unwrap();
    assert_eq!(health.status, shared::api::ServerHealth::Ok);
    let session = app
        .request(Method::GET, "/api/v1/auth/session", Some(&admin), None)
        .await;
    let session: shared::api::SessionAnswer = serde_json::from_value(session.body).unwrap();
    assert_eq!(session.user.map(|user| user.role), Some(Role::Admin));
    let users = app
        .request(Method::GET, "/api/v1/users", Some(&admin), None)
        .await;
    let users: shared::api::UserList = serde_json::from_value(users.body).unwrap();
    assert_eq!(users.users.len(), 1);
    let templates = app
        .request(Method::GET, "/api/v1/templates", None, None)
        .await;
    let templates: shared::api::TemplateList = serde_json::from_value(templates.body).unwrap();
    assert_eq!(
        templates.templates.len(),
        shared::templates::TEMPLATES.len()
    );
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_errors_name_it_in_their_body() {
    let app = TestApp::new().await;
    // Made here when the caller sends none.
    let health = app.request(Method::GET, "/api/v1/health", None, None).await;
    let made = health.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(made.len(), 32, "{made}");
    // An error document names the same id as its header.
    let refused = app
        .request(Method::GET, "/api/v1/designs", None, None)
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let header_id = refused.headers["x-request-id"].to_str().unwrap();
    assert_eq!(refused.body["request_id"], header_id, "{}", refused.body);
    assert_eq!(refused.body["code"], "unauthenticated", "{}", refused.body);
    // A plain id from the caller (a load balancer's) is kept; anything else is replaced.
    let send = |id: &'static str| {
        axum::http::Request::builder()
            .method(Method::GET)
            .uri("/api/v1/no-such-route")
            .header("x-request-id", id)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let kept = app.send(send("lb-7a62c49f-347e")).await;
    assert_eq!(kept.headers["x-request-id"], "lb-7a62c49f-347e");
    assert_eq!(kept.body["request_id"], "lb-7a62c49f-347e", "{}", kept.body);
    let replaced = app.send(send("<script>alert(1)</script>")).await;
    let replaced_id = replaced.headers["x-request-id"].to_str().unwrap();
    assert_ne!(replaced_id, "<script>alert(1)</script>");
    assert_eq!(replaced_id.len(), 32);
}

#[tokio::test]
async fn readiness_checks_the_database_and_liveness_does_not() {
    let app = TestApp::new().await;
    let ready = app.request(Method::GET, "/api/v1/ready", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["status"], "ok");
    app.state.store.clone().close().await;
    let ready = app.request(Method::GET, "/api/v1/ready", None, None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.body["status"], "database_unavailable");
    let alive = app.request(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!(alive.status, StatusCode::OK, "the process is still up");
}

#[tokio::test]
async fn metrics_are_prometheus_text_by_route_template_never_by_id() {
    let app = TestApp::new().await.with_user("root", Role::Admin).await;
    let admin = app.login("root").await;
    let missing = app
        .request(
            Method::GET,
            "/api/v1/designs/d-secret-looking-id",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let metrics = app.request(Method::GET, "/metrics", None, None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
        "{:?}",
        metrics.headers
    );
    let text = metrics.text;
    assert!(
        text.contains(
            "moat_http_request_duration_seconds_count{route=\"/api/v1/designs/{design_id}\",method=\"GET\",status=\"404\"}"
        ),
        "{text}"
    );
    assert!(!text.contains("d-secret-looking-id"), "no id in a label");
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
}
