//! A design's history: every save is a revision; list them, read one, compare two (objects
//! added, removed, changed, moved), and restore one as a new revision (nothing is ever lost).

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use shared::api::{DesignSummary, RevisionDiff, RevisionDocument, RevisionList};

use super::session::CurrentUser;
use super::{ApiError, ApiJson, openapi};
use crate::AppState;
use crate::auth::Role;

#[utoipa::path(get, path = "/designs/{design_id}/revisions", tag = "designs", security(("session" = [])), params(("design_id" = String, Path)), responses((status = 200, description = "Every revision, newest first", body = ref(openapi::body::<RevisionList>())), (status = 404, body = crate::api::error::ErrorDocument)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
) -> Result<Json<RevisionList>, ApiError> {
    current.require(Role::Viewer)?;
    state
        .store
        .design(&design_id)
        .await
        .map_err(|_| ApiError::not_found("design"))?;
    Ok(Json(RevisionList {
        revisions: state.store.revisions(&design_id).await?,
    }))
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

#[utoipa::path(get, path = "/designs/{design_id}/revisions/{revision}", tag = "designs", security(("session" = [])), params(("design_id" = String, Path), ("revision" = i64, Path)), responses((status = 200, description = "The revision's document", body = ref(openapi::body::<RevisionDocument>())), (status = 404, body = crate::api::error::ErrorDocument)))]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((design_id, revision)): Path<(String, i64)>,
) -> Result<Json<RevisionDocument>, ApiError> {
    current.require(Role::Viewer)?;
    let (text, _) = revision_design(&state, &design_id, revision).await?;
    // The stored text is the design as the store keeps it: sent as it is.
    let document = serde_json::value::RawValue::from_string(text).map_err(ApiError::internal)?;
    Ok(Json(RevisionDocument { revision, document }))
}

#[derive(Deserialize)]
pub struct DiffQuery {
    /// The older revision (default: the one before).
    #[serde(default)]
    against: Option<i64>,
}

#[utoipa::path(get, path = "/designs/{design_id}/revisions/{revision}/diff", tag = "designs", security(("session" = [])), params(("design_id" = String, Path), ("revision" = i64, Path), ("against" = Option<i64>, Query, description = "The older revision; default the one before")), responses((status = 200, description = "What the revision changed against the older one", body = ref(openapi::body::<RevisionDiff>())), (status = 404, body = crate::api::error::ErrorDocument)))]
pub async fn diff(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((design_id, revision)): Path<(String, i64)>,
    Query(query): Query<DiffQuery>,
) -> Result<Json<RevisionDiff>, ApiError> {
    current.require(Role::Viewer)?;
    let against = query.against.unwrap_or(revision.saturating_sub(1));
    let (_, newer) = revision_design(&state, &design_id, revision).await?;
    let older = if against < 1 {
        shared::Design::new(newer.name.clone(), newer.region.clone())
    } else {
        revision_design(&state, &design_id, against).await?.1
    };
    let diff = ::shared::diff::diff_designs(&older, &newer);
    Ok(Json(RevisionDiff {
        revision,
        against,
        summary: diff.summary(),
        diff,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RestoreRequest {
    revision: i64,
    /// The revision the client has open: a stale one is a conflict, as for any save.
    base_revision: i64,
}

#[utoipa::path(post, path = "/designs/{design_id}/restore", tag = "designs", security(("session" = [])), params(("design_id" = String, Path)), request_body = RestoreRequest, responses((status = 200, description = "The old revision saved again as a new revision", body = ref(openapi::body::<DesignSummary>())), (status = 409, description = "base_revision is stale", body = crate::api::error::ErrorDocument)))]
pub async fn restore(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(design_id): Path<String>,
    ApiJson(request): ApiJson<RestoreRequest>,
) -> Result<Json<DesignSummary>, ApiError> {
    current.require(Role::Designer)?;
    let (text, design) = revision_design(&state, &design_id, request.revision).await?;
    let summary = state
        .store
        .update_design(
            &design_id,
            &design.name,
            &text,
            request.base_revision,
            &current.user,
            Some(request.revision),
            "design-restore",
            |revision| {
                format!(
                    "revision {} restored as revision {revision}",
                    request.revision
                )
            },
        )
        .await?;
    Ok(Json(summary))
}
