//! Sign-in, sessions, cookies, CSRF.

use axum::http::{Method, StatusCode, header};
use backend::auth::{Role, UserStatus};
use serde_json::json;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_session_reports_the_user() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let answer = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"name": "ada", "password": PASSWORD})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.starts_with("moat_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "no Secure flag without TLS: {cookie}"
    );
    assert_eq!(answer.body["user"]["role"], "designer");
    let session = app.login("ada").await;
    let answer = app
        .request(Method::GET, "/api/v1/auth/session", Some(&session), None)
        .await;
    assert_eq!(answer.body["user"]["name"], "ada");
    assert_eq!(answer.body["csrf_token"], session.csrf_token.as_str());
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let wrong = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"name": "ada", "password": "not the password"})),
        )
        .await;
    let unknown = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"name": "nobody", "password": PASSWORD})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    // The same answer, but for each request's own id.
    let without_id = |mut body: serde_json::Value| {
        assert!(body["request_id"].is_string(), "{body}");
        body.as_object_mut().unwrap().remove("request_id");
        body
    };
    assert_eq!(without_id(wrong.body), without_id(unknown.body));
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn every_login_gets_a_new_session_id_and_logout_kills_it() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let first = app.login("ada").await;
    let second = app.login("ada").await;
    assert_ne!(first.cookie, second.cookie);
    let answer = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&second), None)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = app
        .request(Method::GET, "/api/v1/designs", Some(&second), None)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    // The other session is untouched.
    assert_eq!(
        app.request(Method::GET, "/api/v1/designs", Some(&first), None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_state_changing_request_without_the_csrf_token_is_refused() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let mut session = app.login("ada").await;
    session.csrf_token = "forged".into();
    let answer = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&session),
            Some(json!({"document": crate::support::valid_design()})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.body["code"], "csrf");
}

#[tokio::test]
async fn pending_and_disabled_accounts_can_do_nothing() {
    let app = TestApp::new().await;
    app.add_user("pat", Role::Deployer, UserStatus::Pending)
        .await;
    app.add_user("dee", Role::Deployer, UserStatus::Disabled)
        .await;
    // Signing in says why, but only after the right password, and starts no session.
    for (name, why) in [
        ("pat", "waits for an admin's approval"),
        ("dee", "is disabled"),
    ] {
        let answer = app
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"name": name, "password": crate::support::PASSWORD})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{name}");
        assert!(
            answer.body["message"]
                .as_str()
                .unwrap_or_default()
                .contains(why)
        );
        assert!(answer.headers.get(axum::http::header::SET_COOKIE).is_none());
        let wrong = app
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"name": name, "password": "not the password at all"})),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{name}");
        // A session such an account still holds gets nothing.
        let session = app.session_without_login(name).await;
        let answer = app
            .request(Method::GET, "/api/v1/designs", Some(&session), None)
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{name}");
    }
}

#[tokio::test]
async fn anonymous_requests_get_401_with_a_json_error() {
    let app = TestApp::new().await;
    for (method, uri) in [
        (Method::GET, "/api/v1/designs"),
        (Method::GET, "/api/v1/deployments/dep-x"),
        (Method::POST, "/api/v1/designs/d-x/deployments"),
    ] {
        let answer = app.request(method, uri, None, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(answer.body["code"], "unauthenticated");
    }
    let answer = app
        .request(Method::GET, "/api/v1/auth/session", None, None)
        .await;
    assert_eq!(answer.body["user"], serde_json::Value::Null);
}
