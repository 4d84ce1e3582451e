//! The OpenAPI document of `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! Its paths come from the router itself: every route is registered with its
//! `#[utoipa::path]` operation by `utoipa_axum::routes!` ([`super::api_routes`]), so no route is
//! served undocumented and no operation is documented unrouted. Its body schemas are the wire
//! types of `shared::api`, described once by their schemars derive (the same derive the
//! frontend's types are): a response names its type with [`body`], and `wire_types!` puts the
//! types' schemas into the components. A test checks that every success response has a body
//! schema and every `$ref` resolves. A committed copy (`backend/openapi.json`) is compared with
//! the served document, so an API change not reflected in the committed document fails the suite.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

pub use super::error::ErrorDocument;

/// Where the components of this document live, as schemars writes its `$ref`s.
const COMPONENTS: &str = "/components/schemas";

/// The `$ref` of a wire type's schema (for a response's `body = ref(body::<T>())`).
pub fn body<T: JsonSchema>() -> String {
    format!("#{COMPONENTS}/{}", T::schema_name())
}

/// The OpenAPI 3.1 document's own schema (the body of `/openapi.json`).
pub const OPENAPI_SCHEMA: &str = "https://spec.openapis.org/oas/3.1/schema/2022-10-07";
/// JSON Schema's meta-schema (the body of `/schema`).
pub const JSON_SCHEMA_META: &str = "https://json-schema.org/draft/2020-12/schema";

/// Every wire type a response names with [`body`]; their schemas, and those of the types they
/// contain, become the document's components.
macro_rules! wire_types {
    ($($wire_type:ty),* $(,)?) => {
        /// The components' schemas of the listed types (and of the types they contain), by name.
        fn wire_schemas() -> serde_json::Map<String, Value> {
            let mut generator = schemars::generate::SchemaSettings::draft2020_12()
                .with(|settings| settings.definitions_path = COMPONENTS.into())
                .into_generator();
            $(
                let _ = generator.subschema_for::<$wire_type>();
            )*
            generator.take_definitions(true)
        }
    };
}

wire_types!(
    shared::api::HealthAnswer,
    shared::api::SessionAnswer,
    shared::api::SignedOutAnswer,
    shared::api::SignUpAnswer,
    shared::api::UserList,
    shared::api::UserAnswer,
    shared::api::RejectedAnswer,
    shared::api::ClearedAnswer,
    shared::api::AuditLog,
    shared::api::DesignList,
    shared::api::DesignSummary,
    shared::api::StoredDesign,
    shared::api::RevisionList,
    shared::api::RevisionDocument,
    shared::api::RevisionDiff,
    shared::api::DiagnosticsAnswer,
    shared::api::TemplateList,
    shared::Design,
    shared::api::DeploymentStarted,
    shared::api::DeploymentList,
    shared::api::DeploymentRecord,
    shared::api::StepEvent,
    shared::api::DeploymentEnded,
    shared::api::PlanAnswer,
    shared::api::DriftAnswer,
    shared::api::ImportAnswer,
    shared::api::ExportAnswer,
);

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

/// What the document says besides its paths: its title, tags and security scheme.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Moat API",
        version = "1",
        description = "Design, check and deploy AWS VPC networks for ML workloads. Errors are {code, message}."
    ),
    components(schemas(ErrorDocument)),
    modifiers(&SessionCookie),
    tags(
        (name = "meta", description = "Health and this document"),
        (name = "auth", description = "Sign-up, sign-in, sessions"),
        (name = "admin", description = "Users and the audit log (admin only)"),
        (name = "designs", description = "Designs, revisions, validation"),
        (name = "deployments", description = "Deploying a design")
    )
)]
struct ApiDocument;

/// The document: the router's operations under `/api/v1`, with the wire types' schemas.
pub fn document() -> Value {
    let openapi =
        utoipa_axum::router::OpenApiRouter::<crate::AppState>::with_openapi(ApiDocument::openapi())
            .nest("/api/v1", super::api_routes())
            .into_openapi();
    let mut document = serde_json::to_value(&openapi).unwrap_or_default();
    if let Some(schemas) = document
        .pointer_mut(COMPONENTS)
        .and_then(Value::as_object_mut)
    {
        schemas.extend(wire_schemas());
    }
    document
}

/// The document as pretty JSON with a final newline (the committed file's form), built once.
pub fn document_json() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut text = serde_json::to_string_pretty(&document())
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
        text.push('\n');
        text
    })
}
