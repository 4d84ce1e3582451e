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
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content_type",
                "send the body as JSON with Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(_) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the request body is larger than the server accepts",
            ),
            other => ApiError::bad_request("invalid_body", other.body_text()),
        }
    }
}
