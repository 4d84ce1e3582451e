//! The backend's HTTP API as typed calls. Same origin: the session cookie rides along, and
//! every state-changing call carries the CSRF token from the session.

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SessionUser {
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Session {
    pub user: Option<SessionUser>,
    pub csrf_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SavedDesign {
    pub id: String,
    pub revision: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeployedResource {
    pub logical_id: String,
    pub kind: String,
    pub aws_id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Deployment {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub resources: Vec<DeployedResource>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ApiErrorBody {
    code: String,
    message: String,
}

/// A failed call, as shown to the user.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.message)
    }
}

fn unreachable_server(error: gloo_net::Error) -> CallError {
    CallError {
        status: 0,
        code: "unreachable".into(),
        message: format!("the server cannot be reached: {error}"),
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, CallError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response.json::<T>().await.map_err(|error| CallError {
            status,
            code: "bad_answer".into(),
            message: format!("the server's answer could not be read: {error}"),
        });
    }
    let body = response
        .json::<ApiErrorBody>()
        .await
        .unwrap_or(ApiErrorBody {
            code: "http".into(),
            message: format!("the server answered HTTP {status}"),
        });
    Err(CallError {
        status,
        code: body.code,
        message: body.message,
    })
}

async fn send_json<T: DeserializeOwned>(
    method: &str,
    url: &str,
    csrf: Option<&str>,
    body: &Value,
) -> Result<T, CallError> {
    let builder = match method {
        "PUT" => Request::put(url),
        _ => Request::post(url),
    };
    let builder = match csrf {
        Some(token) => builder.header("x-csrf-token", token),
        None => builder,
    };
    let request = builder.json(body).map_err(unreachable_server)?;
    decode(request.send().await.map_err(unreachable_server)?).await
}

pub async fn session() -> Result<Session, CallError> {
    decode(
        Request::get("/api/v1/auth/session")
            .send()
            .await
            .map_err(unreachable_server)?,
    )
    .await
}

pub async fn login(name: &str, password: &str) -> Result<Session, CallError> {
    send_json(
        "POST",
        "/api/v1/auth/login",
        None,
        &json!({"name": name, "password": password}),
    )
    .await
}

pub async fn save_design(
    csrf: &str,
    existing: Option<&SavedDesign>,
    document: &Value,
) -> Result<SavedDesign, CallError> {
    match existing {
        None => {
            send_json(
                "POST",
                "/api/v1/designs",
                Some(csrf),
                &json!({"document": document}),
            )
            .await
        }
        Some(saved) => {
            let url = format!("/api/v1/designs/{}", saved.id);
            send_json(
                "PUT",
                &url,
                Some(csrf),
                &json!({"document": document, "base_revision": saved.revision}),
            )
            .await
        }
    }
}

pub async fn start_deployment(csrf: &str, design_id: &str) -> Result<Deployment, CallError> {
    let url = format!("/api/v1/designs/{design_id}/deployments");
    send_json("POST", &url, Some(csrf), &json!({})).await
}

pub async fn deployment(deployment_id: &str) -> Result<Deployment, CallError> {
    let url = format!("/api/v1/deployments/{deployment_id}");
    decode(
        Request::get(&url)
            .send()
            .await
            .map_err(unreachable_server)?,
    )
    .await
}

/// A stored design: its revision and document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StoredDesign {
    pub id: String,
    pub revision: i64,
    pub document: Value,
}

pub async fn design(design_id: &str) -> Result<StoredDesign, CallError> {
    let url = format!("/api/v1/designs/{design_id}");
    decode(
        Request::get(&url)
            .send()
            .await
            .map_err(unreachable_server)?,
    )
    .await
}
