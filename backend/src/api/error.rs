//! The API's error type: a status plus a `{code, message}` body. Internal details are logged
//! here and replaced by a generic message, never echoed to the client.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::store::StoreError;

/// An error as the client sees it.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra machine-readable data (e.g. the current revision on a conflict).
    pub details: Option<Value>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "missing or wrong x-csrf-token header: send the token from GET /api/v1/auth/session",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// Logs `detail` server-side and returns a generic 500.
    /// A design over Moat's hard limits: 422 with every exceeded limit in the details.
    pub fn over_limits(refused: shared::limits::OverLimits) -> Self {
        let details = serde_json::to_value(&refused.diagnostics).unwrap_or_default();
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "over_limits",
            refused.to_string(),
        )
        .with_details(serde_json::json!({ "diagnostics": details }))
    }

    /// Heavy work that could not give its answer: busy or too slow (503), or failed (500).
    /// A request body sent without a JSON content type.
    pub fn not_json() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            "send the body as JSON with Content-Type: application/json",
        )
    }

    /// A request body over the server's limit (or one that could not be read whole).
    pub fn body_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the request body is larger than the server accepts",
        )
    }

    pub fn heavy_work(error: crate::heavy::HeavyWorkError) -> Self {
        match error {
            crate::heavy::HeavyWorkError::Failed => Self::internal(error),
            other => Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", other.to_string()),
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the details",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
            details: self.details.as_ref(),
        };
        (self.status, Json(body)).into_response()
    }
}

/// The deployment service's refusals, as HTTP: the status codes live here, not in the domain.
impl From<crate::deploy::DeployError> for ApiError {
    fn from(error: crate::deploy::DeployError) -> Self {
        use crate::deploy::DeployError;
        use crate::workflow::WorkflowError;
        let message = error.to_string();
        match error {
            DeployError::DesignNotFound => ApiError::not_found("design"),
            DeployError::DeploymentNotFound => ApiError::not_found("deployment"),
            DeployError::DesignDoesNotLoad(detail) => ApiError::internal(detail),
            DeployError::Workflow(WorkflowError::OverLimits(refused)) => {
                ApiError::over_limits(refused)
            }
            DeployError::Workflow(WorkflowError::DesignHasErrors(diagnostics)) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "design_has_errors",
                message,
            )
            .with_details(serde_json::json!({ "diagnostics": diagnostics })),
            DeployError::Workflow(
                WorkflowError::AccountUnreadable(_)
                | WorkflowError::PreflightFailed(_)
                | WorkflowError::MissingPermissions(_),
            ) => {
                tracing::warn!(error = %message, "reading the account failed");
                ApiError::new(StatusCode::BAD_GATEWAY, "aws_unavailable", message)
            }
            DeployError::NotAwaitingApproval { .. } => {
                ApiError::new(StatusCode::CONFLICT, "not_awaiting_approval", message)
            }
            DeployError::SameDeployer => ApiError::forbidden(message),
            DeployError::PlanChanged { .. } => {
                ApiError::new(StatusCode::CONFLICT, "plan_changed", message)
            }
            DeployError::Store(error) => error.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::not_found("the object"),
            StoreError::NameTaken => ApiError::new(StatusCode::CONFLICT, "name_taken", "that name is already taken"),
            StoreError::Conflict { based_on, current } => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("the design changed since revision {based_on}; the current revision is {current}: reload it or save a copy"),
            )
            .with_details(serde_json::json!({"current_revision": current})),
            StoreError::DeploymentRunning => ApiError::new(
                StatusCode::CONFLICT,
                "deployment_running",
                "a deployment of this design is already running: wait for it to finish",
            ),
            StoreError::Refused(message) => ApiError::new(StatusCode::CONFLICT, "refused", message),
            StoreError::LastAdmin => ApiError::new(
                StatusCode::CONFLICT,
                "last_admin",
                "this is the last active admin: make another admin first",
            ),
            other => ApiError::internal(other),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::not_json(),
            JsonRejection::BytesRejection(_) => ApiError::body_too_large(),
            other => ApiError::bad_request("invalid_body", other.body_text()),
        }
    }
}

/// Every error's body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorDocument {
    /// A stable machine-readable code (`unauthenticated`, `forbidden`, `csrf`, `conflict`, …).
    code: String,
    /// What went wrong and how to fix it; never internals.
    message: String,
    /// Extra data, e.g. `{current_revision}` on a conflict.
    #[schema(value_type = Option<Object>)]
    details: Option<serde_json::Value>,
    /// The request's id (also in the `x-request-id` header and on the server's log lines).
    request_id: Option<String>,
}
