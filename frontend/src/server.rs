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
    #[serde(default)]
    pub status: String,
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
    pub status: shared::api::DeploymentStatus,
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
        "PATCH" => Request::patch(url),
        "DELETE" => Request::delete(url),
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
    get_json(&url).await
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
    get_json(&url).await
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, CallError> {
    decode(Request::get(url).send().await.map_err(unreachable_server)?).await
}

/// Ends the session on the server.
pub async fn logout(csrf: &str) -> Result<Value, CallError> {
    send_json("POST", "/api/v1/auth/logout", Some(csrf), &json!({})).await
}

/// Creates a pending account.
pub async fn sign_up(name: &str, password: &str) -> Result<Value, CallError> {
    send_json(
        "POST",
        "/api/v1/auth/signup",
        None,
        &json!({"name": name, "password": password}),
    )
    .await
}

/// A user as the admin page lists them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub status: String,
}

#[derive(Deserialize)]
struct Users {
    users: Vec<UserRow>,
}

pub async fn users() -> Result<Vec<UserRow>, CallError> {
    Ok(get_json::<Users>("/api/v1/users").await?.users)
}

/// Sets a user's role and/or status (`active` approves or re-enables, `disabled` disables).
pub async fn set_access(
    csrf: &str,
    user_id: i64,
    role: Option<&str>,
    status: Option<&str>,
) -> Result<Value, CallError> {
    let mut body = serde_json::Map::new();
    if let Some(role) = role {
        body.insert("role".into(), json!(role));
    }
    if let Some(status) = status {
        body.insert("status".into(), json!(status));
    }
    send_json(
        "PATCH",
        &format!("/api/v1/users/{user_id}"),
        Some(csrf),
        &Value::Object(body),
    )
    .await
}

pub async fn reject(csrf: &str, user_id: i64) -> Result<Value, CallError> {
    send_json(
        "DELETE",
        &format!("/api/v1/users/{user_id}"),
        Some(csrf),
        &json!({}),
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditRow {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

#[derive(Deserialize)]
struct Audit {
    entries: Vec<AuditRow>,
}

pub async fn audit() -> Result<Vec<AuditRow>, CallError> {
    Ok(get_json::<Audit>("/api/v1/audit?limit=100").await?.entries)
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RevisionRow {
    pub revision: i64,
    pub saved_by: String,
    pub saved_at: i64,
    #[serde(default)]
    pub restored_from: Option<i64>,
}

#[derive(Deserialize)]
struct Revisions {
    revisions: Vec<RevisionRow>,
}

pub async fn revisions(design_id: &str) -> Result<Vec<RevisionRow>, CallError> {
    Ok(
        get_json::<Revisions>(&format!("/api/v1/designs/{design_id}/revisions"))
            .await?
            .revisions,
    )
}

#[derive(Deserialize)]
struct DiffAnswer {
    summary: String,
}

/// "2 added, 1 changed": a revision against the one before it.
pub async fn revision_summary(design_id: &str, revision: i64) -> Result<String, CallError> {
    Ok(get_json::<DiffAnswer>(&format!(
        "/api/v1/designs/{design_id}/revisions/{revision}/diff"
    ))
    .await?
    .summary)
}

pub async fn restore(
    csrf: &str,
    design_id: &str,
    revision: i64,
    base_revision: i64,
) -> Result<SavedDesign, CallError> {
    send_json(
        "POST",
        &format!("/api/v1/designs/{design_id}/restore"),
        Some(csrf),
        &json!({"revision": revision, "base_revision": base_revision}),
    )
    .await
}

/// A deployment waiting for a second deployer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WaitingDeployment {
    pub id: String,
    pub design_id: String,
    pub design_revision: i64,
    pub requested_by: String,
}

#[derive(Deserialize)]
struct WaitingDeployments {
    deployments: Vec<WaitingDeployment>,
}

pub async fn waiting_deployments() -> Result<Vec<WaitingDeployment>, CallError> {
    Ok(
        get_json::<WaitingDeployments>("/api/v1/deployments?status=awaiting_approval")
            .await?
            .deployments,
    )
}

pub async fn approve_deployment(csrf: &str, deployment_id: &str) -> Result<Deployment, CallError> {
    send_json(
        "POST",
        &format!("/api/v1/deployments/{deployment_id}/approve"),
        Some(csrf),
        &json!({}),
    )
    .await
}

/// One step of a plan, as the server shows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanStep {
    pub key: PlanKey,
    pub action: PlanAction,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanKey {
    pub kind: String,
    pub logical_id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanAction {
    pub action: String,
    #[serde(default)]
    pub changed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanBody {
    pub steps: Vec<PlanStep>,
    pub unchanged: usize,
}

/// What an apply would change: the steps, and (create, update, replace, delete) counts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanAnswer {
    pub plan: PlanBody,
    pub counts: (usize, usize, usize, usize),
}

pub async fn plan(design_id: &str) -> Result<PlanAnswer, CallError> {
    let url = format!("/api/v1/designs/{design_id}/plan");
    get_json(&url).await
}

/// A VPC read from AWS as a design.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportAnswer {
    pub document: Value,
    #[serde(default)]
    pub left_out: Vec<String>,
}

pub async fn import_vpc(csrf: &str, vpc_id: &str, region: &str) -> Result<ImportAnswer, CallError> {
    send_json(
        "POST",
        "/api/v1/import",
        Some(csrf),
        &json!({"vpc_id": vpc_id, "region": region}),
    )
    .await
}

/// What changed in the account outside Moat, one line each.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DriftAnswer {
    pub lines: Vec<String>,
}

pub async fn drift(design_id: &str) -> Result<DriftAnswer, CallError> {
    let url = format!("/api/v1/designs/{design_id}/drift");
    get_json(&url).await
}
