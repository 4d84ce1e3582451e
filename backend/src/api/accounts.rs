//! Accounts: sign-up (a pending account that can do nothing until an admin approves it and
//! picks its role), the admin's user management, the audit log, and sign-in rate limiting.
//!
//! Invariant: the last active admin can be neither demoted nor disabled, so the server never
//! locks itself out.

use std::net::IpAddr;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use shared::api::{AuditLog, ClearedAnswer, RejectedAnswer, SignUpAnswer, UserAnswer, UserList};

use super::session::CurrentUser;
use super::{ApiError, ApiJson, openapi};
use crate::AppState;
use crate::auth::{self, Role, UserStatus};

pub use super::client_address::ClientAddress;

/// How a client address is written in the throttle's rows.
pub fn client_key(address: Option<IpAddr>) -> String {
    address.map_or_else(|| "unknown".to_string(), |a| a.to_string())
}

/// Reserves a sign-in attempt under [`auth::ThrottlePolicy::DEFAULT`], or refuses it with the
/// wait. The message is the same whether or not the account exists.
pub async fn reserve_sign_in(
    state: &AppState,
    name: &str,
    address: Option<IpAddr>,
) -> Result<String, ApiError> {
    let account = name.trim().to_lowercase();
    match state
        .store
        .reserve_sign_in(&account, &client_key(address), &auth::ThrottlePolicy::DEFAULT)
        .await?
    {
        crate::store::SignInGate::Open { attempt } => Ok(attempt),
        crate::store::SignInGate::Wait { seconds } => Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "too many failed sign-ins from this client: try again in {seconds} s, or ask an admin to unlock the account"
            ),
        )
        .with_details(json!({"retry_after_seconds": seconds}))),
    }
}

/// A reserved attempt signed in: it and the pair's earlier failures are forgotten.
pub async fn sign_in_succeeded(
    state: &AppState,
    name: &str,
    address: Option<IpAddr>,
    attempt: &str,
) -> Result<(), ApiError> {
    state
        .store
        .sign_in_succeeded(&name.trim().to_lowercase(), &client_key(address), attempt)
        .await?;
    Ok(())
}

/// Sign-ups one client may make in an hour.
pub const SIGN_UPS_PER_CLIENT_PER_HOUR: i64 = 5;
/// Accounts that may wait for approval at once.
pub const PENDING_ACCOUNTS_LIMIT: i64 = 200;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignUpRequest {
    name: String,
    password: String,
}

/// The rules for a new account name: what people can type and read back.
fn checked_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    let valid = (3..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if valid {
        Ok(name.to_string())
    } else {
        Err(ApiError::bad_request(
            "invalid_name",
            "a name has 3 to 64 characters: letters, digits, '.', '_', '-' or '@'",
        ))
    }
}

#[utoipa::path(post, path = "/auth/signup", tag = "auth", request_body = SignUpRequest, responses((status = 201, description = "A pending account: it can do nothing until an admin approves it", body = ref(openapi::body::<SignUpAnswer>())), (status = 400, description = "Weak password or invalid name", body = crate::api::error::ErrorDocument), (status = 409, description = "The name is taken", body = crate::api::error::ErrorDocument)))]
pub async fn sign_up(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<SignUpRequest>,
) -> Result<(StatusCode, Json<SignUpAnswer>), ApiError> {
    let name = checked_name(&request.name)?;
    // A served request always has its peer's address; only in-process callers have none.
    let client = client_key(address);
    let recent = match address {
        Some(_) => {
            state
                .store
                .rate_events_since("signup", &client, crate::store::now() - 3600)
                .await?
        }
        None => 0,
    };
    if recent >= SIGN_UPS_PER_CLIENT_PER_HOUR {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "at most {SIGN_UPS_PER_CLIENT_PER_HOUR} sign-ups an hour from one client: try again later"
            ),
        ));
    }
    if state.store.pending_users().await? >= PENDING_ACCOUNTS_LIMIT {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many accounts wait for approval: try again once an admin has answered them",
        ));
    }
    state.store.record_rate_event("signup", &client).await?;
    let password = request.password.clone();
    let hash = crate::heavy::run(move || auth::hash_password(&password))
        .await
        .map_err(ApiError::heavy_work)?
        .map_err(|error| ApiError::bad_request("weak_password", error.to_string()))?;
    let user = state
        .store
        .create_user(&name, &hash, Role::Viewer, UserStatus::Pending)
        .await?;
    state
        .store
        .audit(
            Some(&user),
            &user.name,
            "sign-up",
            &user.name,
            "pending approval",
            "",
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SignUpAnswer {
            user,
            message: "your account waits for an admin's approval".to_string(),
        }),
    ))
}

#[utoipa::path(get, path = "/users", tag = "admin", security(("session" = [])), responses((status = 200, description = "Every user, pending first", body = ref(openapi::body::<UserList>())), (status = 403, description = "Needs the admin role", body = crate::api::error::ErrorDocument)))]
pub async fn list_users(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<UserList>, ApiError> {
    current.require(Role::Admin)?;
    Ok(Json(UserList {
        users: state.store.list_users().await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AccessRequest {
    /// viewer, designer, deployer or admin.
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

/// Approve (pending → active with a role), change a role, disable or re-enable an account.
#[utoipa::path(patch, path = "/users/{user_id}", tag = "admin", security(("session" = [])), params(("user_id" = i64, Path)), request_body = AccessRequest, responses((status = 200, description = "The user after the change", body = ref(openapi::body::<UserAnswer>())), (status = 400, body = crate::api::error::ErrorDocument), (status = 409, description = "The last active admin cannot be demoted or disabled", body = crate::api::error::ErrorDocument)))]
pub async fn set_access(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(user_id): Path<i64>,
    ApiJson(request): ApiJson<AccessRequest>,
) -> Result<Json<UserAnswer>, ApiError> {
    let before = user_for_admin(&state, &current, user_id).await?;
    let role = match request.role.as_deref() {
        None => before.role,
        Some(text) => Role::parse(text).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_role",
                format!("unknown role \"{text}\": use viewer, designer, deployer or admin"),
            )
        })?,
    };
    let status = match request.status.as_deref() {
        None => before.status,
        Some("active") => UserStatus::Active,
        Some("disabled") => UserStatus::Disabled,
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid_status",
                format!("status \"{other}\" cannot be set: use active or disabled"),
            ));
        }
    };
    let action = match (before.status, status) {
        (UserStatus::Pending, UserStatus::Active) => "user-approve",
        (_, UserStatus::Disabled) if before.status != UserStatus::Disabled => "user-disable",
        (UserStatus::Disabled, UserStatus::Active) => "user-enable",
        _ => "user-role",
    };
    let detail = format!(
        "{} {} → {} {}",
        before.role.as_str(),
        before.status.as_str(),
        role.as_str(),
        status.as_str()
    );
    let audit = crate::store::AuditRow {
        actor: &current.user,
        action,
        target: &before.name,
        detail: &detail,
    };
    let after = state
        .store
        .set_user_access(user_id, role, status, audit)
        .await?;
    Ok(Json(UserAnswer { user: after }))
}

/// The user an admin's request names: refused unless the caller is an admin, 404 if none.
async fn user_for_admin(
    state: &AppState,
    current: &CurrentUser,
    user_id: i64,
) -> Result<crate::store::User, ApiError> {
    current.require(Role::Admin)?;
    state
        .store
        .user(user_id)
        .await
        .map_err(|_| ApiError::not_found("user"))
}

/// Rejects a pending sign-up (the account is removed).
#[utoipa::path(delete, path = "/users/{user_id}", tag = "admin", security(("session" = [])), params(("user_id" = i64, Path)), responses((status = 200, description = "The pending sign-up is removed", body = ref(openapi::body::<RejectedAnswer>())), (status = 409, description = "Not a pending account", body = crate::api::error::ErrorDocument)))]
pub async fn reject(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(user_id): Path<i64>,
) -> Result<Json<RejectedAnswer>, ApiError> {
    let user = user_for_admin(&state, &current, user_id).await?;
    state.store.delete_pending_user(user_id).await?;
    state
        .store
        .audit_user(
            &current.user,
            "user-reject",
            &user.name,
            "sign-up rejected",
            "",
        )
        .await?;
    Ok(Json(RejectedAnswer {
        rejected: user.name,
    }))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/audit", tag = "admin", security(("session" = [])), params(("limit" = Option<i64>, Query, description = "1 to 1000, default 200")), responses((status = 200, description = "The audit log, newest first", body = ref(openapi::body::<AuditLog>()))))]
pub async fn audit_log(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditLog>, ApiError> {
    current.require(Role::Admin)?;
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(AuditLog {
        entries: state.store.audit_entries(limit).await?,
    }))
}

/// Unlocks an account's sign-in: every failure recorded against it, from every client, goes.
#[utoipa::path(delete, path = "/users/{user_id}/sign-in-failures", tag = "admin", security(("session" = [])), params(("user_id" = i64, Path)), responses((status = 200, description = "How many recorded failures went", body = ref(openapi::body::<ClearedAnswer>())), (status = 403, description = "Needs the admin role", body = crate::api::error::ErrorDocument), (status = 404, body = crate::api::error::ErrorDocument)))]
pub async fn unlock(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(user_id): Path<i64>,
) -> Result<Json<ClearedAnswer>, ApiError> {
    let user = user_for_admin(&state, &current, user_id).await?;
    let cleared = state
        .store
        .clear_sign_in_failures(&user.name.to_lowercase())
        .await?;
    state
        .store
        .audit_user(
            &current.user,
            "user-unlock",
            &user.name,
            &format!("{cleared} failures cleared"),
            "",
        )
        .await?;
    Ok(Json(ClearedAnswer { cleared }))
}
