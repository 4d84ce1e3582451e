//! The OpenAPI document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! annotations and served at `/api/v1/openapi.json`. A committed copy
//! (`backend/openapi.json`) is compared with it by a test, so a change to the API that is not
//! reflected in the committed document fails the suite.

use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use super::accounts::{AccessRequest, SignUpRequest};
use super::revisions::RestoreRequest;
use super::{LoginRequest, SaveDesignRequest};

pub use super::error::ErrorDocument;

struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The HttpOnly session cookie set by /auth/login. State-changing requests also \
                 need the x-csrf-token header from /auth/session.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Moat API",
        version = "1",
        description = "Design, check and deploy AWS VPC networks for ML workloads. Errors are {code, message}."
    ),
    paths(
        super::health,
        super::openapi_document,
        super::login,
        super::logout,
        super::session,
        super::accounts::sign_up,
        super::accounts::list_users,
        super::accounts::set_access,
        super::accounts::reject,
        super::accounts::unlock,
        super::accounts::audit_log,
        super::list_designs,
        super::create_design,
        super::get_design,
        super::update_design,
        super::revisions::list,
        super::revisions::get,
        super::revisions::diff,
        super::revisions::restore,
        super::validate_document,
        super::list_templates,
        super::get_template,
        super::design_schema,
        super::create_deployment,
        super::list_deployments,
        super::get_deployment,
        super::approve_deployment,
        super::plan_design,
        super::destroy_design,
        super::design_drift,
        super::import_vpc,
        super::export_design,
        super::deployment_events,
    ),
    components(schemas(
        ErrorDocument,
        LoginRequest,
        SignUpRequest,
        SaveDesignRequest,
        AccessRequest,
        RestoreRequest
    )),
    modifiers(&SessionCookie),
    tags(
        (name = "meta", description = "Health and this document"),
        (name = "auth", description = "Sign-up, sign-in, sessions"),
        (name = "admin", description = "Users and the audit log (admin only)"),
        (name = "designs", description = "Designs, revisions, validation"),
        (name = "deployments", description = "Deploying a design")
    )
)]
pub struct ApiDocument;

/// The document as pretty JSON with a final newline (the committed file's form).
pub fn document_json() -> String {
    let mut text = ApiDocument::openapi()
        .to_pretty_json()
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    text.push('\n');
    text
}
