//! `TestApp`: a fresh data dir and database, users by role, signed-in sessions, and requests.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use backend::auth::{self, Role, UserStatus};
use backend::aws::recording::RecordingNetwork;
use backend::config::Settings;
use backend::store::Store;
use backend::{AppState, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub state: AppState,
    pub network: Arc<RecordingNetwork>,
    /// The database's URL, for a second server's store on it.
    pub database_url: String,
    _data_dir: tempfile::TempDir,
}

/// A signed-in client: its cookie and CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf_token: String,
}

/// An answer: status, headers, JSON body (Null when empty or not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as text (for answers that are not JSON, like an event stream).
    pub text: String,
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_network(RecordingNetwork::open()).await
    }

    pub async fn with_network(network: RecordingNetwork) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database_url = match std::env::var("MOAT_TEST_DATABASE_URL") {
            // The storage suite's second run: a fresh database per test on the PostgreSQL
            // server the test command started.
            Ok(admin_url) if !admin_url.is_empty() => fresh_postgres_database(&admin_url).await,
            _ => format!(
                "sqlite://{}?mode=rwc",
                data_dir.path().join("moat.sqlite").display()
            ),
        };
        let store = Store::open(&database_url).await.expect("database");
        let settings = Settings {
            data_dir: data_dir.path().to_path_buf(),
            static_dir: None,
            secure_cookies: false,
            body_limit_bytes: 64 * 1024,
            protected_targets: Vec::new(),
            apply: backend::provision::ApplyOptions {
                base_delay: std::time::Duration::from_millis(5),
                ..Default::default()
            },
            trusted_proxies: Vec::new(),
        };
        let network = Arc::new(network);
        let state = AppState {
            store,
            settings: Arc::new(settings),
            network: network.clone(),
            leases: Arc::new(backend::deploy::Leases::new(backend::deploy::DEFAULT_LEASE)),
        };
        TestApp {
            state,
            network,
            database_url,
            _data_dir: data_dir,
        }
    }

    /// Believes the forwarding headers of peers in `proxies`.
    pub fn with_trusted_proxies(mut self, proxies: &[&str]) -> TestApp {
        let mut settings = (*self.state.settings).clone();
        settings.trusted_proxies = proxies
            .iter()
            .map(|proxy| backend::api::client_address::parse_trusted_proxy(proxy).expect("a proxy"))
            .collect();
        self.state.settings = Arc::new(settings);
        self
    }

    /// Accepts request bodies of up to `bytes`.
    pub fn with_body_limit(mut self, bytes: usize) -> TestApp {
        let mut settings = (*self.state.settings).clone();
        settings.body_limit_bytes = bytes;
        self.state.settings = Arc::new(settings);
        self
    }

    /// Serves the built app from `directory`.
    pub fn with_static_dir(mut self, directory: &std::path::Path) -> TestApp {
        let mut settings = (*self.state.settings).clone();
        settings.static_dir = Some(directory.to_path_buf());
        self.state.settings = Arc::new(settings);
        self
    }

    /// Puts a deployment target (region) under the two-person rule.
    pub fn with_protected_target(mut self, region: &str) -> TestApp {
        let mut settings = (*self.state.settings).clone();
        settings.protected_targets.push(region.to_string());
        self.state.settings = Arc::new(settings);
        self
    }

    /// Adds an active user with [`PASSWORD`].
    pub async fn with_user(self, name: &str, role: Role) -> TestApp {
        self.add_user(name, role, UserStatus::Active).await;
        self
    }

    pub async fn add_user(&self, name: &str, role: Role, status: UserStatus) {
        let hash = auth::hash_password(PASSWORD).expect("hash");
        self.state
            .store
            .create_user(name, &hash, role, status)
            .await
            .expect("user");
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        session: Option<&Session>,
        body: Option<Value>,
    ) -> Answer {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(session) = session {
            builder = builder
                .header(header::COOKIE, &session.cookie)
                .header(auth::CSRF_HEADER, &session.csrf_token);
        }
        let request = match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = app(self.state.clone())
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    /// A session made directly in the store, for accounts that cannot sign in (pending,
    /// disabled after signing in): what a stale cookie of such an account presents.
    pub async fn session_without_login(&self, name: &str) -> Session {
        let (user, _) = self
            .state
            .store
            .user_for_login(name)
            .await
            .expect("lookup")
            .expect("user exists");
        let token = auth::new_token();
        let csrf_token = auth::new_token();
        self.state
            .store
            .create_session(&auth::token_hash(&token), user.id, &csrf_token)
            .await
            .expect("session");
        Session {
            cookie: format!("{}={token}", auth::SESSION_COOKIE),
            csrf_token,
        }
    }

    /// The id of a user by name.
    pub async fn user_id(&self, name: &str) -> i64 {
        self.state
            .store
            .user_for_login(name)
            .await
            .expect("lookup")
            .expect("user exists")
            .0
            .id
    }

    pub async fn login(&self, name: &str) -> Session {
        let answer = self
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"name": name, "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login of {name}: {}",
            answer.body
        );
        let set_cookie = answer
            .headers
            .get(header::SET_COOKIE)
            .expect("a session cookie")
            .to_str()
            .expect("ascii");
        let cookie = set_cookie
            .split(';')
            .next()
            .expect("cookie pair")
            .to_string();
        Session {
            cookie,
            csrf_token: answer.body["csrf_token"]
                .as_str()
                .expect("csrf token")
                .to_string(),
        }
    }
}

/// Creates an empty database on the server at `admin_url` and returns its URL.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("moat_test_{}", &auth::new_token()[..16]);
    let mut connection = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .expect("create a test database");
    let (server, _) = admin_url
        .rsplit_once('/')
        .expect("a URL ending in /database");
    format!("{server}/{name}")
}

/// A valid design: one VPC and two disjoint subnets.
pub fn valid_design() -> Value {
    json!({
        "schema_version": 1, "name": "slice", "region": "us-east-1",
        "vpcs": [{"id": "vpc-1", "name": "main", "cidr_blocks": ["10.0.0.0/16"]}],
        "subnets": [
            {"id": "subnet-1", "vpc": "vpc-1", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/24", "tier": "private"},
            {"id": "subnet-2", "vpc": "vpc-1", "availability_zone": "us-east-1b", "cidr": "10.0.1.0/24", "tier": "private"}
        ]
    })
}
