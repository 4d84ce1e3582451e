//! A VPC endpoint: a gateway endpoint (S3, DynamoDB) in route tables, or an interface endpoint in subnets with security groups.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointType {
    Gateway,
    Interface,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub id: String,
    pub vpc: String,
    #[serde(rename = "type")]
    pub endpoint_type: EndpointType,
    /// Short service name: `s3`, `dynamodb`, `sagemaker.api`, …
    pub service: String,
    /// Gateway endpoints: associated route tables.
    #[serde(default)]
    pub route_tables: Vec<String>,
    /// Interface endpoints: one subnet per AZ.
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub security_groups: Vec<String>,
    #[serde(default)]
    pub private_dns: bool,
    /// The endpoint policy: an IAM policy document that limits which principals may reach
    /// which resources and actions of the service through this endpoint. Absent: AWS's
    /// default, full access to every resource of the service in any account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<serde_json::Value>,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl Endpoint {
    /// The policy Moat applies, as compact JSON with sorted keys: none when the design gives
    /// none or gives one that means AWS's default (full access), so the two never differ in
    /// a plan.
    pub fn applied_policy(&self) -> Option<String> {
        self.policy
            .as_ref()
            .filter(|document| !endpoint_policy::is_full_access(document))
            .map(endpoint_policy::canonical)
    }
}

impl DesignObject for Endpoint {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#FCEFE6",
        stroke: "#D86613",
        letters: "EP",
        role: ChipRole::Endpoint,
    };

    const CONNECT_RANK: u8 = 1;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("endpoints")
    }

    fn caption(&self) -> Option<String> {
        Some(self.service.clone())
    }

    fn path_place(&self) -> Option<String> {
        Some(self.service.clone())
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    fn container(&self) -> Container<'_> {
        Container::Vpc(&self.vpc)
    }

    fn drawn_in(&self) -> Container<'_> {
        match self.subnets.first() {
            Some(subnet) => Container::Subnet(subnet),
            None => Container::Vpc(&self.vpc),
        }
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[
        ("vpc", &[ObjectKind::Vpc]),
        ("route_tables", &[ObjectKind::RouteTable]),
        ("subnets", &[ObjectKind::Subnet]),
        ("security_groups", &[ObjectKind::SecurityGroup]),
    ];

    fn references(&self) -> Vec<Reference<'_>> {
        std::iter::once(Reference::field("vpc", &self.vpc, &[ObjectKind::Vpc]))
            .chain(Reference::list(
                "route_tables",
                &self.route_tables,
                &[ObjectKind::RouteTable],
            ))
            .chain(Reference::list(
                "subnets",
                &self.subnets,
                &[ObjectKind::Subnet],
            ))
            .chain(Reference::list(
                "security_groups",
                &self.security_groups,
                &[ObjectKind::SecurityGroup],
            ))
            .collect()
    }
}

/// Endpoint policy documents read as AWS evaluates them, as far as a design can say: which
/// services' actions a policy allows to anyone at all, and whether it is AWS's full access.
pub mod endpoint_policy {
    use serde_json::Value;

    /// AWS's limit on an endpoint policy, in characters (whitespace counts).
    pub const MAX_CHARACTERS: usize = 20_480;

    /// AWS's default policy, which an endpoint without one has.
    pub fn full_access() -> Value {
        serde_json::json!({
            "Version": "2008-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
        })
    }

    /// Compact JSON with sorted keys: the form Moat sends, compares and stores.
    pub fn canonical(document: &Value) -> String {
        document.to_string()
    }

    /// The prefix of the IAM actions a service's endpoint serves: `s3`, `sagemaker` for
    /// `sagemaker.api` and `sagemaker.runtime`, `cloudwatch` for `monitoring`, ….
    pub fn action_prefix(service: &str) -> String {
        let first = service.split('.').next().unwrap_or(service);
        match first {
            "monitoring" => "cloudwatch".to_string(),
            "git-codecommit" => "codecommit".to_string(),
            other => other.to_ascii_lowercase(),
        }
    }

    fn items(value: Option<&Value>) -> Vec<&str> {
        match value {
            Some(Value::String(text)) => vec![text.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    fn statements(document: &Value) -> Vec<&Value> {
        match document.get("Statement") {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(single @ Value::Object(_)) => vec![single],
            _ => Vec::new(),
        }
    }

    /// Whether a statement's principal is anyone: `"*"` or `{"AWS": "*"}`.
    fn anyone(statement: &Value) -> bool {
        match statement.get("Principal") {
            None => true,
            Some(Value::String(text)) => text == "*",
            Some(Value::Object(map)) => map
                .get("AWS")
                .is_some_and(|aws| items(Some(aws)).contains(&"*")),
            _ => false,
        }
    }

    fn effect(statement: &Value) -> Option<&str> {
        statement.get("Effect").and_then(Value::as_str)
    }

    /// Whether an action pattern (`*`, `s3:*`, `s3:Get*`, `s3:GetObject`) names an action of
    /// the service with this prefix.
    fn names_service(pattern: &str, prefix: &str) -> bool {
        let pattern = pattern.to_ascii_lowercase();
        pattern == "*"
            || pattern
                .split_once(':')
                .is_some_and(|(service, _)| service == prefix || service == "*")
    }

    /// Whether the document is AWS's full access: one unconditional statement allowing
    /// anyone every action on every resource, and nothing denied.
    pub fn is_full_access(document: &Value) -> bool {
        let statements = statements(document);
        let denies = statements.iter().any(|s| effect(s) == Some("Deny"));
        !denies
            && statements.iter().any(|statement| {
                effect(statement) == Some("Allow")
                    && anyone(statement)
                    && statement.get("Condition").is_none()
                    && items(statement.get("Action")).contains(&"*")
                    && items(statement.get("Resource")).contains(&"*")
            })
    }

    /// Whether the policy lets anyone at all use some action of the service: an `Allow`
    /// naming one of its actions (or `NotAction`, which may), and no unconditional `Deny` of
    /// all its actions to anyone on every resource. Conditions are taken as met: a design
    /// does not say who calls, so only a policy that can never allow the service is blocked.
    pub fn allows_service(document: &Value, prefix: &str) -> bool {
        let statements = statements(document);
        let denied = statements.iter().any(|statement| {
            effect(statement) == Some("Deny")
                && anyone(statement)
                && statement.get("Condition").is_none()
                && statement.get("NotAction").is_none()
                && items(statement.get("Resource")).contains(&"*")
                && items(statement.get("Action")).iter().any(|action| {
                    let action = action.to_ascii_lowercase();
                    action == "*" || action == format!("{prefix}:*")
                })
        });
        let allowed = statements.iter().any(|statement| {
            effect(statement) == Some("Allow")
                && (statement.get("NotAction").is_some()
                    || items(statement.get("Action"))
                        .iter()
                        .any(|action| names_service(action, prefix)))
        });
        allowed && !denied
    }

    /// What makes the document something AWS refuses, in words: an empty list when it is a
    /// policy AWS would take.
    pub fn problems(document: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        if !document.is_object() {
            problems.push("it is not a JSON object".to_string());
            return problems;
        }
        let length = canonical(document).chars().count();
        if length > MAX_CHARACTERS {
            problems.push(format!(
                "it is {length} characters long; AWS takes at most {MAX_CHARACTERS}"
            ));
        }
        if let Some(version) = document.get("Version")
            && !matches!(version.as_str(), Some("2012-10-17" | "2008-10-17"))
        {
            problems.push(format!(
                "its Version is {version}; IAM knows \"2012-10-17\" and \"2008-10-17\""
            ));
        }
        let statements = statements(document);
        if statements.is_empty() {
            problems.push("it has no Statement".to_string());
        }
        for (index, statement) in statements.iter().enumerate() {
            let number = index + 1;
            if !matches!(effect(statement), Some("Allow" | "Deny")) {
                problems.push(format!(
                    "statement {number} has no Effect of \"Allow\" or \"Deny\""
                ));
            }
            if statement.get("Action").is_none() && statement.get("NotAction").is_none() {
                problems.push(format!("statement {number} names no Action"));
            }
        }
        problems
    }
}
