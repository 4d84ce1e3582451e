//! Every reference of every object, checked in one place from the kinds' own declarations
//! ([`crate::model::DesignObject::references`]): an id that names nothing of an allowed kind is
//! `reference.unknown` (`sg.unknown-reference` where a security group is expected, the
//! reference's code for it). Route targets are [`super::routing`]'s (`route.target-missing`).
//!
//! Rules that need a reference to resolve (a subnet's VPC block, a route table's VPC) skip an
//! unresolved one silently: this pass has reported it.

use rustc_hash::FxHashSet as HashSet;

use super::{Diagnostic, Severity, codes};
use crate::model::{Design, ObjectKind};

pub(super) fn check(design: &Design, out: &mut Vec<Diagnostic>) {
    let present: HashSet<(ObjectKind, &str)> = design
        .objects()
        .map(|object| (object.kind(), object.id()))
        .collect();
    for object in design.objects() {
        for reference in object.references() {
            if reference
                .kinds
                .iter()
                .any(|kind| present.contains(&(*kind, reference.target)))
            {
                continue;
            }
            let expected = reference
                .kinds
                .iter()
                .map(|kind| noun(*kind))
                .collect::<Vec<_>>()
                .join(" or ");
            let code = if reference.kinds == [ObjectKind::SecurityGroup] {
                codes::SG_UNKNOWN_REFERENCE
            } else {
                codes::REFERENCE_UNKNOWN
            };
            let found = design
                .kind_of(reference.target)
                .map(|kind| format!(" (it is a {})", noun(kind)))
                .unwrap_or_default();
            out.push(Diagnostic::new(
                code,
                Severity::Error,
                [object.id()],
                format!(
                    "{} {}: {} names \"{}\", which is not a {expected} of the design{found}",
                    object.kind().label(),
                    object.id(),
                    reference.field,
                    reference.target,
                ),
                format!(
                    "set {} to the id of an existing {expected}, or create it first",
                    reference.field
                ),
            ));
        }
    }
}

/// A kind's label in the middle of a sentence: "security group", but "VPC", "NAT gateway".
pub(crate) fn noun(kind: ObjectKind) -> String {
    let label = kind.label();
    let mut characters = label.chars();
    match (characters.next(), characters.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_string(),
    }
}
