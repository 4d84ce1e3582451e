//! A design's history: every save is a revision; list them, read one, compare two (objects
//! added, removed, changed, moved), and restore one as a new revision (nothing is ever lost).

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::CurrentUser;
use super::{ApiError, ApiJson};
use crate::AppState;
use crate::auth::Role;

#[utoipa::path(get, path = "/api/v1/designs/{design_id}/revisions", tag = "designs", security(("session" = [])), params(("design_id" = String, Path)), responses((status = 200, description = "{revisions: [{revision, saved_by, saved_at, document_hash, restored_from}]}, newest first"), (status = 404, body = crate::api::error::ErrorDocument)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    current.require(Role::Viewer)?;
    state
        .store
        .design(&design_id)
        .await
        .map_err(|_| ApiError::not_found("design"))?;
    Ok(Json(
        json!({"revisions": state.store.revisions(&design_id).await?}),
    ))
}

async fn revision_design(
    state: &AppState,
    design_id: &str,
    revision: i64,
) -> Result<(String, shared::Design), ApiError> {
    let text = state
        .store
        .revision_document(design_id, revision)
        .await
        .map_err(|_| ApiError::not_found(&format!("revision {revision} of the design")))?;
    let design = shared::spec::load_design(&text).map_err(ApiError::internal)?;
    Ok((text, design))
}

#[utoipa::path(get, path = "/api/v1/designs/{design_id}/revisions/{revision}", tag = "designs", security(("session" = [])), params(("design_id" = String, Path), ("revision" = i64, Path)), responses((status = 200, description = "{revision, document}"), (status = 404, body = crate::api::error::ErrorDocument)))]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((design_id, revision)): Path<(String, i64)>,
) -> Result<Json<Value>, ApiError> {
    current.require(Role::Viewer)?;
    let (text, _) = revision_design(&state, &design_id, revision).await?;
    let document: Value = serde_json::from_str(&text).map_err(ApiError::internal)?;
    Ok(Json(json!({"revision": revision, "document": document})))
}

#[derive(Deserialize)]
pub struct DiffQuery {
    /// The older revision (default: the one before).
    #[serde(default)]
    against: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/designs/{design_id}/revisions/{revision}/diff", tag = "designs", security(("session" = [])), params(("design_id" = String, Path), ("revision" = i64, Path), ("against" = Option<i64>, Query, description = "The older revision; default the one before")), responses((status = 200, description = "{revision, against, summary, diff: {added, removed, changed, moved, design_fields_changed}}"), (status = 404, body = crate::api::error::ErrorDocument)))]
pub async fn diff(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((design_id, revision)): Path<(String, i64)>,
    Query(query): Query<DiffQuery>,
) -> Result<Json<Value>, ApiError> {
    current.require(Role::Viewer)?;
    let against = query.against.unwrap_or(revision.saturating_sub(1));
    let (_, newer) = revision_design(&state, &design_id, revision).await?;
    let older = if against < 1 {
        shared::Design::new(newer.name.clone(), newer.region.clone())
    } else {
        revision_design(&state, &design_id, against).await?.1
    };
    let diff = ::shared::diff::diff_designs(&older, &newer);
    Ok(Json(json!({
        "revision": revision,
        "against": against,
        "summary": diff.summary(),
        "diff": diff,
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RestoreRequest {
    revision: i64,
    /// The revision the client has open: a stale one is a conflict, as for any save.
    base_revision: i64,
}

#[utoipa::path(post, path = "/api/v1/designs/{design_id}/restore", tag = "designs", security(("session" = [])), params(("design_id" = String, Path)), request_body = RestoreRequest, responses((status = 200, description = "The old revision saved again as a new revision"), (status = 409, description = "base_revision is stale", body = crate::api::error::ErrorDocument)))]
pub async fn restore(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
    ApiJson(request): ApiJson<RestoreRequest>,
) -> Result<Json<Value>, ApiError> {
    current.require(Role::Designer)?;
    let (text, design) = revision_design(&state, &design_id, request.revision).await?;
    let summary = state
        .store
        .update_design(
            &design_id,
            &design.name,
            &text,
            request.base_revision,
            current.user.id,
            Some(request.revision),
        )
        .await?;
    state
        .store
        .audit_user(
            &current.user,
            "design-restore",
            &design_id,
            &format!(
                "revision {} restored as revision {}",
                request.revision, summary.revision
            ),
            &crate::digest::document_hash(&text),
        )
        .await?;
    Ok(Json(json!(summary)))
}
