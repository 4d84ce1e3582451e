//! One finding about a design — a stable code, a severity, the objects involved, a message
//! and a hint — shared by validation and the hard limits (a leaf: it imports nothing of the
//! crate's, so both can build on it).

use serde::{Deserialize, Serialize};

/// A noun with its indefinite article as a person reads it: "a VPC", "an Interface endpoint".
pub fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// How bad a finding is. `Info` is a fact a reviewer must see that is not a mistake (no flow
/// logs, instances that get public addresses, a group only workloads Moat does not start use):
/// what an auditor or a policy scanner such as checkov would point at.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    schemars::JsonSchema,
    Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding about a design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `subnet.overlap`.
    pub code: String,
    pub severity: Severity,
    /// Ids of the objects involved, most relevant first.
    pub objects: Vec<String>,
    /// What is wrong and where, with the values.
    pub message: String,
    /// How to fix it; concrete where a value can be computed.
    pub hint: String,
}

impl Diagnostic {
    pub fn new(
        code: &str,
        severity: Severity,
        objects: impl IntoIterator<Item = impl Into<String>>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code: code.to_string(),
            severity,
            objects: objects.into_iter().map(Into::into).collect(),
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nouns_take_the_article_they_are_read_with() {
        assert_eq!(
            super::with_article("Interface endpoint"),
            "an Interface endpoint"
        );
        assert_eq!(super::with_article("Elastic IP"), "an Elastic IP");
        assert_eq!(super::with_article("VPC"), "a VPC");
        assert_eq!(super::with_article("NAT gateway"), "a NAT gateway");
    }
}
