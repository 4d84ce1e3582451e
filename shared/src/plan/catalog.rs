//! The resource catalogue: one row of plain facts per [`ResourceKind`] the planner knows —
//! its explicit rank, whether it is tagged and a long pole, which attributes AWS changes in
//! place, its CloudFormation, Terraform and EC2 type names, the IAM actions its create, delete
//! and reads need, the error code of a missing one, and its AWS id prefix.
//!
//! Each row is its kind's `Resource::FACTS`, beside the kind's struct in `plan/resource/`;
//! this module holds the row type and what is derived from the rows.
//!
//! Invariant: these facts are written once, in each kind's `Resource` impl. The planner, the
//! exporters, the IAM policy, the EC2 adapter, the recording double and the fault layer read
//! them; a kind without its impl does not compile. Creation follows `rank`
//! (a resource depends only on lower ranks, a test checks it over every template) and teardown
//! goes the other way ([`teardown_order`]).

use super::ResourceKind;

/// The facts of one resource kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceFacts {
    /// The plain name used in plans, journals and progress events (`nat_gateway`).
    pub name: &'static str,
    /// Creation order: a resource depends only on resources of a lower rank. Unique.
    pub rank: u8,
    /// An AWS resource of its own, tagged at creation (the others live inside one: routes,
    /// rules, entries and associations are found through their container).
    pub tagged: bool,
    /// Its creation takes minutes on AWS (started first by the applier).
    pub long_pole: bool,
    /// The attributes AWS changes in place; a change to any other replaces the resource.
    pub in_place: &'static [&'static str],
    /// The CloudFormation type of its main resource.
    pub cloudformation_type: &'static str,
    /// The Terraform resource type (a main route table is `aws_default_route_table`).
    pub terraform_type: &'static str,
    /// EC2's `ResourceType` in tag specifications (`natgateway`); for the kinds that are not
    /// tagged, the resource that holds them.
    pub ec2_resource_type: &'static str,
    /// The IAM actions a create (and an in-place update) needs.
    pub create_actions: &'static [&'static str],
    /// The IAM actions a delete needs.
    pub delete_actions: &'static [&'static str],
    /// The read calls the inventory and the waiters make for it.
    pub read_actions: &'static [&'static str],
    /// The error code EC2 answers for an id of this kind that it does not know (yet).
    pub not_found_code: Option<&'static str>,
    /// The prefix of the ids AWS gives it (`vpc-`); none for kinds without an id of their own
    /// or named by the user (placement groups).
    pub aws_id_prefix: Option<&'static str>,
}

/// The facts of a kind (its [`Resource::FACTS`](super::Resource::FACTS)).
pub fn row(kind: ResourceKind) -> &'static ResourceFacts {
    kind.facts()
}

/// Every kind, in creation order (rank).
pub fn creation_order() -> Vec<ResourceKind> {
    let mut kinds = ResourceKind::ALL.to_vec();
    kinds.sort_by_key(|kind| row(*kind).rank);
    kinds
}

/// Every kind, in teardown order: the reverse of creation.
pub fn teardown_order() -> Vec<ResourceKind> {
    let mut kinds = creation_order();
    kinds.reverse();
    kinds
}

/// Every read call a plan makes, whatever the design holds.
pub fn read_actions() -> Vec<&'static str> {
    let mut actions: Vec<&str> = creation_order()
        .into_iter()
        .flat_map(|kind| row(kind).read_actions.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// No attribute changes in place.
pub const NO_ATTRIBUTES: &[&str] = &[];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_names_are_unique() {
        let mut ranks: Vec<u8> = ResourceKind::ALL.iter().map(|k| row(*k).rank).collect();
        ranks.sort_unstable();
        ranks.dedup();
        assert_eq!(ranks.len(), ResourceKind::ALL.len());
        let mut names: Vec<&str> = ResourceKind::ALL.iter().map(|k| row(*k).name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ResourceKind::ALL.len());
    }

    /// The rank is the planner's promise: in every template, every resource depends only on
    /// resources of a lower rank, so creating in rank order and deleting in reverse is safe.
    #[test]
    fn every_dependency_has_a_lower_rank() {
        let mut checked = 0;
        for template in crate::templates::TEMPLATES {
            for resource in super::super::desired_resources(&template.design().unwrap()) {
                for dependency in &resource.depends_on {
                    assert!(
                        row(dependency.kind).rank < row(resource.key.kind).rank,
                        "{}: {} depends on {}",
                        template.name,
                        resource.key,
                        dependency
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "only {checked} dependencies");
    }

    #[test]
    fn tagged_kinds_have_their_ids_and_codes() {
        for kind in ResourceKind::ALL {
            let facts = row(kind);
            assert!(
                facts
                    .not_found_code
                    .is_some_and(|code| code.contains("NotFound") || code.ends_with(".Unknown"))
            );
            assert!(!facts.create_actions.is_empty() && !facts.delete_actions.is_empty());
            assert!(!facts.read_actions.is_empty());
            assert!(facts.cloudformation_type.starts_with("AWS::EC2::"));
            assert!(facts.terraform_type.starts_with("aws_"));
        }
    }
}
