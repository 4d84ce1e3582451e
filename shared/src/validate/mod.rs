//! Validation: `validate(&Design) -> Vec<Diagnostic>`. It never fails and never panics; it
//! reports every problem at once, each with a stable code from `shared/reference/vpc-rules.md`
//! (Moat's public contract), a severity, the ids involved, a message with the values, and a hint.
//!
//! Each rule lives in the module of its reference section, documented once with its AWS source.
//! Passes are linear or `n log n` in the number of objects (overlaps by sort-and-sweep).

mod addressing;
mod context;

use serde::{Deserialize, Serialize};

use crate::model::Design;

pub use context::ValidationContext;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding about a design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Diagnostic codes. The reference's codes are a public contract: never change their meaning.
pub mod codes {
    pub const CIDR_INVALID: &str = "cidr.invalid";
    pub const CIDR_NOT_CANONICAL: &str = "cidr.not-canonical";
    pub const VPC_CIDR_SIZE: &str = "vpc.cidr-size";
    pub const VPC_CIDR_OVERLAP: &str = "vpc.cidr-overlap";
    pub const SUBNET_CIDR_SIZE: &str = "subnet.cidr-size";
    pub const SUBNET_OUTSIDE_VPC: &str = "subnet.outside-vpc";
    pub const SUBNET_OVERLAP: &str = "subnet.overlap";
    pub const SUBNET_CAPACITY: &str = "subnet.capacity";
    pub const SUBNET_AZ_UNKNOWN: &str = "subnet.az-unknown";
    /// Moat's own: a reference names an object that does not exist (or is of the wrong kind).
    pub const REFERENCE_UNKNOWN: &str = "reference.unknown";
    /// Moat's own: two objects share one id.
    pub const ID_DUPLICATE: &str = "id.duplicate";
}

/// Every check over a design, in a stable order: by severity (errors first), then code, then ids.
pub fn validate(design: &Design) -> Vec<Diagnostic> {
    let context = ValidationContext::new(design);
    let mut diagnostics = Vec::new();
    addressing::check(&context, &mut diagnostics);
    diagnostics
        .sort_by(|a, b| (a.severity, &a.code, &a.objects).cmp(&(b.severity, &b.code, &b.objects)));
    diagnostics
}

/// Counts of diagnostics by severity: `(errors, warnings)`.
pub fn count_by_severity(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

#[cfg(test)]
mod tests;
