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

#[tokio::test]
async fn every_save_writes_its_revision_and_its_audit_row_together_and_a_refused_one_neither() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let ada = app.login("ada").await;
    let created = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&ada),
            Some(json!({"document": valid_design()})),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let uri = format!("/api/v1/designs/{id}");
    let mut renamed = valid_design();
    renamed["name"] = json!("renamed");
    let saved = app
        .request(
            Method::PUT,
            &uri,
            Some(&ada),
            Some(json!({"document": renamed, "base_revision": 1})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let restored = app
        .request(
            Method::POST,
            &format!("{uri}/restore"),
            Some(&ada),
            Some(json!({"revision": 1, "base_revision": 2})),
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    // A stale save and a broken document: refused, so neither a revision nor an audit row.
    let stale = app
        .request(
            Method::PUT,
            &uri,
            Some(&ada),
            Some(json!({"document": valid_design(), "base_revision": 1})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let broken = app
        .request(
            Method::PUT,
            &uri,
            Some(&ada),
            Some(json!({"document": {"schema_version": 2, "name": 7}, "base_revision": 3})),
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let revisions = app.state.store.revisions(&id).await.unwrap();
    let audit: Vec<_> = app
        .state
        .store
        .audit_entries(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.target == id)
        .collect();
    let rows: Vec<(String, String, String)> = audit
        .iter()
        .rev()
        .map(|entry| {
            (
                entry.action.clone(),
                entry.detail.clone(),
                entry.design_hash.clone(),
            )
        })
        .collect();
    let hash_of = |revision: i64| {
        revisions
            .iter()
            .find(|summary| summary.revision == revision)
            .map(|summary| summary.document_hash.clone())
            .unwrap()
    };
    assert_eq!(revisions.len(), 3);
    assert_eq!(
        rows,
        vec![
            (
                "design-create".to_string(),
                "slice revision 1".to_string(),
                hash_of(1)
            ),
            (
                "design-save".to_string(),
                "renamed revision 2".to_string(),
                hash_of(2)
            ),
            (
                "design-restore".to_string(),
                "revision 1 restored as revision 3".to_string(),
                hash_of(3)
            ),
        ]
    );
    assert_eq!(hash_of(1), hash_of(3), "a restore saves the same document");
    // Each row's time is its revision's.
    let saved_at: Vec<i64> = revisions
        .iter()
        .rev()
        .map(|summary| summary.saved_at)
        .collect();
    let audited_at: Vec<i64> = audit.iter().rev().map(|entry| entry.at).collect();
    assert_eq!(saved_at, audited_at);
}

#[tokio::test]
async fn a_session_is_written_back_at_most_once_a_minute() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let ada = app.login("ada").await;
    let token = ada
        .cookie
        .split_once('=')
        .map(|(_, token)| token.to_string())
        .unwrap();
    let hashed = backend::auth::token_hash(&token);
    let last_seen = async || {
        app.state
            .store
            .session(&hashed)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at
    };
    let set_last_seen = async |at: i64| {
        app.state
            .store
            .execute_raw(&format!(
                "UPDATE sessions SET last_seen_at = {at} WHERE token_hash = '{hashed}'"
            ))
            .await
            .unwrap();
    };
    let now = backend::store::now();
    // Seen 30 s ago: a request is answered and writes nothing.
    set_last_seen(now - 30).await;
    let listed = app
        .request(Method::GET, "/api/v1/designs", Some(&ada), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(last_seen().await, now - 30);
    // Seen two minutes ago: the request moves it to now.
    set_last_seen(now - 120).await;
    let listed = app
        .request(Method::GET, "/api/v1/designs", Some(&ada), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(last_seen().await >= now, "{} < {now}", last_seen().await);
    // Idle past the limit: the session is dead whatever the minute's grace.
    set_last_seen(now - backend::auth::SESSION_IDLE_SECONDS - 1).await;
    let refused = app
        .request(Method::GET, "/api/v1/designs", Some(&ada), None)
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_database_from_before_designs_pointed_at_their_revisions_opens_with_every_document() {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let directory = tempfile::tempdir().unwrap();
    let (url, folder) = match std::env::var("MOAT_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => (
            crate::support::fresh_postgres_database(&admin_url).await,
            "postgres",
        ),
        _ => (
            format!(
                "sqlite://{}?mode=rwc",
                directory.path().join("old.sqlite").display()
            ),
            "sqlite",
        ),
    };
    // The migrations as they stood before 0007, run on a fresh database.
    let old_migrations = directory.path().join("migrations");
    std::fs::create_dir(&old_migrations).unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let mut copied = 0;
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0007" {
            std::fs::copy(&path, old_migrations.join(&name)).unwrap();
            copied += 1;
        }
    }
    assert_eq!(copied, 6);
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(old_migrations.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let first =
        shared::spec::save_design(&shared::spec::load_design_value(valid_design()).unwrap());
    let mut renamed = valid_design();
    renamed["name"] = json!("second");
    let second = shared::spec::save_design(&shared::spec::load_design_value(renamed).unwrap());
    for statement in [
        "INSERT INTO users (name, password_hash, role, status, created_at) VALUES ('ada', 'x', 'designer', 'active', 1)",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    let user_id: i64 = sqlx::query("SELECT id FROM users WHERE name = 'ada'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    sqlx::query("INSERT INTO designs (id, name, document, revision, created_by, updated_at) VALUES ('d-old', 'second', $1, 2, $2, 20)")
        .bind(second.as_str())
        .bind(user_id)
        .execute(&pool)
        .await
        .unwrap();
    for (revision, document) in [(1_i64, &first), (2, &second)] {
        sqlx::query("INSERT INTO design_revisions (design_id, revision, document, document_hash, saved_by, saved_at) VALUES ('d-old', $1, $2, $3, $4, $5)")
            .bind(revision)
            .bind(document.as_str())
            .bind(backend::store::document_hash(document))
            .bind(user_id)
            .bind(revision * 10)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    // Opened by this build: 0007 runs, and every document reads as it was saved.
    let store = backend::store::Store::open(&url).await.unwrap();
    let current = store.design("d-old").await.unwrap();
    assert_eq!(
        (current.revision, current.document.as_str()),
        (2, second.as_str())
    );
    let (listing, document) = store.design_with_listing("d-old").await.unwrap();
    assert_eq!(
        (listing.saved_by.as_str(), document),
        ("ada", second.clone())
    );
    assert_eq!(store.revision_document("d-old", 1).await.unwrap(), first);
    let ada = store.user(user_id).await.unwrap();
    let saved = store
        .update_design(
            "d-old",
            "third",
            &first,
            2,
            &ada,
            None,
            "design-save",
            |revision| format!("third revision {revision}"),
        )
        .await
        .unwrap();
    assert_eq!(saved.revision, 3);
    assert_eq!(store.design("d-old").await.unwrap().document, first);
    store.close().await;
}

/// On SQLite the save queue's own task copies saved revisions into the database file soon
/// after they are written, long before the writer's commits would (a checkpoint inside a
/// commit held up every save of its batch); and steady saves keep the log near the 4 MiB at
/// which the writer finishes the task's checkpoints, far below its own bound (64 MiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_revisions_reach_the_sqlite_file_through_the_queue_checkpoints() {
    use backend::auth::UserStatus;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("moat.sqlite");
    let store = backend::store::Store::open_sqlite(&path).await.unwrap();
    let ada = store
        .create_user("ada", "x", Role::Designer, UserStatus::Active)
        .await
        .unwrap();
    // A 100-subnet design: each revision is some 90 KB of pages.
    let design = shared::generate::generated_design(100);
    let text = |number: usize| {
        let mut design = design.clone();
        design.description = format!("save {number}");
        shared::spec::save_design(&design)
    };
    store
        .create_design("d-log", "log", &text(0), &ada)
        .await
        .unwrap();
    // Save `number` of design `id`, based on the revision before it.
    let save_as = async |id: &str, number: usize, text: &str| {
        store
            .update_design(
                id,
                "log",
                text,
                number as i64,
                &ada,
                None,
                "design-save",
                |revision| format!("revision {revision}"),
            )
            .await
            .unwrap();
    };
    let save = async |number: usize| save_as("d-log", number, &text(number)).await;
    let file_size_before = std::fs::metadata(&path).unwrap().len();
    for number in 1..=40 {
        save(number).await;
    }
    // 40 revisions of ~90 KB: ~3.6 MB that only a checkpoint moves from the log to the file
    // (fewer than the writer's own checkpoint waits for: 4,096 pages, 64 MiB).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut file_size = std::fs::metadata(&path).unwrap().len();
    while file_size < file_size_before + 3_000_000 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        file_size = std::fs::metadata(&path).unwrap().len();
    }
    assert!(
        file_size >= file_size_before + 3_000_000,
        "the database file grew from {file_size_before} to {file_size} bytes only"
    );
    assert_eq!(store.design("d-log").await.unwrap().document, text(40));
    // Steady saves from 16 clients at once, 100 MB more, so the writer always has the next
    // batch waiting: the log starts over each time the writer finishes a checkpoint of the
    // task's (at 4 MiB), so it never nears the writer's own bound (64 MiB, which it reached
    // without the writer's finishing step; saves one at a time leave the task gaps in which
    // it copies the whole log by itself).
    let wal = directory.path().join("moat.sqlite-wal");
    let largest_log = std::sync::atomic::AtomicU64::new(0);
    let texts: Vec<String> = (0..=70).map(text).collect();
    let client = async |client: usize| {
        let id = format!("d-log-{client}");
        store
            .create_design(&id, "log", &texts[0], &ada)
            .await
            .unwrap();
        for (number, text) in texts.iter().enumerate().skip(1) {
            save_as(&id, number, text).await;
            let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
            largest_log.fetch_max(size, std::sync::atomic::Ordering::Relaxed);
        }
    };
    futures_util::future::join_all((0..16).map(client)).await;
    let largest_log = largest_log.into_inner();
    assert!(
        largest_log < 32 * 1024 * 1024,
        "the log grew to {largest_log} bytes"
    );
    store.close().await;
    // A new database has 16 KiB pages (the header's bytes 16 and 17).
    let header = std::fs::read(&path).unwrap();
    assert_eq!(u16::from_be_bytes([header[16], header[17]]), 16_384);
}

#[tokio::test]
async fn saves_at_once_are_each_written_whole_or_refused_as_stale() {
    let app = TestApp::new().await.with_user("ada", Role::Designer).await;
    let store = app.state.store.clone();
    let ada = store.user_for_login("ada").await.unwrap().unwrap().0;
    let text = |name: &str| {
        let mut document = valid_design();
        document["name"] = json!(name);
        shared::spec::save_design(&shared::spec::load_design_value(document).unwrap())
    };
    // Twenty designs saved at once: every save lands.
    let mut ids = Vec::new();
    for index in 0..20 {
        let id = format!("d-many-{index}");
        store
            .create_design(&id, "many", &text("many"), &ada)
            .await
            .unwrap();
        ids.push(id);
    }
    let mut saves = Vec::new();
    for id in &ids {
        let (store, ada, id, document) = (store.clone(), ada.clone(), id.clone(), text(id));
        saves.push(tokio::spawn(async move {
            store
                .update_design(
                    &id,
                    &id,
                    &document,
                    1,
                    &ada,
                    None,
                    "design-save",
                    |revision| format!("{id} revision {revision}"),
                )
                .await
        }));
    }
    for save in saves {
        assert_eq!(save.await.unwrap().unwrap().revision, 2);
    }
    for id in &ids {
        let (listing, document) = store.design_with_listing(id).await.unwrap();
        assert_eq!((listing.revision, listing.name.as_str()), (2, id.as_str()));
        assert_eq!(document, text(id));
    }
    // Twenty saves of one design, all based on revision 1: one lands, nineteen are stale.
    let mut saves = Vec::new();
    for index in 0..20 {
        let (store, ada, document) = (store.clone(), ada.clone(), text(&format!("try {index}")));
        saves.push(tokio::spawn(async move {
            store
                .update_design(
                    "d-many-0",
                    "tries",
                    &document,
                    2,
                    &ada,
                    None,
                    "design-save",
                    |revision| format!("try revision {revision}"),
                )
                .await
        }));
    }
    let mut landed = 0;
    for save in saves {
        match save.await.unwrap() {
            Ok(summary) => {
                landed += 1;
                assert_eq!(summary.revision, 3);
            }
            Err(backend::store::StoreError::Conflict { based_on, current }) => {
                assert_eq!((based_on, current), (2, 3));
            }
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(landed, 1);
    assert_eq!(store.revisions("d-many-0").await.unwrap().len(), 3);
    let audited = store
        .audit_entries(1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.target == "d-many-0" && entry.action == "design-save")
        .count();
    assert_eq!(audited, 2, "one audit row per landed save");
    // A save of a design that does not exist is not found, not stale.
    let missing = store
        .update_design(
            "d-missing",
            "x",
            &text("x"),
            1,
            &ada,
            None,
            "design-save",
            |revision| format!("x revision {revision}"),
        )
        .await;
    assert!(
        matches!(missing, Err(backend::store::StoreError::NotFound)),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_document_larger_than_the_inline_bound_is_checked_off_the_async_workers_and_saved() {
    let app = TestApp::new()
        .await
        .with_body_limit(4 * 1024 * 1024)
        .with_user("ada", Role::Designer)
        .await;
    let session = app.login("ada").await;
    let design = shared::generate::generated_design(800);
    let text = shared::spec::save_design(&design);
    assert!(text.len() > 256 * 1024, "{} bytes", text.len());
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let created = app
        .request(
            Method::POST,
            "/api/v1/designs",
            Some(&session),
            Some(json!({"document": document})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let mut renamed = document.clone();
    renamed["name"] = json!("large, renamed");
    let saved = app
        .request(
            Method::PUT,
            &format!("/api/v1/designs/{id}"),
            Some(&session),
            Some(json!({"document": renamed, "base_revision": 1})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let (_, stored) = app.state.store.design_with_listing(&id).await.unwrap();
    let mut expected = design.clone();
    expected.name = "large, renamed".to_string();
    assert_eq!(stored, shared::spec::stored_design_text(&expected, 0));
    // Over a limit, it is refused as any design is.
    let mut over = renamed.clone();
    over["name"] = json!("x".repeat(2_000));
    let refused = app
        .request(
            Method::PUT,
            &format!("/api/v1/designs/{id}"),
            Some(&session),
            Some(json!({"document": over, "base_revision": 2})),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["code"], "over_limits");
}
