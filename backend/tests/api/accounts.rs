//! Sign-up and approval, the admin's user management, the audit log, sign-in rate limiting,
//! revisions, and the authorization matrix: every route × every kind of caller.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use backend::auth::{Role, UserStatus};
use serde_json::{Value, json};

use crate::support::{PASSWORD, Session, TestApp, valid_design};

async fn sign_up(app: &TestApp, name: &str, password: &str) -> crate::support::Answer {
    app.request(
        Method::POST,
        "/api/v1/auth/signup",
        None,
        Some(json!({"name": name, "password": password})),
    )
    .await
}

async fn audit_actions(app: &TestApp, admin: &Session) -> Vec<(String, String, String)> {
    let answer = app
        .request(Method::GET, "/api/v1/audit", Some(admin), None)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.body["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| {
            (
                entry["actor"].as_str().unwrap_or_default().to_string(),
                entry["action"].as_str().unwrap_or_default().to_string(),
                entry["design_hash"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

/// An app with an admin, `root`, and a designer, `worker`, both signed in.
async fn admin_and_worker() -> (TestApp, Session, Session) {
    let app = TestApp::new()
        .await
        .with_user("root", Role::Admin)
        .await
        .with_user("worker", Role::Designer)
        .await;
    let admin = app.login("root").await;
    let worker = app.login("worker").await;
    (app, admin, worker)
}

/// An admin's change to a user's access (`PATCH /users/{id}`): its status code.
async fn change_access(app: &TestApp, admin: &Session, user_id: i64, change: Value) -> StatusCode {
    app.request(
        Method::PATCH,
        &format!("/api/v1/users/{user_id}"),
        Some(admin),
        Some(change),
    )
    .await
    .status
}

#[tokio::test]
async fn sign_up_waits_for_an_admin_who_approves_and_picks_the_role() {
    let app = TestApp::new().await.with_user("root", Role::Admin).await;
    let admin = app.login("root").await;
    let answer = sign_up(&app, "newcomer", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["user"]["status"], "pending");
    // Pending: cannot sign in, and says so only to the right password.
    let refused = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"name": "newcomer", "password": PASSWORD})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The admin sees pending accounts first and approves as a designer.
    let users = app
        .request(Method::GET, "/api/v1/users", Some(&admin), None)
        .await;
    assert_eq!(users.body["users"][0]["name"], "newcomer");
    assert_eq!(users.body["users"][0]["status"], "pending");
    let id = app.user_id("newcomer").await;
    let approved = app
        .request(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(json!({"status": "active", "role": "designer"})),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["user"]["role"], "designer");
    let newcomer = app.login("newcomer").await;
    let created = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&newcomer),
            Some(json!({"document": valid_design()})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    // A designer cannot deploy.
    let design_id = created.body["id"].as_str().unwrap().to_string();
    let deploy = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{design_id}/deployments"),
            Some(&newcomer),
            None,
        )
        .await;
    assert_eq!(deploy.status, StatusCode::FORBIDDEN);
    // Everything is in the audit log, the design save with its document's hash.
    let actions = audit_actions(&app, &admin).await;
    let has = |actor: &str, action: &str| actions.iter().any(|(a, b, _)| a == actor && b == action);
    assert!(has("newcomer", "sign-up"), "{actions:?}");
    assert!(has("root", "user-approve"), "{actions:?}");
    assert!(has("newcomer", "sign-in"), "{actions:?}");
    let design_hash = actions
        .iter()
        .find(|(_, action, _)| action == "design-create")
        .map(|(_, _, hash)| hash.clone())
        .unwrap_or_default();
    assert_eq!(design_hash.len(), 64, "a SHA-256 of the saved document");
}

#[tokio::test]
async fn sign_up_refuses_weak_passwords_odd_names_and_taken_names() {
    let app = TestApp::new().await.with_user("taken", Role::Viewer).await;
    let short = sign_up(&app, "someone", "elevenchars").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert_eq!(short.body["code"], "weak_password");
    let odd = sign_up(&app, "a b", PASSWORD).await;
    assert_eq!(odd.body["code"], "invalid_name");
    let taken = sign_up(&app, "taken", PASSWORD).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn admins_disable_reject_and_can_never_remove_the_last_admin() {
    let (app, admin, worker) = admin_and_worker().await;
    let root_id = app.user_id("root").await;
    let demote = app
        .request(
            Method::PATCH,
            &format!("/api/v1/users/{root_id}"),
            Some(&admin),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
    assert_eq!(demote.body["code"], "last_admin");
    // Disabling ends the worker's sessions at once.
    let worker_id = app.user_id("worker").await;
    let disabled = change_access(&app, &admin, worker_id, json!({"status": "disabled"})).await;
    assert_eq!(disabled, StatusCode::OK);
    let after = app
        .request(Method::GET, "/api/v1/designs", Some(&worker), None)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    // Rejecting removes a pending sign-up; an active account is disabled instead.
    sign_up(&app, "spammer", PASSWORD).await;
    let spammer = app.user_id("spammer").await;
    let rejected = app
        .request(
            Method::DELETE,
            &format!("/api/v1/users/{spammer}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK);
    assert!(app.state.store.user(spammer).await.is_err());
    let not_pending = app
        .request(
            Method::DELETE,
            &format!("/api/v1/users/{root_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(not_pending.status, StatusCode::CONFLICT);
    let bad_role = app
        .request(
            Method::PATCH,
            &format!("/api/v1/users/{worker_id}"),
            Some(&admin),
            Some(json!({"role": "emperor"})),
        )
        .await;
    assert_eq!(bad_role.body["code"], "invalid_role");
    let actions = audit_actions(&app, &admin).await;
    for action in ["user-disable", "user-reject"] {
        assert!(actions.iter().any(|(_, a, _)| a == action), "{action}");
    }
}

#[tokio::test]
async fn a_session_just_used_loses_its_rights_at_its_next_request() {
    let (app, admin, worker) = admin_and_worker().await;
    let worker_id = app.user_id("worker").await;
    let create = || {
        app.request(
            Method::POST,
            "/api/v1/designs",
            Some(&worker),
            Some(json!({"document": valid_design()})),
        )
    };
    // Used a moment ago, so the server holds the session in memory.
    assert_eq!(create().await.status, StatusCode::CREATED);
    let list = || app.request(Method::GET, "/api/v1/designs", Some(&worker), None);
    let demoted = change_access(&app, &admin, worker_id, json!({"role": "viewer"})).await;
    assert_eq!(demoted, StatusCode::OK);
    assert_eq!(create().await.status, StatusCode::FORBIDDEN);
    assert_eq!(list().await.status, StatusCode::OK);
    let disabled = change_access(&app, &admin, worker_id, json!({"status": "disabled"})).await;
    assert_eq!(disabled, StatusCode::OK);
    assert_eq!(list().await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_account_disabled_by_another_server_is_refused_here_within_a_second() {
    let (app, _admin, worker) = admin_and_worker().await;
    let worker_id = app.user_id("worker").await;
    let list = || app.request(Method::GET, "/api/v1/designs", Some(&worker), None);
    assert_eq!(list().await.status, StatusCode::OK);
    // Another server on the same database disables the account.
    let other_server = backend::store::Store::open(&app.database_url)
        .await
        .expect("a second store on the database");
    let root = app
        .state
        .store
        .user(app.user_id("root").await)
        .await
        .unwrap();
    other_server
        .set_user_access(
            worker_id,
            Role::Designer,
            UserStatus::Disabled,
            backend::store::AuditRow {
                actor: &root,
                action: "user-disable",
                target: "worker",
                detail: "",
            },
        )
        .await
        .expect("disabled");
    let disabled_at = std::time::Instant::now();
    // This server may answer from its memory of the session for at most its lifetime.
    while list().await.status == StatusCode::OK {
        assert!(
            disabled_at.elapsed() < backend::store::SESSION_CACHE_LIFETIME,
            "still answered {:?} after the account was disabled elsewhere",
            disabled_at.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(list().await.status, StatusCode::UNAUTHORIZED);
    other_server.close().await;
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let app = TestApp::new().await.with_user("root", Role::Admin).await;
    app.login("root").await;
    let update = app
        .state
        .store
        .execute_raw("UPDATE audit_log SET actor_name = 'someone else'")
        .await;
    assert!(update.is_err_and(|e| e.to_string().contains("append-only")));
    let delete = app.state.store.execute_raw("DELETE FROM audit_log").await;
    assert!(delete.is_err_and(|e| e.to_string().contains("append-only")));
}

fn login_from(address: &str, name: &str, password: &str) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"name": name, "password": password}).to_string(),
        ))
        .expect("request");
    let address: SocketAddr = address.parse().expect("address");
    request.extensions_mut().insert(ConnectInfo(address));
    request
}

#[tokio::test]
async fn r14_no_stranger_can_lock_the_owner_out_and_each_client_is_slowed_down() {
    let app = TestApp::new()
        .await
        .with_user("target", Role::Viewer)
        .await
        .with_user("bystander", Role::Viewer)
        .await
        .with_user("root", Role::Admin)
        .await;
    // 150 wrong passwords for one account, one from each of 150 addresses: nothing locks.
    for attempt in 0..150 {
        let answer = app
            .send(login_from(
                &format!("10.0.{}.{}:5000", attempt / 250, attempt % 250 + 1),
                "target",
                "wrong password, attempt",
            ))
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // The owner, from their own client, still signs in.
    let owner = app
        .send(login_from("192.0.2.1:5000", "target", PASSWORD))
        .await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text);
    // One client guessing one account: five failures are free, the sixth must wait.
    for attempt in 0..5 {
        let answer = app
            .send(login_from("198.51.100.9:4000", "target", "wrong password"))
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let slowed = app
        .send(login_from("198.51.100.9:4001", "target", PASSWORD))
        .await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(slowed.body["code"], "rate_limited");
    assert!(
        slowed.body["details"]["retry_after_seconds"]
            .as_i64()
            .unwrap()
            >= 1
    );
    // … while the owner elsewhere is not slowed at all.
    let elsewhere = app
        .send(login_from("192.0.2.1:5000", "target", PASSWORD))
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    // An admin unlocks the account: the slowed client gets in at once.
    let admin = app.login("root").await;
    let target_id = app.user_id("target").await;
    let unlocked = app
        .request(
            Method::DELETE,
            &format!("/api/v1/users/{target_id}/sign-in-failures"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.text);
    assert!(unlocked.body["cleared"].as_u64().unwrap() >= 5);
    let after_unlock = app
        .send(login_from("198.51.100.9:4001", "target", PASSWORD))
        .await;
    assert_eq!(after_unlock.status, StatusCode::OK, "{}", after_unlock.text);
    // 100 failures from one client, spread over names that do not exist: that client stops.
    for attempt in 0..100 {
        let answer = app
            .send(login_from(
                "198.51.100.7:4000",
                &format!("ghost-{attempt}"),
                "whatever password",
            ))
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let from_that_address = app
        .send(login_from("198.51.100.7:4001", "bystander", PASSWORD))
        .await;
    assert_eq!(from_that_address.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = app
        .send(login_from("198.51.100.8:4000", "bystander", PASSWORD))
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r14_concurrent_guesses_cannot_pass_the_free_failures() {
    let app = TestApp::new().await.with_user("target", Role::Viewer).await;
    let guesses =
        (0..20).map(|_| app.send(login_from("203.0.113.5:6000", "target", "wrong guess")));
    let answers = futures_join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    let slowed = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Each attempt is counted before its password is checked: exactly the free five get a
    // verdict, however they interleave.
    assert_eq!((checked, slowed), (5, 15));
}

/// Runs the futures concurrently on this task and returns their outputs in order.
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.map(|future| Some(Box::pin(future))).collect();
    let mut results: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut all_done = true;
        for (slot, result) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(context) {
                    std::task::Poll::Ready(output) => {
                        *result = Some(output);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    results.into_iter().flatten().collect()
}

#[tokio::test]
async fn r14_sign_ups_are_limited_per_client_and_names_are_unique_whatever_their_case() {
    let app = TestApp::new().await.with_user("admin", Role::Admin).await;
    let sign_up = |address: &str, name: &str| {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/auth/signup")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"name": name, "password": "a long enough password"}).to_string(),
            ))
            .expect("request");
        let address: SocketAddr = address.parse().expect("address");
        request.extensions_mut().insert(ConnectInfo(address));
        request
    };
    let shadow = app.send(sign_up("192.0.2.50:1000", "Admin")).await;
    assert_eq!(shadow.status, StatusCode::CONFLICT, "{}", shadow.text);
    for number in 0..4 {
        let answer = app
            .send(sign_up("192.0.2.50:1000", &format!("newcomer-{number}")))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    }
    let sixth = app.send(sign_up("192.0.2.50:1000", "newcomer-9")).await;
    assert_eq!(
        sixth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        sixth.text
    );
    let other_client = app.send(sign_up("192.0.2.51:1000", "newcomer-9")).await;
    assert_eq!(other_client.status, StatusCode::CREATED);
    // Signing in ignores case too.
    let folded = app
        .send(login_from("192.0.2.60:1000", "ADMIN", PASSWORD))
        .await;
    assert_eq!(folded.status, StatusCode::OK, "{}", folded.text);
}

#[tokio::test]
async fn every_save_is_a_revision_with_history_diff_and_restore() {
    let app = TestApp::new().await.with_user("dana", Role::Designer).await;
    let dana = app.login("dana").await;
    let created = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&dana),
            Some(json!({"document": valid_design()})),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let mut second = valid_design();
    second["subnets"].as_array_mut().unwrap().push(json!({"id": "subnet-3", "vpc": "vpc-1", "availability_zone": "us-east-1a", "cidr": "10.0.2.0/24", "tier": "private"}));
    let mut third = second.clone();
    third["subnets"][0]["cidr"] = json!("10.0.5.0/24");
    for (base, document) in [(1, &second), (2, &third)] {
        let saved = app
            .request(
                Method::PUT,
                &format!("/api/v1/designs/{id}"),
                Some(&dana),
                Some(json!({"document": document, "base_revision": base})),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    }
    let history = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}/revisions"),
            Some(&dana),
            None,
        )
        .await;
    let revisions: Vec<i64> = history.body["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(revisions, vec![3, 2, 1]);
    assert_eq!(history.body["revisions"][0]["saved_by"], "dana");
    let diff = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}/revisions/2/diff"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(diff.body["summary"], "1 added");
    assert_eq!(diff.body["diff"]["added"], json!(["subnet-3"]));
    let diff = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}/revisions/3/diff?against=1"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(diff.body["summary"], "1 added, 1 changed");
    // Restore revision 1 as revision 4; a stale base is a conflict like any save.
    let stale = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{id}/restore"),
            Some(&dana),
            Some(json!({"revision": 1, "base_revision": 2})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let restored = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{id}/restore"),
            Some(&dana),
            Some(json!({"revision": 1, "base_revision": 3})),
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    assert_eq!(restored.body["revision"], 4);
    let current = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}"),
            Some(&dana),
            None,
        )
        .await;
    let first = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}/revisions/1"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(current.body["document"], first.body["document"]);
    let history = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}/revisions"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(history.body["revisions"][0]["restored_from"], 1);
    let missing = app
        .request(
            Method::GET,
            &format!("/api/v1/designs/{id}/revisions/99"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Who is calling in the matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    Pending,
    Disabled,
    Viewer,
    Designer,
    Deployer,
    Admin,
}

impl Caller {
    const ALL: [Caller; 7] = [
        Caller::Anonymous,
        Caller::Pending,
        Caller::Disabled,
        Caller::Viewer,
        Caller::Designer,
        Caller::Deployer,
        Caller::Admin,
    ];

    fn role(self) -> Option<Role> {
        match self {
            Caller::Viewer => Some(Role::Viewer),
            Caller::Designer => Some(Role::Designer),
            Caller::Deployer => Some(Role::Deployer),
            Caller::Admin => Some(Role::Admin),
            _ => None,
        }
    }
}

/// What a route needs: nothing (public), or an active account of at least a role.
#[derive(Clone, Copy)]
enum Needs {
    Public,
    AtLeast(Role),
}

/// The expected status for a caller: public routes answer everyone; the others answer 401 to
/// the anonymous, 403 to pending and disabled accounts and to roles below the need.
fn expected(needs: Needs, caller: Caller, success: StatusCode) -> StatusCode {
    match needs {
        Needs::Public => success,
        Needs::AtLeast(role) => match caller {
            Caller::Anonymous => StatusCode::UNAUTHORIZED,
            Caller::Pending | Caller::Disabled => StatusCode::FORBIDDEN,
            active => {
                if active.role().is_some_and(|r| r >= role) {
                    success
                } else {
                    StatusCode::FORBIDDEN
                }
            }
        },
    }
}

#[tokio::test]
async fn every_route_answers_every_kind_of_caller_as_the_matrix_says() {
    let app = TestApp::new()
        .await
        .with_protected_target("eu-west-1")
        .with_user("root", Role::Admin)
        .await
        .with_user("viewer", Role::Viewer)
        .await
        .with_user("designer", Role::Designer)
        .await
        .with_user("deployer", Role::Deployer)
        .await;
    app.add_user("pending", Role::Deployer, UserStatus::Pending)
        .await;
    app.add_user("disabled", Role::Admin, UserStatus::Disabled)
        .await;
    let admin = app.login("root").await;
    let mut checked = 0;
    for caller in Caller::ALL {
        let session = match caller {
            Caller::Anonymous => None,
            Caller::Pending => Some(app.session_without_login("pending").await),
            Caller::Disabled => Some(app.session_without_login("disabled").await),
            Caller::Viewer => Some(app.login("viewer").await),
            Caller::Designer => Some(app.login("designer").await),
            Caller::Deployer => Some(app.login("deployer").await),
            Caller::Admin => Some(app.login("root").await),
        };
        // Fresh objects for this caller, made by the admin.
        let design = app
            .request(
                Method::POST,
                "/api/v1/designs",
                Some(&admin),
                Some(json!({"document": valid_design()})),
            )
            .await;
        let design_id = design.body["id"].as_str().unwrap().to_string();
        let deploy_target = app
            .request(
                Method::POST,
                "/api/v1/designs",
                Some(&admin),
                Some(json!({"document": valid_design()})),
            )
            .await;
        let deploy_target = deploy_target.body["id"].as_str().unwrap().to_string();
        let deployment = app
            .request(
                Method::POST,
                &format!("/api/v1/designs/{design_id}/deployments"),
                Some(&admin),
                None,
            )
            .await;
        let deployment_id = deployment.body["id"].as_str().unwrap().to_string();
        // A protected deployment requested by someone other than the caller, to approve.
        let mut protected_document = valid_design();
        protected_document["region"] = json!("eu-west-1");
        for subnet in protected_document["subnets"].as_array_mut().unwrap() {
            let zone = subnet["availability_zone"]
                .as_str()
                .unwrap()
                .replace("us-east-1", "eu-west-1");
            subnet["availability_zone"] = json!(zone);
        }
        let protected_design = app
            .request(
                Method::POST,
                "/api/v1/designs",
                Some(&admin),
                Some(json!({"document": protected_document})),
            )
            .await;
        let protected_design = protected_design.body["id"].as_str().unwrap().to_string();
        let requester = if caller == Caller::Admin {
            app.login("deployer").await
        } else {
            admin.clone()
        };
        let waiting = app
            .request(
                Method::POST,
                &format!("/api/v1/designs/{protected_design}/deployments"),
                Some(&requester),
                None,
            )
            .await;
        assert_eq!(
            waiting.body["status"], "awaiting_approval",
            "{}",
            waiting.body
        );
        let waiting_id = waiting.body["id"].as_str().unwrap().to_string();
        let signup_name = format!("signup-{checked}");
        sign_up(&app, &format!("pending-{checked}"), PASSWORD).await;
        let pending_id = app.user_id(&format!("pending-{checked}")).await;
        let viewer_id = app.user_id("viewer").await;
        let routes: Vec<(Method, String, Option<Value>, Needs, StatusCode)> = vec![
            (
                Method::GET,
                "/api/v1/health".into(),
                None,
                Needs::Public,
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/api/v1/templates".into(),
                None,
                Needs::Public,
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/api/v1/templates/llm-training-efa".into(),
                None,
                Needs::Public,
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/api/v1/schema".into(),
                None,
                Needs::Public,
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/api/v1/auth/session".into(),
                None,
                Needs::Public,
                StatusCode::OK,
            ),
            (
                Method::POST,
                "/api/v1/auth/signup".into(),
                Some(json!({"name": signup_name, "password": PASSWORD})),
                Needs::Public,
                StatusCode::CREATED,
            ),
            (
                Method::GET,
                "/api/v1/designs".into(),
                None,
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
            (
                Method::POST,
                "/api/v1/designs".into(),
                Some(json!({"document": valid_design()})),
                Needs::AtLeast(Role::Designer),
                StatusCode::CREATED,
            ),
            (
                Method::GET,
                format!("/api/v1/designs/{design_id}"),
                None,
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
            (
                Method::PUT,
                format!("/api/v1/designs/{design_id}"),
                Some(json!({"document": valid_design(), "base_revision": 1})),
                Needs::AtLeast(Role::Designer),
                StatusCode::OK,
            ),
            (
                Method::GET,
                format!("/api/v1/designs/{design_id}/revisions"),
                None,
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
            (
                Method::GET,
                format!("/api/v1/designs/{design_id}/revisions/1"),
                None,
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
            (
                Method::GET,
                format!("/api/v1/designs/{design_id}/revisions/1/diff"),
                None,
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
            (
                Method::POST,
                format!("/api/v1/designs/{deploy_target}/restore"),
                Some(json!({"revision": 1, "base_revision": 1})),
                Needs::AtLeast(Role::Designer),
                StatusCode::OK,
            ),
            (
                Method::POST,
                "/api/v1/validate".into(),
                Some(valid_design()),
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
            (
                Method::POST,
                format!("/api/v1/designs/{deploy_target}/deployments"),
                None,
                Needs::AtLeast(Role::Deployer),
                StatusCode::ACCEPTED,
            ),
            (
                Method::GET,
                format!("/api/v1/deployments/{deployment_id}"),
                None,
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
            (
                Method::POST,
                format!("/api/v1/deployments/{waiting_id}/approve"),
                None,
                Needs::AtLeast(Role::Deployer),
                StatusCode::ACCEPTED,
            ),
            (
                Method::GET,
                "/api/v1/deployments".into(),
                None,
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/api/v1/users".into(),
                None,
                Needs::AtLeast(Role::Admin),
                StatusCode::OK,
            ),
            (
                Method::PATCH,
                format!("/api/v1/users/{viewer_id}"),
                Some(json!({"role": "viewer"})),
                Needs::AtLeast(Role::Admin),
                StatusCode::OK,
            ),
            (
                Method::DELETE,
                format!("/api/v1/users/{pending_id}"),
                None,
                Needs::AtLeast(Role::Admin),
                StatusCode::OK,
            ),
            (
                Method::DELETE,
                format!("/api/v1/users/{viewer_id}/sign-in-failures"),
                None,
                Needs::AtLeast(Role::Admin),
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/api/v1/audit".into(),
                None,
                Needs::AtLeast(Role::Admin),
                StatusCode::OK,
            ),
            // Last: it ends the caller's session.
            (
                Method::POST,
                "/api/v1/auth/logout".into(),
                None,
                Needs::AtLeast(Role::Viewer),
                StatusCode::OK,
            ),
        ];
        for (method, uri, body, needs, success) in routes {
            let answer = app
                .request(method.clone(), &uri, session.as_ref(), body)
                .await;
            assert_eq!(
                answer.status,
                expected(needs, caller, success),
                "{caller:?} {method} {uri}: {}",
                answer.body
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * 25, "every route for every caller");
}

async fn wait_for_status(app: &TestApp, session: &Session, deployment: &str, status: &str) {
    for _ in 0..100 {
        let answer = app
            .request(
                Method::GET,
                &format!("/api/v1/deployments/{deployment}"),
                Some(session),
                None,
            )
            .await;
        if answer.body["status"] == status {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("deployment {deployment} never reached {status}");
}

async fn create_design(app: &TestApp, session: &Session) -> String {
    let answer = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(session),
            Some(json!({"document": valid_design()})),
        )
        .await;
    answer.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_protected_target_waits_for_a_different_deployer_to_approve_the_exact_plan() {
    let app = TestApp::new()
        .await
        .with_protected_target("us-east-1")
        .with_user("alice", Role::Deployer)
        .await
        .with_user("bob", Role::Deployer)
        .await
        .with_user("root", Role::Admin)
        .await;
    let alice = app.login("alice").await;
    let bob = app.login("bob").await;
    let design = create_design(&app, &alice).await;
    let requested = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{design}/deployments"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(requested.status, StatusCode::ACCEPTED);
    assert_eq!(requested.body["status"], "awaiting_approval");
    let deployment = requested.body["id"].as_str().unwrap().to_string();
    // Nothing is created while it waits; it is in the approval queue.
    assert!(app.network.calls().is_empty());
    let queue = app
        .request(Method::GET, "/api/v1/deployments", Some(&bob), None)
        .await;
    assert_eq!(queue.body["deployments"][0]["id"], deployment.as_str());
    assert_eq!(queue.body["deployments"][0]["requested_by"], "alice");
    // The requester cannot approve their own request.
    let own = app
        .request(
            Method::POST,
            &format!("/api/v1/deployments/{deployment}/approve"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    assert!(
        own.body["message"]
            .as_str()
            .unwrap()
            .contains("different deployer")
    );
    // Bob approves the unchanged design: it runs and succeeds.
    let approved = app
        .request(
            Method::POST,
            &format!("/api/v1/deployments/{deployment}/approve"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(approved.status, StatusCode::ACCEPTED, "{}", approved.body);
    wait_for_status(&app, &bob, &deployment, "succeeded").await;
    assert!(!app.network.calls().is_empty());
    let again = app
        .request(
            Method::POST,
            &format!("/api/v1/deployments/{deployment}/approve"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let queue = app
        .request(Method::GET, "/api/v1/deployments", Some(&bob), None)
        .await;
    assert_eq!(
        queue.body["deployments"],
        json!([]),
        "approved: out of the queue"
    );
    // Statuses are an enum: the succeeded one lists it; a misspelt one is refused, not empty.
    let succeeded = app
        .request(
            Method::GET,
            "/api/v1/deployments?status=succeeded",
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(succeeded.body["deployments"][0]["id"], deployment.as_str());
    let misspelt = app
        .request(
            Method::GET,
            "/api/v1/deployments?status=Succeeded",
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(misspelt.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(misspelt.body["code"], "unknown_status");
    // A changed design invalidates the request.
    let changed = create_design(&app, &alice).await;
    let requested = app
        .request(
            Method::POST,
            &format!("/api/v1/designs/{changed}/deployments"),
            Some(&alice),
            None,
        )
        .await;
    let stale = requested.body["id"].as_str().unwrap().to_string();
    let mut edited = valid_design();
    edited["subnets"][1]["cidr"] = json!("10.0.9.0/24");
    let saved = app
        .request(
            Method::PUT,
            &format!("/api/v1/designs/{changed}"),
            Some(&alice),
            Some(json!({"document": edited, "base_revision": 1})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    let refused = app
        .request(
            Method::POST,
            &format!("/api/v1/deployments/{stale}/approve"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.body["code"], "plan_changed");
    wait_for_status(&app, &bob, &stale, "invalidated").await;
    // The audit log has the request and the approval, each with the plan's hash.
    let admin = app.login("root").await;
    let actions = audit_actions(&app, &admin).await;
    let request = actions
        .iter()
        .find(|(actor, action, _)| actor == "alice" && action == "deploy-request");
    let approval = actions
        .iter()
        .find(|(actor, action, _)| actor == "bob" && action == "deploy-approve");
    assert!(
        request.is_some_and(|(_, _, hash)| hash.len() == 64),
        "{actions:?}"
    );
    assert!(
        approval.is_some_and(|(_, _, hash)| hash.len() == 64),
        "{actions:?}"
    );
}

/// A sign-in reaching the server from `peer` with this `X-Forwarded-For`.
fn login_via(peer: &str, forwarded_for: &str, name: &str, password: &str) -> Request<Body> {
    let mut request = login_from(peer, name, password);
    request
        .headers_mut()
        .insert("x-forwarded-for", forwarded_for.parse().expect("a header"));
    request
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_itself_and_a_spoofed_header_changes_nothing() {
    // No trusted proxies: a client rotating X-Forwarded-For is still the one client it is.
    let direct = TestApp::new().await.with_user("target", Role::Viewer).await;
    for attempt in 0..5 {
        let answer = direct
            .send(login_via(
                "198.51.100.9:4000",
                &format!("203.0.113.{attempt}"),
                "target",
                "wrong password",
            ))
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let spoofed = direct
        .send(login_via(
            "198.51.100.9:4000",
            "203.0.113.200",
            "target",
            PASSWORD,
        ))
        .await;
    assert_eq!(
        spoofed.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        spoofed.text
    );

    // Behind the load balancer (10.0.0.0/8 trusted): its one address carries many clients.
    let balanced = TestApp::new()
        .await
        .with_user("target", Role::Viewer)
        .await
        .with_user("root", Role::Admin)
        .await
        .with_trusted_proxies(&["10.0.0.0/8"]);
    for attempt in 0..5 {
        let answer = balanced
            .send(login_via(
                "10.0.0.2:4000",
                "203.0.113.7",
                "target",
                "wrong password",
            ))
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let guesser = balanced
        .send(login_via(
            "10.0.0.2:4000",
            "203.0.113.7",
            "target",
            PASSWORD,
        ))
        .await;
    assert_eq!(
        guesser.status,
        StatusCode::TOO_MANY_REQUESTS,
        "that client is slowed"
    );
    let owner = balanced
        .send(login_via(
            "10.0.0.3:4001",
            "203.0.113.8",
            "target",
            PASSWORD,
        ))
        .await;
    assert_eq!(
        owner.status,
        StatusCode::OK,
        "another client behind it is not: {}",
        owner.text
    );
    // A client that reaches the server directly cannot borrow the slowed client's address.
    let direct_peer = balanced
        .send(login_via(
            "203.0.113.9:5000",
            "203.0.113.8",
            "target",
            PASSWORD,
        ))
        .await;
    assert_eq!(direct_peer.status, StatusCode::OK, "{}", direct_peer.text);
    // The audit names the clients, never the balancer.
    let entries = balanced.state.store.audit_entries(50).await.expect("audit");
    let details: Vec<&str> = entries.iter().map(|entry| entry.detail.as_str()).collect();
    assert!(
        details
            .iter()
            .any(|detail| detail.contains("from 203.0.113.8")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|detail| detail.contains("from 203.0.113.9")),
        "{details:?}"
    );
    assert!(
        !details.iter().any(|detail| detail.contains("10.0.0.")),
        "{details:?}"
    );
}
