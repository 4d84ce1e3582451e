//! Plain data on the wire between the server and its clients (the app, scripts), shared so
//! neither side re-declares it: no HTTP here, only the values and their spelling.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

crate::enumerate::enum_with_all! {
    /// Where a deployment is. Stored and sent as its snake_case name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum DeploymentStatus {
        /// A protected target's request, waiting for a second deployer.
        AwaitingApproval,
        Running,
        Succeeded,
        Failed,
        /// The design changed before the approval: the request no longer matches.
        Invalidated,
    }
}

impl DeploymentStatus {
    /// The stored and sent spelling (`awaiting_approval`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentStatus::AwaitingApproval => "awaiting_approval",
            DeploymentStatus::Running => "running",
            DeploymentStatus::Succeeded => "succeeded",
            DeploymentStatus::Failed => "failed",
            DeploymentStatus::Invalidated => "invalidated",
        }
    }

    /// The status a stored or sent name spells, if any.
    pub fn parse(name: &str) -> Option<DeploymentStatus> {
        DeploymentStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// Whether the deployment may still change the account (or start to): watch it.
    pub fn is_open(self) -> bool {
        match self {
            DeploymentStatus::AwaitingApproval | DeploymentStatus::Running => true,
            DeploymentStatus::Succeeded
            | DeploymentStatus::Failed
            | DeploymentStatus::Invalidated => false,
        }
    }
}

crate::enumerate::enum_with_all! {
    /// What a user may do. Ordered: each role can do what the ones before it can.
    #[derive(
        Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
    )]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        Viewer,
        Designer,
        Deployer,
        Admin,
    }
}

impl Role {
    /// The stored and sent spelling (`deployer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Designer => "designer",
            Role::Deployer => "deployer",
            Role::Admin => "admin",
        }
    }

    /// The role a stored or sent name spells, if any.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

crate::enumerate::enum_with_all! {
    /// Whether an account may act at all.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum UserStatus {
        /// Signed up, waiting for an admin's approval: can do nothing.
        Pending,
        Active,
        Disabled,
    }
}

impl UserStatus {
    /// The stored and sent spelling (`pending`).
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Pending => "pending",
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }

    /// The status a stored or sent name spells, if any.
    pub fn parse(text: &str) -> Option<UserStatus> {
        UserStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

crate::enumerate::enum_with_all! {
    /// What a deployment does to the account.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum DeploymentOperation {
        /// Make the account match the design.
        Apply,
        /// Delete everything owned by the design.
        Destroy,
    }
}

impl DeploymentOperation {
    /// The stored and sent spelling (`apply`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentOperation::Apply => "apply",
            DeploymentOperation::Destroy => "destroy",
        }
    }

    /// The operation a stored name spells, if any.
    pub fn parse(text: &str) -> Option<DeploymentOperation> {
        DeploymentOperation::ALL
            .into_iter()
            .find(|operation| operation.as_str() == text)
    }
}

/// `GET /health`'s answer (the process is up) and `GET /ready`'s (it can serve: its database
/// answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServerHealth {
    Ok,
    /// `GET /ready` only, with status 503: the database does not answer.
    DatabaseUnavailable,
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HealthAnswer {
    pub status: ServerHealth,
}

/// A signed-in user: who, and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
}

/// `GET /auth/session` and `POST /auth/login`: the user and the CSRF token state-changing
/// requests must carry (both null when not signed in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SessionAnswer {
    pub user: Option<User>,
    pub csrf_token: Option<String>,
}

/// `POST /auth/logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignedOutAnswer {
    pub signed_out: bool,
}

/// `POST /auth/signup`: the pending account and what happens next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignUpAnswer {
    pub user: User,
    pub message: String,
}

/// A user as the admin page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserListing {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
}

/// `GET /users`: pending sign-ups first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserList {
    pub users: Vec<UserListing>,
}

/// `PATCH /users/{id}`: the user after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserAnswer {
    pub user: User,
}

/// `DELETE /users/{id}`: the name of the pending sign-up removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RejectedAnswer {
    pub rejected: String,
}

/// `DELETE /users/{id}/sign-in-failures`: how many recorded failures went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClearedAnswer {
    pub cleared: u64,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    /// The hash of the design document the action concerned (empty when none).
    pub design_hash: String,
}

/// `GET /audit`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
}

/// A stored design without its document: what a save answers and a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DesignSummary {
    pub id: String,
    pub name: String,
    pub revision: i64,
    /// Seconds since the Unix epoch.
    pub updated_at: i64,
}

/// The latest deployment of a design, as a design's page and the Open dialog show it: a
/// deployed design always says where its deployment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentState {
    pub id: String,
    pub status: DeploymentStatus,
    pub operation: DeploymentOperation,
    /// The revision it deployed (or destroyed).
    pub design_revision: i64,
    /// Seconds since the Unix epoch: when it last changed.
    pub updated_at: i64,
}

/// A stored design in the Open dialog's list: who made it, who saved it last, and where its
/// latest deployment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DesignListing {
    pub id: String,
    pub name: String,
    pub revision: i64,
    /// Seconds since the Unix epoch.
    pub updated_at: i64,
    /// The name of the user who created it.
    pub created_by: String,
    /// The name of the user who saved its latest revision.
    pub saved_by: String,
    /// Its latest deployment, if it was ever deployed.
    pub deployment: Option<DeploymentState>,
}

/// `GET /designs`: most recently edited first, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DesignList {
    pub designs: Vec<DesignListing>,
    /// Whether more designs matched than were listed.
    pub truncated: bool,
}

/// `GET /designs/{id}`: a stored design with its document.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct StoredDesign {
    pub id: String,
    pub name: String,
    pub revision: i64,
    pub updated_at: i64,
    /// The name of the user who saved its latest revision.
    pub saved_by: String,
    /// Its latest deployment, if it was ever deployed.
    pub deployment: Option<DeploymentState>,
    /// The design document as stored, sent as it is (load it with the spec's migrations).
    #[schemars(with = "crate::model::Design")]
    pub document: Box<serde_json::value::RawValue>,
}

/// One saved revision of a design (without its document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RevisionSummary {
    pub revision: i64,
    pub saved_by: String,
    pub saved_at: i64,
    pub document_hash: String,
    /// The revision this one restored, if it was a restore.
    pub restored_from: Option<i64>,
}

/// `GET /designs/{id}/revisions`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RevisionList {
    pub revisions: Vec<RevisionSummary>,
}

/// `GET /designs/{id}/revisions/{revision}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RevisionDocument {
    pub revision: i64,
    #[schemars(with = "crate::model::Design")]
    pub document: Box<serde_json::value::RawValue>,
}

/// `GET /designs/{id}/revisions/{revision}/diff`: what the revision changed against an older one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RevisionDiff {
    pub revision: i64,
    pub against: i64,
    /// "2 added, 1 changed" (or "no change").
    pub summary: String,
    pub diff: crate::diff::DesignDiff,
}

/// `POST /validate` (and the import's findings): every diagnostic of the design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DiagnosticsAnswer {
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
}

/// A template in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TemplateSummary {
    pub name: String,
    pub title: String,
    pub description: String,
}

/// `GET /templates`: the seed article's use cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TemplateList {
    pub templates: Vec<TemplateSummary>,
}

/// `POST /designs/{id}/deployments`, `/destroy` and `/deployments/{id}/approve`: the
/// deployment started (or waiting for its approval).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentStarted {
    pub id: String,
    pub status: DeploymentStatus,
    /// The hash of what was requested, for an apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_hash: Option<String>,
}

/// A resource a deployment created or found, by its design id and AWS id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeployedResource {
    pub logical_id: String,
    pub kind: String,
    pub aws_id: String,
}

/// `GET /deployments/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentRecord {
    pub id: String,
    pub design_id: String,
    pub design_revision: i64,
    pub status: DeploymentStatus,
    pub requested_by: i64,
    pub approved_by: Option<i64>,
    /// The hash of what was requested (the design revision's document).
    pub plan_hash: String,
    /// How it ended, in words (empty while it runs).
    pub message: String,
    pub operation: DeploymentOperation,
    pub created_at: i64,
    pub updated_at: i64,
    pub resources: Vec<DeployedResource>,
}

/// A deployment in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentSummary {
    pub id: String,
    pub design_id: String,
    pub design_revision: i64,
    /// The requester's name.
    pub requested_by: String,
    pub created_at: i64,
}

/// `GET /deployments`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentList {
    pub deployments: Vec<DeploymentSummary>,
}

/// Where a step of a deployment is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum StepPhase {
    Started,
    Retrying {
        attempt: u32,
        error: String,
    },
    Done {
        aws_id: Option<String>,
    },
    Failed {
        error: String,
    },
    /// Not run: a step it depends on failed.
    Skipped,
}

/// One journal entry of a deployment: the `step` event of its progress stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StepEvent {
    /// The step's index in the plan.
    pub step: usize,
    pub kind: crate::plan::ResourceKind,
    pub logical_id: String,
    /// create, update, replace or delete.
    pub action: String,
    #[serde(flatten)]
    pub phase: StepPhase,
}

/// The `end` event of a deployment's progress stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentEnded {
    pub status: DeploymentStatus,
    pub message: String,
}

/// `GET /designs/{id}/plan`: what an apply would change (nothing is changed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanAnswer {
    pub plan: crate::plan::Plan,
    /// How many steps create, update, replace and delete.
    pub counts: (usize, usize, usize, usize),
    /// Who must approve an apply before it starts: `None` when the requester's Apply starts
    /// it, else a sentence naming the rule (a protected target needs a second deployer).
    pub approval: Option<String>,
}

/// [`PlanAnswer`] as a page that shows the plan reads it: each step's resource and action,
/// without the resource spec, the observed values and the tags, which the review never shows.
/// The page then carries no code to read specs (a copy of every kind's spec reader in the
/// first load). Not a second wire type: the server sends [`PlanAnswer`], and a test reads
/// every template's answer as this.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanReview {
    pub plan: PlanOutline,
    pub counts: (usize, usize, usize, usize),
    pub approval: Option<String>,
}

/// [`crate::plan::Plan`]'s steps as the review shows them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanOutline {
    pub steps: Vec<StepOutline>,
    pub unchanged: usize,
}

/// One step: what it does to which resource.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StepOutline {
    pub key: crate::plan::ResourceKey,
    pub action: crate::plan::Action,
}

/// `GET /designs/{id}/drift`: what changed in the account outside Moat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DriftAnswer {
    /// Whether the account holds anything of the design: false when it was never deployed (or
    /// was destroyed), and then there is no drift to report.
    pub deployed: bool,
    pub drift: Vec<crate::plan::Drift>,
    /// One line for people per drift.
    pub lines: Vec<String>,
}

/// `POST /import`: a VPC and everything in it as a design, laid out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ImportAnswer {
    #[schemars(with = "crate::model::Design")]
    pub document: serde_json::Value,
    /// What the account has that the design cannot hold, one line each.
    pub left_out: Vec<String>,
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
}

/// `GET /designs/{id}/export`: the files of one export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExportAnswer {
    pub files: Vec<crate::export::ExportedFile>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_is_spelled_as_serde_spells_it_and_parses_back() {
        for status in DeploymentStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status.as_str())
            );
            assert_eq!(DeploymentStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DeploymentStatus::parse("Running"), None);
    }

    #[test]
    fn roles_statuses_and_operations_are_spelled_as_serde_spells_them() {
        for role in Role::ALL {
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for status in UserStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
            assert_eq!(UserStatus::parse(status.as_str()), Some(status));
        }
        for operation in DeploymentOperation::ALL {
            assert_eq!(serde_json::to_value(operation).unwrap(), operation.as_str());
            assert_eq!(
                DeploymentOperation::parse(operation.as_str()),
                Some(operation)
            );
        }
        assert_eq!(Role::parse("root"), None);
        // Each role can do what the ones before it can.
        assert!(Role::Viewer < Role::Designer && Role::Deployer < Role::Admin);
    }

    #[test]
    fn a_step_event_names_its_kind_as_the_catalogue_does_and_reads_back() {
        for kind in crate::plan::ResourceKind::ALL {
            let event = StepEvent {
                step: 3,
                kind,
                logical_id: "vpc-main".into(),
                action: "create".into(),
                phase: StepPhase::Done {
                    aws_id: Some("vpc-0a1b".into()),
                },
            };
            let text = serde_json::to_string(&event).unwrap();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["kind"], kind.name(), "{text}");
            assert_eq!(value["phase"], "done", "{text}");
            assert_eq!(serde_json::from_str::<StepEvent>(&text).unwrap(), event);
        }
    }

    #[test]
    fn a_stored_design_keeps_its_document_text_as_it_is() {
        let text = r#"{"id":"d-1","name":"n","revision":2,"updated_at":5,"saved_by":"ada","deployment":null,"document":{"b":1,"a":[2]}}"#;
        let stored: StoredDesign = serde_json::from_str(text).unwrap();
        assert_eq!(stored.document.get(), r#"{"b":1,"a":[2]}"#);
        assert_eq!(serde_json::to_string(&stored).unwrap(), text);
    }

    #[test]
    fn every_plan_answer_reads_as_the_review_outline() {
        for template in crate::templates::TEMPLATES {
            let design = template.design().unwrap();
            let plan = crate::plan::plan(&crate::plan::desired_resources(&design), &[]);
            let answer = PlanAnswer {
                counts: plan.counts(),
                approval: Some("a second deployer".to_string()),
                plan,
            };
            let sent = serde_json::to_string(&answer).unwrap();
            let review: PlanReview = serde_json::from_str(&sent).unwrap();
            assert_eq!(review.counts, answer.counts);
            assert_eq!(review.approval, answer.approval);
            assert_eq!(review.plan.unchanged, answer.plan.unchanged);
            let outline: Vec<_> = answer
                .plan
                .steps
                .iter()
                .map(|step| StepOutline {
                    key: step.key.clone(),
                    action: step.action.clone(),
                })
                .collect();
            assert!(!outline.is_empty(), "{}", template.name);
            assert_eq!(review.plan.steps, outline, "{}", template.name);
        }
    }
}
