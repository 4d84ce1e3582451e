//! The JSON API under `/api/v1`, plus the built frontend as static files.
//!
//! Every handler that needs a user takes [`CurrentUser`], which authenticates, checks the
//! account's status and the CSRF header; handlers then check the role they need.

mod accounts;
pub mod client_address;
pub(crate) mod error;
pub mod headers;
pub mod openapi;
pub mod request_id;
mod revisions;
pub mod session;
pub mod static_files;

use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use shared::api::{
    DeploymentEnded, DeploymentList, DeploymentRecord, DeploymentStarted, DeploymentStatus,
    DesignList, DesignSummary, DiagnosticsAnswer, DriftAnswer, ExportAnswer, HealthAnswer,
    ImportAnswer, PlanAnswer, ServerHealth, SessionAnswer, SignedOutAnswer, StepEvent,
    StoredDesign, TemplateList, TemplateSummary,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;

use crate::AppState;
use crate::auth::{self, Role};
use crate::deploy;
use session::CurrentUser;

/// A JSON body whose rejections become [`ApiError`]s.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| ApiJson(value))
            .map_err(ApiError::from)
    }
}

/// The longest any request but the deployment progress stream may take (an import of a large
/// VPC from a slow account is the longest legitimate one).
pub const REQUEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Requests answered 408 after `limit` (the JSON error document, once
/// [`headers::json_errors`] wraps it).
fn time_limit(limit: std::time::Duration) -> tower_http::timeout::TimeoutLayer {
    tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limit)
}

/// Every route of `/api/v1` (paths relative to it), each registered with its OpenAPI
/// operation: what is routed is what [`openapi::document`] documents.
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    let answered = OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(openapi_document))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(session))
        .routes(routes!(accounts::sign_up))
        .routes(routes!(accounts::list_users))
        .routes(routes!(accounts::set_access, accounts::reject))
        .routes(routes!(accounts::unlock))
        .routes(routes!(accounts::audit_log))
        .routes(routes!(list_designs, create_design))
        .routes(routes!(get_design, update_design))
        .routes(routes!(revisions::list))
        .routes(routes!(revisions::get))
        .routes(routes!(revisions::diff))
        .routes(routes!(revisions::restore))
        .routes(routes!(create_deployment))
        .routes(routes!(plan_design))
        .routes(routes!(destroy_design))
        .routes(routes!(design_drift))
        .routes(routes!(import_vpc))
        .routes(routes!(export_design))
        .routes(routes!(list_deployments))
        .routes(routes!(get_deployment))
        .routes(routes!(approve_deployment))
        .routes(routes!(validate_document))
        .routes(routes!(list_templates))
        .routes(routes!(get_template))
        .routes(routes!(design_schema))
        .fallback(|| async { ApiError::not_found("API route") })
        // Every request but the progress stream (which lasts as long as its deployment) is
        // answered within REQUEST_TIME_LIMIT (408, as the JSON error document).
        .layer(time_limit(REQUEST_TIME_LIMIT));
    let streamed = OpenApiRouter::new().routes(routes!(deployment_events));
    answered.merge(streamed)
}

pub fn router(state: AppState) -> Router {
    let body_limit = state.settings.body_limit_bytes;
    let (api, _) = api_routes().split_for_parts();
    let api = api
        .layer(axum::middleware::map_response(headers::json_errors))
        .layer(axum::middleware::from_fn(timed));
    let mut router = Router::new()
        .nest("/api/v1", api)
        .route("/metrics", axum::routing::get(metrics_text));
    if let Some(static_dir) = &state.settings.static_dir {
        let digests = std::sync::Arc::new(static_files::Digests::of_directory(static_dir));
        let app = Router::new()
            .fallback_service(static_files::service(static_dir))
            .layer(axum::middleware::from_fn(move |request, next| {
                static_files::with_caching(digests.clone(), request, next)
            }));
        router = router.fallback_service(app);
    }
    let security_headers = std::sync::Arc::new(headers::security_headers(
        &headers::content_security_policy(state.settings.static_dir.as_deref()),
    ));
    router
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::map_response(move |response| {
            let security_headers = security_headers.clone();
            async move { headers::with_headers(response, &security_headers) }
        }))
        .layer(axum::middleware::from_fn(request_id::with_request_id))
        .with_state(state)
}

/// Each API request's time, by its route's template (never the ids in it), method and status.
async fn timed(request: Request, next: axum::middleware::Next) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = request.method().as_str().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    crate::metrics::global()
        .http_seconds
        .get_or_create(&crate::metrics::HttpLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the Prometheus text exposition (outside the API: no session, no ids).
async fn metrics_text(State(state): State<AppState>) -> Response {
    let deployments = match state.store.deployments_by_status().await {
        Ok(counts) => counts,
        Err(error) => {
            tracing::warn!(%error, "metrics: counting deployments failed");
            Vec::new()
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        crate::metrics::global().render(&deployments),
    )
        .into_response()
}

#[utoipa::path(get, path = "/openapi.json", tag = "meta", responses((status = 200, description = "This document", body = ref(openapi::OPENAPI_SCHEMA))))]
async fn openapi_document() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::document_json(),
    )
        .into_response()
}

#[utoipa::path(get, path = "/templates", tag = "designs", responses((status = 200, description = "The seed article's four use cases", body = ref(openapi::body::<TemplateList>()))))]
async fn list_templates() -> Json<TemplateList> {
    let templates = shared::templates::TEMPLATES
        .iter()
        .map(|template| TemplateSummary {
            name: template.name.to_string(),
            title: template.title.to_string(),
            description: template.description.to_string(),
        })
        .collect();
    Json(TemplateList { templates })
}

#[utoipa::path(get, path = "/templates/{name}", tag = "designs", params(("name" = String, Path)), responses((status = 200, description = "The template's design document", body = ref(openapi::body::<shared::Design>())), (status = 404, body = crate::api::error::ErrorDocument)))]
async fn get_template(Path(name): Path<String>) -> Result<Response, ApiError> {
    let template = shared::templates::template(&name).ok_or_else(|| {
        let names: Vec<&str> = shared::templates::TEMPLATES
            .iter()
            .map(|t| t.name)
            .collect();
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "no template named \"{name}\"; the templates are: {}",
                names.join(", ")
            ),
        )
    })?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        template.document,
    )
        .into_response())
}

#[utoipa::path(get, path = "/schema", tag = "designs", responses((status = 200, description = "The JSON Schema of a design document", body = ref(openapi::JSON_SCHEMA_META))))]
async fn design_schema() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        shared::spec::json_schema(),
    )
        .into_response()
}

#[utoipa::path(get, path = "/health", tag = "meta", responses((status = 200, description = "The server is up", body = ref(openapi::body::<HealthAnswer>()))))]
async fn health() -> Json<HealthAnswer> {
    Json(HealthAnswer {
        status: ServerHealth::Ok,
    })
}

/// Readiness, apart from liveness: a load balancer sends traffic only while the database
/// answers.
#[utoipa::path(get, path = "/ready", tag = "meta", responses((status = 200, description = "The server can serve: its database answers", body = ref(openapi::body::<HealthAnswer>())), (status = 503, description = "The database does not answer", body = ref(openapi::body::<HealthAnswer>()))))]
async fn ready(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(HealthAnswer {
            status: ServerHealth::Ok,
        })
        .into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(HealthAnswer {
                    status: ServerHealth::DatabaseUnavailable,
                }),
            )
                .into_response()
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    name: String,
    password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LoginRequest")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, responses((status = 200, description = "Signed in; sets the HttpOnly SameSite=Strict session cookie", body = ref(openapi::body::<SessionAnswer>())), (status = 401, description = "Wrong name or password (the same answer for unknown names)", body = crate::api::error::ErrorDocument), (status = 403, description = "Right password, but the account is pending or disabled", body = crate::api::error::ErrorDocument), (status = 429, description = "Too many failed sign-ins from this client (for this account: backoff after 5; across accounts: 100 an hour); details.retry_after_seconds says how long to wait", body = crate::api::error::ErrorDocument)))]
async fn login(
    State(state): State<AppState>,
    client_address::ClientAddress(address): client_address::ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let attempt = accounts::reserve_sign_in(&state, &request.name, address).await?;
    let found = state.store.user_for_login(&request.name).await?;
    let refused = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "wrong name or password",
        )
    };
    // Hashing is CPU-heavy: it runs off the async workers, an unknown name against a decoy
    // hash so both answers take as long.
    let known = found.is_some();
    let (user, password_hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, auth::decoy_hash().to_string()),
    };
    let password = request.password.clone();
    let matches = crate::heavy::run(move || auth::verify_password(&password, &password_hash))
        .await
        .map_err(ApiError::heavy_work)?;
    // A failure keeps its reserved row; only a success removes it.
    let Some(user) = user.filter(|_| known) else {
        return Err(refused());
    };
    if !matches {
        return Err(refused());
    }
    accounts::sign_in_succeeded(&state, &request.name, address, &attempt).await?;
    // Only after the right password does the answer say more than "wrong name or password".
    match user.status {
        auth::UserStatus::Active => {}
        auth::UserStatus::Pending => {
            return Err(ApiError::forbidden(
                "your account waits for an admin's approval",
            ));
        }
        auth::UserStatus::Disabled => {
            return Err(ApiError::forbidden("your account is disabled"));
        }
    }
    // A fresh session id on every login (no fixation); the old cookie, if any, is simply replaced.
    let token = auth::new_token();
    if token.is_empty() {
        return Err(ApiError::internal("no randomness for a session token"));
    }
    let csrf_token = auth::new_token();
    state
        .store
        .create_session(&auth::token_hash(&token), user.id, &csrf_token)
        .await?;
    let cookie = HeaderValue::from_str(&session::session_cookie(
        &token,
        state.settings.secure_cookies,
    ))
    .map_err(ApiError::internal)?;
    state
        .store
        .audit(
            Some(&user),
            &user.name,
            "sign-in",
            &user.name,
            &address.map(|a| format!("from {a}")).unwrap_or_default(),
            "",
        )
        .await?;
    let body = Json(SessionAnswer {
        user: Some(user),
        csrf_token: Some(csrf_token),
    });
    Ok(([(header::SET_COOKIE, cookie)], body).into_response())
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("session" = [])), responses((status = 200, description = "The session is deleted on the server", body = ref(openapi::body::<SignedOutAnswer>())), (status = 401, description = "Not signed in", body = crate::api::error::ErrorDocument)))]
async fn logout(State(state): State<AppState>, current: CurrentUser) -> Result<Response, ApiError> {
    state.store.delete_session(&current.token_hash).await?;
    let cookie = HeaderValue::from_str(&session::cleared_session_cookie(
        state.settings.secure_cookies,
    ))
    .map_err(ApiError::internal)?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(SignedOutAnswer { signed_out: true }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/auth/session", tag = "auth", responses((status = 200, description = "The user and CSRF token, both null when not signed in", body = ref(openapi::body::<SessionAnswer>()))))]
async fn session(current: Result<CurrentUser, ApiError>) -> Json<SessionAnswer> {
    Json(match current {
        Ok(current) => SessionAnswer {
            user: Some(current.user),
            csrf_token: Some(current.csrf_token),
        },
        Err(_) => SessionAnswer {
            user: None,
            csrf_token: None,
        },
    })
}

/// How many designs one page of the Open dialog lists at most.
const MAX_LISTED_DESIGNS: i64 = 500;

#[derive(Deserialize)]
struct DesignListQuery {
    /// Only designs whose name or id holds this text, in any case.
    #[serde(default)]
    search: String,
    #[serde(default)]
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/designs", tag = "designs", security(("session" = [])), params(("search" = Option<String>, Query, description = "Only designs whose name or id holds this text, in any case (at most 200 characters)"), ("limit" = Option<i64>, Query, description = "1 to 500, default 200")), responses((status = 200, description = "The stored designs, most recently edited first, with who created and last saved each and its latest deployment", body = ref(openapi::body::<DesignList>())), (status = 400, body = crate::api::error::ErrorDocument), (status = 401, body = crate::api::error::ErrorDocument), (status = 403, body = crate::api::error::ErrorDocument)))]
async fn list_designs(
    State(state): State<AppState>,
    current: CurrentUser,
    axum::extract::Query(query): axum::extract::Query<DesignListQuery>,
) -> Result<Json<DesignList>, ApiError> {
    current.require(Role::Viewer)?;
    let limit = query.limit.unwrap_or(200);
    if !(1..=MAX_LISTED_DESIGNS).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be from 1 to {MAX_LISTED_DESIGNS}"),
        ));
    }
    if query.search.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "invalid_search",
            "search is at most 200 characters",
        ));
    }
    let (designs, truncated) = state.store.list_designs(query.search.trim(), limit).await?;
    Ok(Json(DesignList { designs, truncated }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SaveDesignRequest {
    /// The design document (see `moat schema`).
    #[schema(value_type = Object)]
    document: Box<serde_json::value::RawValue>,
    /// The revision the client edited; required when updating.
    #[serde(default)]
    base_revision: Option<i64>,
}

/// A request's document as a design, or a 422 with the spec's path-precise message.
fn loaded_design(document: Value) -> Result<shared::Design, ApiError> {
    shared::spec::load_design_value(document).map_err(invalid_design)
}

/// The 422 for a document that does not load as a design, with the spec's message.
fn invalid_design(error: shared::spec::SpecError) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_design",
        error.to_string(),
    )
}

/// A JSON request's body as bytes, its content type checked as [`ApiJson`] checks it (and
/// refused with the same errors), for a handler that reads the body itself.
pub struct JsonBody(axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(request.headers()) {
            return Err(ApiError::not_json());
        }
        axum::body::Bytes::from_request(request, state)
            .await
            .map(JsonBody)
            .map_err(|_| ApiError::body_too_large())
    }
}

/// `application/json`, or any `application/…+json`, with or without parameters (axum's
/// [`Json`] rule).
fn is_json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

/// A save's body, checked: the design's name and the text the store keeps
/// ([`shared::spec::stored_design_text`]), and the revision it is based on. A design over Moat's hard limits is refused (422 `over_limits`), so no stored design
/// can ask an export, a plan or a diagram for unbounded work.
struct CheckedSave {
    name: String,
    stored_text: String,
    base_revision: Option<i64>,
}

/// Reads and checks a save's body ([`SaveDesignRequest`]).
///
/// A body of up to [`INLINE_DOCUMENT_BYTES`] is checked on the async worker that received it
/// (a 100-subnet design, 51 KiB, takes a fraction of a millisecond, less than handing it to
/// another thread); a larger one on the blocking pool, as heavy work.
async fn checked_save(JsonBody(body): JsonBody) -> Result<CheckedSave, ApiError> {
    if body.len() <= INLINE_DOCUMENT_BYTES {
        return checked_save_body(&body);
    }
    crate::heavy::run(move || checked_save_body(&body))
        .await
        .map_err(ApiError::heavy_work)?
}

/// The largest document a save checks on the async worker that received it.
const INLINE_DOCUMENT_BYTES: usize = 256 * 1024;

fn checked_save_body(body: &[u8]) -> Result<CheckedSave, ApiError> {
    let (design, base_revision) = save_request_design(body)?;
    // The body's size bounds the stored text's, near enough (an editor sends the pretty text).
    let stored_text = shared::spec::stored_design_text(&design, body.len());
    shared::limits::check_with_text(&design, &stored_text).map_err(ApiError::over_limits)?;
    Ok(CheckedSave {
        name: design.name,
        stored_text,
        base_revision,
    })
}

/// The design a save's body carries, and its base revision.
///
/// A body whose document is at the current version (every editor's save) is read in one
/// pass, straight into the design. Any other, older or refused by that read, is read as
/// before: the request with its document as raw text (with [`ApiJson`]'s words for a body
/// that is not the request), then the document with the spec's migrating reader, which
/// names the path of what is wrong. Both reads give the same design for a body both accept
/// (a test holds them to it).
fn save_request_design(body: &[u8]) -> Result<(shared::Design, Option<i64>), ApiError> {
    #[derive(Deserialize)]
    struct CurrentSaveRequest {
        document: shared::Design,
        #[serde(default)]
        base_revision: Option<i64>,
    }
    // UTF-8 checked once for the whole body: serde_json's reader of bytes checks each string
    // on its own, which measured slower than the whole text at once.
    if let Ok(text) = std::str::from_utf8(body)
        && let Ok(request) = serde_json::from_str::<CurrentSaveRequest>(text)
        && request.document.schema_version == shared::model::CURRENT_SCHEMA_VERSION
    {
        return Ok((request.document, request.base_revision));
    }
    let Json(request) = Json::<SaveDesignRequest>::from_bytes(body).map_err(ApiError::from)?;
    let design = shared::spec::load_design(request.document.get()).map_err(invalid_design)?;
    Ok((design, request.base_revision))
}

#[utoipa::path(post, path = "/designs", tag = "designs", security(("session" = [])), request_body = SaveDesignRequest, responses((status = 201, description = "Revision 1 saved", body = ref(openapi::body::<DesignSummary>())), (status = 403, description = "Needs the designer role", body = crate::api::error::ErrorDocument), (status = 413, body = crate::api::error::ErrorDocument), (status = 415, body = crate::api::error::ErrorDocument), (status = 422, description = "The document is not a valid design (path-precise message)", body = crate::api::error::ErrorDocument)))]
async fn create_design(
    State(state): State<AppState>,
    current: CurrentUser,
    body: JsonBody,
) -> Result<(StatusCode, Json<DesignSummary>), ApiError> {
    current.require(Role::Designer)?;
    let CheckedSave {
        name,
        stored_text: text,
        ..
    } = checked_save(body).await?;
    let id = format!("d-{}", &auth::new_token()[..16]);
    let summary = state
        .store
        .create_design(&id, &name, &text, &current.user)
        .await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

#[utoipa::path(get, path = "/designs/{design_id}", tag = "designs", security(("session" = [])), params(("design_id" = String, Path)), responses((status = 200, description = "The design and its latest document", body = ref(openapi::body::<StoredDesign>())), (status = 404, body = crate::api::error::ErrorDocument)))]
async fn get_design(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
) -> Result<Json<StoredDesign>, ApiError> {
    current.require(Role::Viewer)?;
    // The document with who saved it and where its deployment stands, in one statement.
    let (listing, document) =
        state
            .store
            .design_with_listing(&design_id)
            .await
            .map_err(|error| match error {
                crate::store::StoreError::NotFound => ApiError::not_found("design"),
                other => other.into(),
            })?;
    // The stored text is the design as the store keeps it: sent as it is, never parsed.
    let document =
        serde_json::value::RawValue::from_string(document).map_err(ApiError::internal)?;
    Ok(Json(StoredDesign {
        id: listing.id,
        name: listing.name,
        revision: listing.revision,
        updated_at: listing.updated_at,
        saved_by: listing.saved_by,
        deployment: listing.deployment,
        document,
    }))
}

#[utoipa::path(put, path = "/designs/{design_id}", tag = "designs", security(("session" = [])), params(("design_id" = String, Path)), request_body = SaveDesignRequest, responses((status = 200, description = "A new revision", body = ref(openapi::body::<DesignSummary>())), (status = 409, description = "The design changed since base_revision; details.current_revision", body = crate::api::error::ErrorDocument), (status = 422, body = crate::api::error::ErrorDocument)))]
async fn update_design(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
    body: JsonBody,
) -> Result<Json<DesignSummary>, ApiError> {
    current.require(Role::Designer)?;
    let CheckedSave {
        name,
        stored_text: text,
        base_revision,
    } = checked_save(body).await?;
    let based_on = base_revision.ok_or_else(|| {
        ApiError::bad_request(
            "missing_base_revision",
            "send base_revision: the revision you edited",
        )
    })?;
    let summary = state
        .store
        .update_design(
            &design_id,
            &name,
            &text,
            based_on,
            &current.user,
            None,
            "design-save",
            |revision| format!("{name} revision {revision}"),
        )
        .await
        .map_err(|error| match error {
            crate::store::StoreError::NotFound => ApiError::not_found("design"),
            other => other.into(),
        })?;
    Ok(Json(summary))
}

#[utoipa::path(post, path = "/validate", tag = "designs", security(("session" = [])), request_body(content = Object, description = "A design document"), responses((status = 200, description = "Every finding about the design", body = ref(openapi::body::<DiagnosticsAnswer>())), (status = 422, body = crate::api::error::ErrorDocument)))]
async fn validate_document(
    current: CurrentUser,
    ApiJson(document): ApiJson<Value>,
) -> Result<Json<DiagnosticsAnswer>, ApiError> {
    current.require(Role::Viewer)?;
    let diagnostics =
        crate::heavy::run(move || loaded_design(document).map(|design| shared::validate(&design)))
            .await
            .map_err(ApiError::heavy_work)??;
    Ok(Json(DiagnosticsAnswer { diagnostics }))
}

#[utoipa::path(post, path = "/designs/{design_id}/deployments", tag = "deployments", security(("session" = [])), params(("design_id" = String, Path)), responses((status = 202, description = "Started, or awaiting a second deployer on a protected target", body = ref(openapi::body::<DeploymentStarted>())), (status = 403, description = "Needs the deployer role", body = crate::api::error::ErrorDocument), (status = 409, description = "A deployment of the design is running", body = crate::api::error::ErrorDocument), (status = 422, description = "The design has errors", body = crate::api::error::ErrorDocument)))]
async fn create_deployment(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
) -> Result<(StatusCode, Json<DeploymentStarted>), ApiError> {
    current.require(Role::Deployer)?;
    let started = state
        .deployer()
        .start(&design_id, &current.user, deploy::Operation::Apply)
        .await?;
    let deployment_id = started.deployment_id.clone();
    state
        .store
        .audit_user(
            &current.user,
            if started.status == DeploymentStatus::Running {
                "deploy-start"
            } else {
                "deploy-request"
            },
            &design_id,
            &format!("deployment {deployment_id} {}", started.status.as_str()),
            &started.plan_hash,
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DeploymentStarted {
            id: deployment_id,
            status: started.status,
            plan_hash: Some(started.plan_hash),
        }),
    ))
}

#[utoipa::path(get, path = "/designs/{design_id}/plan", tag = "deployments", security(("session" = [])), params(("design_id" = String, Path)), responses((status = 200, description = "What an apply would change (nothing is changed)", body = ref(openapi::body::<PlanAnswer>())), (status = 403, description = "Needs the deployer role", body = crate::api::error::ErrorDocument), (status = 502, description = "AWS could not be read", body = crate::api::error::ErrorDocument)))]
async fn plan_design(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
) -> Result<Json<PlanAnswer>, ApiError> {
    current.require(Role::Deployer)?;
    let (_, plan, approval) = state
        .deployer()
        .plan_for(&design_id, deploy::Operation::Apply)
        .await?;
    let counts = plan.counts();
    Ok(Json(PlanAnswer {
        plan,
        counts,
        approval,
    }))
}

#[derive(Deserialize)]
struct ExportQuery {
    format: String,
    #[serde(default)]
    scale: Option<f32>,
}

#[utoipa::path(get, path = "/designs/{design_id}/export", tag = "designs", security(("session" = [])), params(("design_id" = String, Path), ("format" = String, Query, description = "json, cloudformation-yaml, cloudformation-json, terraform, cli, drawio, svg or png"), ("scale" = Option<f32>, Query, description = "png only: the scale (default 2)")), responses((status = 200, description = "The files of the export (png: the image itself)", content((ref(openapi::body::<ExportAnswer>()) = "application/json"), ("image/png"))), (status = 404, body = crate::api::error::ErrorDocument), (status = 422, description = "Unknown format", body = crate::api::error::ErrorDocument)))]
async fn export_design(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<ExportQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    current.require(Role::Viewer)?;
    let record = state
        .store
        .design(&design_id)
        .await
        .map_err(|_| ApiError::not_found("design"))?;
    // Everything from here is CPU-heavy: loading the stored document, checking the limits, the
    // export and encoding the answer all run off the async workers.
    let document = record.document;
    let loaded = move || -> Result<shared::Design, ApiError> {
        let design = shared::spec::load_design(&document).map_err(ApiError::internal)?;
        shared::limits::check(&design).map_err(ApiError::over_limits)?;
        Ok(design)
    };
    if query.format == "png" {
        let scale = query.scale.unwrap_or(2.0);
        let bytes = crate::heavy::run(move || {
            let design = loaded()?;
            let svg = shared::export::svg::diagram(&design, &Default::default());
            crate::render::png(&svg, scale).map_err(|error| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "cannot_render",
                    error.to_string(),
                )
            })
        })
        .await
        .map_err(ApiError::heavy_work)??;
        return Ok(([(axum::http::header::CONTENT_TYPE, "image/png")], bytes).into_response());
    }
    let Some(format) = shared::export::Format::parse(&query.format) else {
        let names: Vec<&str> = shared::export::Format::ALL
            .iter()
            .map(|f| f.name())
            .collect();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_format",
            format!(
                "no export format \"{}\": use one of {}, png",
                query.format,
                names.join(", ")
            ),
        ));
    };
    let body = crate::heavy::run(move || -> Result<Vec<u8>, ApiError> {
        let design = loaded()?;
        let files =
            shared::export::export(&design, format, &design_id).map_err(ApiError::over_limits)?;
        serde_json::to_vec(&ExportAnswer { files }).map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::heavy_work)??;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ImportRequest {
    /// The VPC to read (`vpc-…`).
    vpc_id: String,
    /// Its region (default us-east-1).
    #[serde(default)]
    region: Option<String>,
}

#[utoipa::path(post, path = "/import", tag = "deployments", security(("session" = [])), request_body = ImportRequest, responses((status = 200, description = "The VPC and everything in it as a design, laid out", body = ref(openapi::body::<ImportAnswer>())), (status = 403, description = "Needs the deployer role", body = crate::api::error::ErrorDocument), (status = 404, description = "No such VPC", body = crate::api::error::ErrorDocument), (status = 502, description = "AWS could not be read", body = crate::api::error::ErrorDocument)))]
async fn import_vpc(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(request): ApiJson<ImportRequest>,
) -> Result<Json<ImportAnswer>, ApiError> {
    current.require(Role::Deployer)?;
    let vpc_id = request.vpc_id.trim();
    if !vpc_id.starts_with("vpc-")
        || vpc_id.len() < 8
        || !vpc_id[4..].chars().all(|c| c.is_ascii_hexdigit())
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_vpc_id",
            format!(
                "\"{vpc_id}\" is not a VPC id: expected vpc- followed by hexadecimal digits, like vpc-0a1b2c3d"
            ),
        ));
    }
    let region = request.region.unwrap_or_else(|| "us-east-1".to_string());
    match state.network.import_vpc(&region, vpc_id).await {
        Ok((design, left_out)) => {
            let diagnostics = shared::validate(&design);
            let document: Value = serde_json::from_str(&shared::spec::save_design(&design))
                .map_err(ApiError::internal)?;
            Ok(Json(ImportAnswer {
                document,
                left_out,
                diagnostics,
            }))
        }
        Err(error) if error.is_not_found() => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "vpc_not_found",
            format!("no VPC {vpc_id} in {region} (or the server's credentials cannot see it)"),
        )),
        Err(error) => {
            tracing::warn!(%error, "import failed");
            Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                "aws_unavailable",
                format!("could not read the VPC: {error}"),
            ))
        }
    }
}

#[utoipa::path(get, path = "/designs/{design_id}/drift", tag = "deployments", security(("session" = [])), params(("design_id" = String, Path)), responses((status = 200, description = "What changed in the account outside Moat", body = ref(openapi::body::<DriftAnswer>())), (status = 403, description = "Needs the deployer role", body = crate::api::error::ErrorDocument), (status = 502, description = "AWS could not be read", body = crate::api::error::ErrorDocument)))]
async fn design_drift(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
) -> Result<Json<DriftAnswer>, ApiError> {
    current.require(Role::Deployer)?;
    let drifts = state.deployer().drift_for(&design_id).await?;
    let deployed = drifts.is_some();
    let drifts = drifts.unwrap_or_default();
    let lines: Vec<String> = drifts.iter().map(shared::plan::Drift::describe).collect();
    Ok(Json(DriftAnswer {
        deployed,
        drift: drifts,
        lines,
    }))
}

#[utoipa::path(post, path = "/designs/{design_id}/destroy", tag = "deployments", security(("session" = [])), params(("design_id" = String, Path)), responses((status = 202, description = "Everything tagged with the design is being deleted", body = ref(openapi::body::<DeploymentStarted>())), (status = 403, description = "Needs the deployer role", body = crate::api::error::ErrorDocument), (status = 409, description = "A deployment of the design is running", body = crate::api::error::ErrorDocument)))]
async fn destroy_design(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
) -> Result<(StatusCode, Json<DeploymentStarted>), ApiError> {
    current.require(Role::Deployer)?;
    let started = state
        .deployer()
        .start(&design_id, &current.user, deploy::Operation::Destroy)
        .await?;
    state
        .store
        .audit_user(
            &current.user,
            "destroy-start",
            &design_id,
            &format!(
                "destroy {} {}",
                started.deployment_id,
                started.status.as_str()
            ),
            &started.plan_hash,
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DeploymentStarted {
            id: started.deployment_id,
            status: started.status,
            plan_hash: None,
        }),
    ))
}

#[utoipa::path(get, path = "/deployments/{deployment_id}/events", tag = "deployments", security(("session" = [])), params(("deployment_id" = String, Path)), responses((status = 200, description = "Server-sent events: a `step` event per journal entry (its data a StepEvent), then one `end` event (its data a DeploymentEnded)", content_type = "text/event-stream", body = ref(openapi::body::<StepEvent>())), (status = 404, body = crate::api::error::ErrorDocument)))]
async fn deployment_events(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(deployment_id): Path<String>,
) -> Result<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    current.require(Role::Viewer)?;
    state
        .store
        .deployment(&deployment_id)
        .await
        .map_err(|_| ApiError::not_found("deployment"))?;
    // Replays the journal from the start, then follows it until the deployment ends.
    let feed = futures_util::stream::unfold(
        (
            state,
            deployment_id,
            0i64,
            std::collections::VecDeque::new(),
            false,
        ),
        |(state, deployment_id, mut after, mut queue, ended)| async move {
            if ended {
                return None;
            }
            loop {
                if let Some(event) = queue.pop_front() {
                    return Some((Ok(event), (state, deployment_id, after, queue, false)));
                }
                let Ok(entries) = state.store.events_since(&deployment_id, after).await else {
                    return None;
                };
                if !entries.is_empty() {
                    for (id, text) in entries {
                        after = id;
                        queue.push_back(
                            Event::default().event("step").id(id.to_string()).data(text),
                        );
                    }
                    continue;
                }
                let Ok(deployment) = state.store.deployment(&deployment_id).await else {
                    return None;
                };
                if !deployment.status.is_open() {
                    // Anything journaled between the last read and the end.
                    let Ok(late) = state.store.events_since(&deployment_id, after).await else {
                        return None;
                    };
                    if !late.is_empty() {
                        continue;
                    }
                    let ended = DeploymentEnded {
                        status: deployment.status,
                        message: deployment.message,
                    };
                    let end = Event::default()
                        .event("end")
                        .data(serde_json::to_string(&ended).unwrap_or_default());
                    return Some((Ok(end), (state, deployment_id, after, queue, true)));
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        },
    );
    Ok(Sse::new(feed).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize)]
struct DeploymentQuery {
    #[serde(default)]
    status: Option<String>,
}

#[utoipa::path(get, path = "/deployments", tag = "deployments", security(("session" = [])), params(("status" = Option<String>, Query, description = "awaiting_approval (the default), running, succeeded, failed or invalidated")), responses((status = 200, description = "Deployments in that status, newest first", body = ref(openapi::body::<DeploymentList>())), (status = 422, description = "Not a deployment status", body = crate::api::error::ErrorDocument)))]
async fn list_deployments(
    State(state): State<AppState>,
    current: CurrentUser,
    axum::extract::Query(query): axum::extract::Query<DeploymentQuery>,
) -> Result<Json<DeploymentList>, ApiError> {
    current.require(Role::Viewer)?;
    let status = match query.status.as_deref() {
        None => DeploymentStatus::AwaitingApproval,
        Some(name) => DeploymentStatus::parse(name).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_status",
                format!(
                    "status {name:?} is not one of: {}",
                    DeploymentStatus::ALL
                        .map(DeploymentStatus::as_str)
                        .join(", ")
                ),
            )
        })?,
    };
    Ok(Json(DeploymentList {
        deployments: state.store.deployments_with_status(status).await?,
    }))
}

#[utoipa::path(post, path = "/deployments/{deployment_id}/approve", tag = "deployments", security(("session" = [])), params(("deployment_id" = String, Path)), responses((status = 202, description = "Approved by a second deployer: running", body = ref(openapi::body::<DeploymentStarted>())), (status = 403, description = "Needs the deployer role, and a different deployer than the requester", body = crate::api::error::ErrorDocument), (status = 409, description = "Not awaiting approval, or the design changed since the request (plan_changed)", body = crate::api::error::ErrorDocument)))]
async fn approve_deployment(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(deployment_id): Path<String>,
) -> Result<(StatusCode, Json<DeploymentStarted>), ApiError> {
    current.require(Role::Deployer)?;
    let started = state
        .deployer()
        .approve(&deployment_id, &current.user)
        .await?;
    state
        .store
        .audit_user(
            &current.user,
            "deploy-approve",
            &deployment_id,
            "approved by a second deployer; started",
            &started.plan_hash,
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DeploymentStarted {
            id: started.deployment_id,
            status: started.status,
            plan_hash: None,
        }),
    ))
}

#[utoipa::path(get, path = "/deployments/{deployment_id}", tag = "deployments", security(("session" = [])), params(("deployment_id" = String, Path)), responses((status = 200, description = "The deployment and the resources it made", body = ref(openapi::body::<DeploymentRecord>())), (status = 404, body = crate::api::error::ErrorDocument)))]
async fn get_deployment(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(deployment_id): Path<String>,
) -> Result<Json<DeploymentRecord>, ApiError> {
    current.require(Role::Viewer)?;
    let record = state
        .store
        .deployment(&deployment_id)
        .await
        .map_err(|_| ApiError::not_found("deployment"))?;
    Ok(Json(record))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_request_over_the_time_limit_is_answered_408_as_json() {
        let slow = Router::new().route(
            "/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                "late"
            }),
        );
        let app = slow
            .layer(time_limit(std::time::Duration::from_millis(20)))
            .layer(axum::middleware::map_response(headers::json_errors));
        let answer = app
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(answer.headers()["content-type"], "application/json");
    }

    /// The one-pass read of a save and the read through the raw document and the spec's
    /// reader give the same design and base revision, for every template and a generated
    /// design, compact or pretty, with or without a base revision; an older document, a
    /// broken one and a body that is not a save request take the second read and its words.
    #[test]
    fn a_save_reads_in_one_pass_what_the_spec_reader_reads() {
        let mut designs: Vec<shared::Design> = shared::templates::TEMPLATES
            .iter()
            .map(|template| template.design().unwrap())
            .collect();
        designs.push(shared::generate::generated_design(100));
        for design in designs {
            for text in [
                shared::spec::save_design(&design),
                serde_json::to_string(&design).unwrap(),
            ] {
                for base in [None, Some(7)] {
                    let body = match base {
                        Some(revision) => {
                            format!("{{\"base_revision\":{revision},\"document\":{text}}}")
                        }
                        None => format!("{{\"document\":{text}}}"),
                    };
                    let (read, base_revision) = save_request_design(body.as_bytes()).unwrap();
                    let Json(request) =
                        Json::<SaveDesignRequest>::from_bytes(body.as_bytes()).unwrap();
                    let by_the_spec = shared::spec::load_design(request.document.get()).unwrap();
                    assert_eq!(read, by_the_spec, "{}", design.name);
                    assert_eq!(base_revision, base);
                    let checked = checked_save_body(body.as_bytes()).unwrap();
                    assert_eq!(
                        checked.stored_text,
                        shared::spec::stored_design_text(&by_the_spec, 0)
                    );
                    assert_eq!(checked.name, design.name);
                }
            }
        }
        // Version 1 is migrated by the second read.
        let mut old: Value = serde_json::from_str(&shared::spec::save_design(
            &shared::generate::generated_design(3),
        ))
        .unwrap();
        old["schema_version"] = Value::from(1);
        let body = serde_json::json!({"document": old, "base_revision": 2}).to_string();
        let (read, base_revision) = save_request_design(body.as_bytes()).unwrap();
        assert_eq!(read.schema_version, shared::model::CURRENT_SCHEMA_VERSION);
        assert_eq!(read, shared::spec::load_design_value(old).unwrap());
        assert_eq!(base_revision, Some(2));
        // A wrong field's path comes from the spec's reader.
        let mut broken: Value = serde_json::from_str(&shared::spec::save_design(
            &shared::generate::generated_design(3),
        ))
        .unwrap();
        broken["subnets"][1]["cidr"] = Value::from(42);
        let body = serde_json::json!({"document": broken}).to_string();
        let refused = save_request_design(body.as_bytes()).unwrap_err();
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.message.contains("subnets[1].cidr"),
            "{}",
            refused.message
        );
        // Not a save request at all: axum's words, as every JSON body gets them.
        let refused = save_request_design(b"{\"document\": ").unwrap_err();
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.code, "invalid_body");
        // serde reads a request from an array too, fields in order: its document is `1`.
        let refused = save_request_design(b"[1, 2]").unwrap_err();
        assert_eq!(refused.code, "invalid_design");
        let refused = save_request_design(b"{\"document\": {}, \"document\": {}}").unwrap_err();
        assert_eq!(refused.code, "invalid_body");
    }

    #[test]
    fn a_json_body_is_told_by_its_content_type_as_axum_tells_it() {
        let typed = |value: &str| {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            is_json_content_type(&headers)
        };
        assert!(typed("application/json"));
        assert!(typed("Application/JSON; charset=utf-8"));
        assert!(typed("application/merge-patch+json"));
        assert!(!typed("text/json"));
        assert!(!typed("application/x-www-form-urlencoded"));
        assert!(!typed("application/jsonx"));
        assert!(!is_json_content_type(&axum::http::HeaderMap::new()));
    }
}
