//! The backend's HTTP API as typed calls. Same origin: the session cookie rides along, and
//! every state-changing call carries the CSRF token from the session. The answers are the
//! server's own wire types (`shared::api`), never re-declared here.

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use shared::api::{
    AuditEntry, DeploymentRecord, DeploymentStarted, DeploymentSummary, DesignList, DesignSummary,
    DriftAnswer, ImportAnswer, PlanReview, RevisionSummary, SessionAnswer, StoredDesign,
    UserListing,
};

/// The session as the app holds it: the server's answer.
pub type Session = SessionAnswer;

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
    send_json_text(method, url, csrf, body.to_string()).await
}

/// Sends `body`, JSON text, as the request's body.
async fn send_json_text<T: DeserializeOwned>(
    method: &str,
    url: &str,
    csrf: Option<&str>,
    body: String,
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
    let request = builder
        .header("content-type", "application/json")
        .body(body)
        .map_err(unreachable_server)?;
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

/// Saves `document`, the design's text (`crate::documents::design_text`): a new design, or a
/// new revision of `existing`. The text is put into the request as it is: it is JSON the
/// page's own serialiser wrote, so the page needs no second serialiser of the design for the
/// request.
pub async fn save_design(
    csrf: &str,
    existing: Option<&DesignSummary>,
    document: &str,
) -> Result<DesignSummary, CallError> {
    match existing {
        None => {
            send_json_text(
                "POST",
                "/api/v1/designs",
                Some(csrf),
                format!("{{\"document\":{document}}}"),
            )
            .await
        }
        Some(saved) => {
            let url = format!("/api/v1/designs/{}", saved.id);
            send_json_text(
                "PUT",
                &url,
                Some(csrf),
                format!(
                    "{{\"document\":{document},\"base_revision\":{}}}",
                    saved.revision
                ),
            )
            .await
        }
    }
}

pub async fn start_deployment(csrf: &str, design_id: &str) -> Result<DeploymentStarted, CallError> {
    let url = format!("/api/v1/designs/{design_id}/deployments");
    send_json("POST", &url, Some(csrf), &json!({})).await
}

pub async fn deployment(deployment_id: &str) -> Result<DeploymentRecord, CallError> {
    let url = format!("/api/v1/deployments/{deployment_id}");
    get_json(&url).await
}

pub async fn design(design_id: &str) -> Result<StoredDesign, CallError> {
    let url = format!("/api/v1/designs/{design_id}");
    get_json(&url).await
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, CallError> {
    decode(Request::get(url).send().await.map_err(unreachable_server)?).await
}

/// Ends the session on the server.
pub async fn logout(csrf: &str) -> Result<shared::api::SignedOutAnswer, CallError> {
    send_json("POST", "/api/v1/auth/logout", Some(csrf), &json!({})).await
}

/// Creates a pending account.
pub async fn sign_up(name: &str, password: &str) -> Result<shared::api::SignUpAnswer, CallError> {
    send_json(
        "POST",
        "/api/v1/auth/signup",
        None,
        &json!({"name": name, "password": password}),
    )
    .await
}

pub async fn users() -> Result<Vec<UserListing>, CallError> {
    Ok(get_json::<shared::api::UserList>("/api/v1/users")
        .await?
        .users)
}

/// Sets a user's role and/or status (`active` approves or re-enables, `disabled` disables).
pub async fn set_access(
    csrf: &str,
    user_id: i64,
    role: Option<&str>,
    status: Option<&str>,
) -> Result<shared::api::UserAnswer, CallError> {
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

pub async fn reject(csrf: &str, user_id: i64) -> Result<shared::api::RejectedAnswer, CallError> {
    send_json(
        "DELETE",
        &format!("/api/v1/users/{user_id}"),
        Some(csrf),
        &json!({}),
    )
    .await
}

pub async fn audit() -> Result<Vec<AuditEntry>, CallError> {
    Ok(get_json::<shared::api::AuditLog>("/api/v1/audit?limit=100")
        .await?
        .entries)
}

pub async fn revisions(design_id: &str) -> Result<Vec<RevisionSummary>, CallError> {
    Ok(
        get_json::<shared::api::RevisionList>(&format!("/api/v1/designs/{design_id}/revisions"))
            .await?
            .revisions,
    )
}

/// "2 added, 1 changed": a revision against the one before it.
pub async fn revision_summary(design_id: &str, revision: i64) -> Result<String, CallError> {
    Ok(get_json::<shared::api::RevisionDiff>(&format!(
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
) -> Result<DesignSummary, CallError> {
    send_json(
        "POST",
        &format!("/api/v1/designs/{design_id}/restore"),
        Some(csrf),
        &json!({"revision": revision, "base_revision": base_revision}),
    )
    .await
}

/// The deployments waiting for a second deployer.
pub async fn waiting_deployments() -> Result<Vec<DeploymentSummary>, CallError> {
    Ok(
        get_json::<shared::api::DeploymentList>("/api/v1/deployments?status=awaiting_approval")
            .await?
            .deployments,
    )
}

pub async fn approve_deployment(
    csrf: &str,
    deployment_id: &str,
) -> Result<DeploymentStarted, CallError> {
    send_json(
        "POST",
        &format!("/api/v1/deployments/{deployment_id}/approve"),
        Some(csrf),
        &json!({}),
    )
    .await
}

/// The plan, read as the review shows it (`PlanReview`: the server's `PlanAnswer` without the
/// resource specs the page never shows).
pub async fn plan(design_id: &str) -> Result<PlanReview, CallError> {
    let url = format!("/api/v1/designs/{design_id}/plan");
    get_json(&url).await
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

pub async fn drift(design_id: &str) -> Result<DriftAnswer, CallError> {
    let url = format!("/api/v1/designs/{design_id}/drift");
    get_json(&url).await
}

/// The Open dialog's list: designs whose name or id holds `search`, newest edit first.
pub async fn designs(search: &str) -> Result<DesignList, CallError> {
    let search = String::from(js_sys::encode_uri_component(search.trim()));
    get_json(&format!("/api/v1/designs?search={search}&limit=200")).await
}

/// One saved revision's document, as text (the deploy review prices what is deployed).
pub async fn revision_document(design_id: &str, revision: i64) -> Result<String, CallError> {
    let answer: shared::api::RevisionDocument =
        get_json(&format!("/api/v1/designs/{design_id}/revisions/{revision}")).await?;
    Ok(answer.document.get().to_string())
}
