//! The provisioning planner, pure: the resources a design needs (with their dependencies) and
//! what is observed in the account (found by Moat's ownership tags) become a plan of create,
//! update, replace and delete steps, each with the steps it must wait for. The applier runs the
//! plan as a DAG; [`critical_path_seconds`] is the bound a parallel apply can reach.
//!
//! Invariant: a plan is a DAG in step order (every dependency is an earlier step), creates wait
//! for what they reference, deletes wait for the deletes of what depends on them, and an
//! observed resource that matches the design is never touched.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::model::{Design, EndpointType, Protocol, RouteTarget};

pub mod catalog;
pub mod iam;
pub mod resource;

pub use resource::*;

impl ResourceKind {
    /// The plain name used in plans, journals and progress events.
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// Kinds that are AWS resources of their own, tagged at creation (the others live inside
    /// one: routes, rules, entries and associations are found through their container).
    pub fn is_tagged(self) -> bool {
        self.facts().tagged
    }

    /// Kinds whose creation takes minutes on AWS (started first by the applier).
    pub fn is_long_pole(self) -> bool {
        self.facts().long_pole
    }
}

/// Creation order: the catalogue's rank.
impl Ord for ResourceKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.facts().rank.cmp(&other.facts().rank)
    }
}

impl PartialOrd for ResourceKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A resource's identity across plans: its kind and a logical id derived from the design
/// (`rt-private`, `rt-private/0.0.0.0/0`, `sg-efa/ingress/all/-1/-1/sg:sg-efa`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct ResourceKey {
    pub kind: ResourceKind,
    pub logical_id: String,
}

impl ResourceKey {
    pub fn new(kind: ResourceKind, logical_id: impl Into<String>) -> Self {
        ResourceKey {
            kind,
            logical_id: logical_id.into(),
        }
    }
}

impl std::fmt::Display for ResourceKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} {}", self.kind.name(), self.logical_id)
    }
}

/// Who a security group rule lets in or out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum RulePeer {
    Cidr(String),
    /// A security group of the design (its logical id; the rule's own group for a self rule).
    SecurityGroup(String),
    /// A prefix list id (`pl-…`).
    PrefixList(String),
}

/// The planner resource a route target is, where Moat provisions routes to it.
pub fn route_target_resource(target: RouteTarget) -> Option<ResourceKind> {
    match target {
        RouteTarget::InternetGateway => Some(ResourceKind::InternetGateway),
        RouteTarget::NatGateway => Some(ResourceKind::NatGateway),
        RouteTarget::VpnGateway => Some(ResourceKind::VpnGateway),
        // Moat launches no network interface for a workload; validation says so.
        RouteTarget::NetworkInterface => None,
    }
}

/// The route target a planned route's target resource is (the inverse of
/// [`route_target_resource`]): what the exporters and the EC2 route writer name it by.
pub fn route_target_of(kind: ResourceKind) -> Option<RouteTarget> {
    RouteTarget::ALL
        .into_iter()
        .find(|target| route_target_resource(*target) == Some(kind))
}

/// Instances Moat launches (its apply and every code export) require IMDSv2 session tokens,
/// with this many hops so a container on the instance still reaches the metadata endpoint.
pub const INSTANCE_METADATA_HOP_LIMIT: i32 = 2;

/// What the design asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesiredResource {
    pub key: ResourceKey,
    /// The user's tags of the design object it comes from (an instance: its workload's).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: crate::model::Tags,
    /// What a Describe reports of it, with references as logical ids: compared with what is
    /// observed to find what changed.
    pub attributes: BTreeMap<String, String>,
    pub depends_on: Vec<ResourceKey>,
    pub spec: ResourceSpec,
}

/// What a Describe found, tagged with the design's ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedResource {
    pub key: ResourceKey,
    pub aws_id: String,
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Create,
    /// Changed in place (e.g. a route's target, an association's table).
    Update {
        changed: Vec<String>,
    },
    /// An attribute AWS cannot change in place (or a resource it depends on is replaced): the
    /// old one is deleted by an earlier step of the plan and this step creates it again.
    Replace {
        changed: Vec<String>,
    },
    Delete,
}

impl Action {
    /// The attributes an update or a replacement changes (none for a create or a delete).
    pub fn changed(&self) -> &[String] {
        match self {
            Action::Update { changed } | Action::Replace { changed } => changed,
            Action::Create | Action::Delete => &[],
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update { .. } => "update",
            Action::Replace { .. } => "replace",
            Action::Delete => "delete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Step {
    pub key: ResourceKey,
    pub action: Action,
    /// The existing resource, for updates, replaces and deletes.
    pub aws_id: Option<String>,
    /// Indexes of earlier steps this one waits for.
    pub depends_on: Vec<usize>,
    /// What to create or update to (none for deletes).
    pub spec: Option<ResourceSpec>,
    /// What was observed, for deletes (the rule or route to remove).
    pub observed: BTreeMap<String, String>,
    /// The user's tags to create it with or to set (Moat's own are added by the applier).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: crate::model::Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Resources already as designed.
    pub unchanged: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// How many steps of each action: (create, update, replace, delete). The delete half of a
    /// replacement is not counted as a delete.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let replaced: std::collections::HashSet<&ResourceKey> = self
            .steps
            .iter()
            .filter(|s| matches!(s.action, Action::Replace { .. }))
            .map(|s| &s.key)
            .collect();
        let mut counts = (0, 0, 0, 0);
        for step in &self.steps {
            match step.action {
                Action::Create => counts.0 += 1,
                Action::Update { .. } => counts.1 += 1,
                Action::Replace { .. } => counts.2 += 1,
                Action::Delete if !replaced.contains(&step.key) => counts.3 += 1,
                Action::Delete => {}
            }
        }
        counts
    }
}

/// Attributes AWS changes in place; a change to any other attribute replaces the resource.
fn updates_in_place(kind: ResourceKind, attribute: &str) -> bool {
    kind.facts().in_place.contains(&attribute)
        || (attribute == TAGS_ATTRIBUTE && kind.facts().tagged)
}

/// The compared attribute that holds a resource's user tags, as [`tags_text`] writes them;
/// every tagged kind changes it in place.
pub const TAGS_ATTRIBUTE: &str = "tags";

/// User tags as one compared text: a JSON object in key order (keys may hold `=`).
pub fn tags_text(tags: &crate::model::Tags) -> String {
    serde_json::to_string(tags).unwrap_or_default()
}

pub(crate) fn attributes<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// The ports EC2 reports for a rule: none (`-1`) for all protocols and for a protocol by number
/// (which AWS matches on every port).
pub(crate) fn rule_ports(protocol: Protocol, from_port: i32, to_port: i32) -> (i32, i32) {
    if protocol.has_ports() {
        (from_port, to_port)
    } else {
        (-1, -1)
    }
}

/// The logical id of a security group rule: everything that identifies it.
pub fn security_group_rule_id(
    group: &str,
    egress: bool,
    protocol: &str,
    from_port: i32,
    to_port: i32,
    peer: &RulePeer,
) -> String {
    let direction = if egress { "egress" } else { "ingress" };
    let peer = match peer {
        RulePeer::Cidr(cidr) => format!("cidr:{cidr}"),
        RulePeer::SecurityGroup(group) => format!("sg:{group}"),
        RulePeer::PrefixList(list) => format!("pl:{list}"),
    };
    format!("{group}/{direction}/{protocol}/{from_port}/{to_port}/{peer}")
}

/// The full name of an endpoint service (`s3` → `com.amazonaws.us-east-1.s3`).
pub fn service_name(region: &str, service: &str) -> String {
    if service.starts_with("com.amazonaws.") || service.starts_with("aws.") {
        service.to_string()
    } else {
        format!("com.amazonaws.{region}.{service}")
    }
}

pub(crate) fn sorted_list(items: &[String]) -> String {
    let mut items = items.to_vec();
    items.sort();
    items.join(",")
}

/// Adds one desired resource. The compared attributes are the spec's own
/// (`ResourceSpec::attributes`): never written twice.
pub(crate) fn push(
    resources: &mut Vec<DesiredResource>,
    kind: ResourceKind,
    logical_id: String,
    depends_on: Vec<ResourceKey>,
    spec: ResourceSpec,
) {
    resources.push(DesiredResource {
        key: ResourceKey::new(kind, logical_id),
        tags: crate::model::Tags::new(),
        attributes: spec.attributes(),
        depends_on,
        spec,
    });
}

/// Every resource a design needs, with what each depends on: each family of kinds adds its
/// own (`resource::IN_PLAN_ORDER`), then the user's tags go on.
pub fn desired_resources(design: &Design) -> Vec<DesiredResource> {
    let mut resources: Vec<DesiredResource> = Vec::new();
    for kinds in resource::IN_PLAN_ORDER {
        kinds(design, &mut resources);
    }
    with_user_tags(design, &mut resources);
    resources
}

/// Gives each tagged resource its design object's user tags (an instance its workload's),
/// as tags and as the compared `tags` attribute.
fn with_user_tags(design: &Design, resources: &mut [DesiredResource]) {
    let tags_by_id: HashMap<&str, &crate::model::Tags> = design
        .objects()
        .filter(|object| !object.tags().is_empty())
        .map(|object| (object.id(), object.tags()))
        .collect();
    if tags_by_id.is_empty() {
        return;
    }
    for resource in resources.iter_mut() {
        if !resource.key.kind.facts().tagged {
            continue;
        }
        let owner = match resource.key.kind {
            ResourceKind::Instance => resource
                .key
                .logical_id
                .rsplit_once('/')
                .map_or(resource.key.logical_id.as_str(), |(workload, _)| workload),
            _ => resource.key.logical_id.as_str(),
        };
        if let Some(tags) = tags_by_id.get(owner) {
            resource.tags = (*tags).clone();
            resource
                .attributes
                .insert(TAGS_ATTRIBUTE.to_string(), tags_text(tags));
        }
    }
}

/// Compares the design with the account and orders the work: deletes of what the design no
/// longer has and of what is replaced (dependents first), then creates, updates and replaces in
/// dependency order. Replacing a resource replaces what depends on it (a subnet's NAT gateway,
/// its associations), since AWS will not delete a resource still in use.
pub fn plan(desired: &[DesiredResource], observed: &[ObservedResource]) -> Plan {
    let observed_by_key: HashMap<&ResourceKey, &ObservedResource> =
        observed.iter().map(|o| (&o.key, o)).collect();
    let desired_keys: std::collections::HashSet<&ResourceKey> =
        desired.iter().map(|d| &d.key).collect();
    // What changed, per desired resource, in rank order so a replacement cascades to dependents.
    let mut ordered: Vec<&DesiredResource> = desired.iter().collect();
    ordered.sort_by(|a, b| a.key.kind.cmp(&b.key.kind).then(a.key.cmp(&b.key)));
    let mut actions: HashMap<&ResourceKey, Action> = HashMap::new();
    for resource in &ordered {
        let Some(found) = observed_by_key.get(&resource.key) else {
            actions.insert(&resource.key, Action::Create);
            continue;
        };
        let mut changed: Vec<String> = differing_attributes(resource, found);
        let replaced_dependencies: Vec<String> = resource
            .depends_on
            .iter()
            .filter(|key| {
                matches!(
                    actions.get(key),
                    Some(Action::Replace { .. }) | Some(Action::Create)
                )
            })
            .map(|key| format!("{} is replaced", key))
            .collect();
        let action = if !replaced_dependencies.is_empty() {
            changed.extend(replaced_dependencies);
            Action::Replace { changed }
        } else if changed.is_empty() {
            continue;
        } else if changed
            .iter()
            .all(|name| updates_in_place(resource.key.kind, name))
        {
            Action::Update { changed }
        } else {
            Action::Replace { changed }
        };
        actions.insert(&resource.key, action);
    }
    let mut steps: Vec<Step> = Vec::new();
    // Deletes: what the design no longer has and the old half of each replacement, highest
    // rank first; each waits for the deletes of higher ranks.
    let mut doomed: Vec<&ObservedResource> = observed
        .iter()
        .filter(|o| {
            !desired_keys.contains(&o.key)
                || matches!(actions.get(&o.key), Some(Action::Replace { .. }))
        })
        .collect();
    doomed.sort_by(|a, b| b.key.cmp(&a.key));
    let mut delete_steps: Vec<(ResourceKind, usize)> = Vec::new();
    for resource in doomed {
        let depends_on = delete_steps
            .iter()
            .filter(|(kind, _)| *kind > resource.key.kind)
            .map(|(_, index)| *index)
            .collect();
        delete_steps.push((resource.key.kind, steps.len()));
        steps.push(Step {
            key: resource.key.clone(),
            action: Action::Delete,
            aws_id: Some(resource.aws_id.clone()),
            depends_on,
            spec: None,
            observed: resource.attributes.clone(),
            tags: crate::model::Tags::new(),
        });
    }
    let mut step_of: HashMap<&ResourceKey, usize> = HashMap::new();
    let mut unchanged = 0;
    for resource in ordered {
        let Some(action) = actions.remove(&resource.key) else {
            unchanged += 1;
            continue;
        };
        let mut depends_on: Vec<usize> = resource
            .depends_on
            .iter()
            .filter_map(|key| step_of.get(key).copied())
            .collect();
        // Nothing new is made before the old is gone (a replaced CIDR must be free again).
        depends_on.extend(delete_steps.iter().map(|(_, index)| *index));
        depends_on.sort_unstable();
        depends_on.dedup();
        step_of.insert(&resource.key, steps.len());
        let observed = observed_by_key.get(&resource.key);
        steps.push(Step {
            key: resource.key.clone(),
            aws_id: match action {
                Action::Update { .. } => observed.map(|o| o.aws_id.clone()),
                _ => None,
            },
            action,
            depends_on,
            spec: Some(resource.spec.clone()),
            observed: observed.map(|o| o.attributes.clone()).unwrap_or_default(),
            tags: resource.tags.clone(),
        });
    }
    Plan { steps, unchanged }
}

/// An endpoint's compared attributes with its policy, when it has one of its own: an
/// endpoint with AWS's default policy reads back with none, so the two compare equal.
pub(crate) fn with_policy(
    mut attributes: BTreeMap<String, String>,
    policy: &Option<String>,
) -> BTreeMap<String, String> {
    if let Some(policy) = policy {
        attributes.insert("policy".to_string(), policy.clone());
    }
    attributes
}

/// The attributes on which what the design asks for and what the account holds disagree:
/// the design's own, and the in-place ones the account holds that the design leaves out (a
/// rule description or a user tag removed from the design is a change, not nothing).
fn differing_attributes(resource: &DesiredResource, found: &ObservedResource) -> Vec<String> {
    let mut names: Vec<String> = resource
        .attributes
        .iter()
        .filter(|(name, value)| found.attributes.get(*name) != Some(value))
        .map(|(name, _)| name.clone())
        .collect();
    let tags = resource.key.kind.facts().tagged.then_some(TAGS_ATTRIBUTE);
    for name in resource.key.kind.facts().in_place.iter().chain(tags.iter()) {
        if !resource.attributes.contains_key(*name)
            && found
                .attributes
                .get(*name)
                .is_some_and(|value| !value.is_empty())
        {
            names.push(name.to_string());
        }
    }
    names
}

/// The logical id of a VPC's secondary block: `vpc-main/cidr/100.64.0.0/16`.
pub fn cidr_block_logical_id(vpc: &str, block: &str) -> String {
    format!("{vpc}/cidr/{block}")
}

/// The secondary block of `vpc` that holds the subnet CIDR `subnet_cidr`, if it lies in one.
pub fn secondary_block_of<'a>(design: &'a Design, vpc: &str, subnet_cidr: &str) -> Option<&'a str> {
    let subnet = crate::cidr::parse_cidr(subnet_cidr).ok()?.network;
    design
        .vpc(vpc)?
        .cidr_blocks
        .iter()
        .skip(1)
        .find(|block| {
            crate::cidr::parse_cidr(block)
                .is_ok_and(|parsed| crate::cidr::contains(parsed.network, subnet))
        })
        .map(String::as_str)
}

/// How the account differs from a deployed design, object by object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "drift", rename_all = "snake_case")]
pub enum DriftKind {
    /// In the design, not in the account (deleted outside Moat).
    Missing,
    /// In both, with attributes changed outside Moat.
    Changed { attributes: Vec<AttributeDrift> },
    /// In the account (tagged with the design, or inside one of its resources), not in the
    /// design (added outside Moat).
    Extra,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AttributeDrift {
    pub name: String,
    pub designed: String,
    pub found: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Drift {
    pub key: ResourceKey,
    pub aws_id: Option<String>,
    #[serde(flatten)]
    pub kind: DriftKind,
}

impl Drift {
    /// One line for people: `route rt-private/0.0.0.0/0: target is igw-main, designed nat-a`.
    pub fn describe(&self) -> String {
        match &self.kind {
            DriftKind::Missing => format!("{}: deleted outside Moat", self.key),
            DriftKind::Extra => format!(
                "{} ({}): added outside Moat",
                self.key,
                self.aws_id.as_deref().unwrap_or("?")
            ),
            DriftKind::Changed { attributes } => format!(
                "{}: {}",
                self.key,
                attributes
                    .iter()
                    .map(|a| format!("{} is {}, designed {}", a.name, a.found, a.designed))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }
}

/// Drift, or `None` when the account holds no resource of the design: a design never
/// deployed (or destroyed) has nothing to drift from, and every resource reported "missing"
/// would say it was deleted outside Moat when it never existed.
pub fn drift_if_deployed(
    desired: &[DesiredResource],
    observed: &[ObservedResource],
) -> Option<Vec<Drift>> {
    (!observed.is_empty()).then(|| drift(desired, observed))
}

/// What changed in the account outside Moat since the design was deployed: every resource
/// missing, changed or added, with the attribute values on both sides.
pub fn drift(desired: &[DesiredResource], observed: &[ObservedResource]) -> Vec<Drift> {
    let observed_by_key: HashMap<&ResourceKey, &ObservedResource> =
        observed.iter().map(|o| (&o.key, o)).collect();
    let desired_keys: std::collections::HashSet<&ResourceKey> =
        desired.iter().map(|d| &d.key).collect();
    let mut drifts = Vec::new();
    for resource in desired {
        match observed_by_key.get(&resource.key) {
            None => drifts.push(Drift {
                key: resource.key.clone(),
                aws_id: None,
                kind: DriftKind::Missing,
            }),
            Some(found) => {
                let attributes: Vec<AttributeDrift> = differing_attributes(resource, found)
                    .into_iter()
                    .map(|name| AttributeDrift {
                        designed: resource.attributes.get(&name).cloned().unwrap_or_default(),
                        found: found.attributes.get(&name).cloned().unwrap_or_default(),
                        name,
                    })
                    .collect();
                if !attributes.is_empty() {
                    drifts.push(Drift {
                        key: resource.key.clone(),
                        aws_id: Some(found.aws_id.clone()),
                        kind: DriftKind::Changed { attributes },
                    });
                }
            }
        }
    }
    for found in observed {
        if !desired_keys.contains(&found.key) {
            drifts.push(Drift {
                key: found.key.clone(),
                aws_id: Some(found.aws_id.clone()),
                kind: DriftKind::Extra,
            });
        }
    }
    drifts.sort_by(|a, b| a.key.cmp(&b.key));
    drifts
}

/// The shortest possible wall time of a plan run with unlimited parallelism: the longest chain
/// of dependent steps, each taking `duration(step)` seconds.
pub fn critical_path_seconds(plan: &Plan, duration: impl Fn(&Step) -> f64) -> f64 {
    let mut finish: Vec<f64> = Vec::with_capacity(plan.steps.len());
    for step in &plan.steps {
        let start = step
            .depends_on
            .iter()
            .filter_map(|index| finish.get(*index))
            .copied()
            .fold(0.0, f64::max);
        finish.push(start + duration(step));
    }
    finish.into_iter().fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::TEMPLATES;

    /// What an account would report after applying `desired` exactly.
    fn applied(desired: &[DesiredResource]) -> Vec<ObservedResource> {
        desired
            .iter()
            .enumerate()
            .map(|(index, d)| ObservedResource {
                key: d.key.clone(),
                aws_id: format!("aws-{index}"),
                attributes: d.attributes.clone(),
            })
            .collect()
    }

    #[test]
    fn an_empty_account_gets_every_resource_created_after_what_it_depends_on() {
        for template in TEMPLATES {
            let design = template.design().unwrap();
            let desired = desired_resources(&design);
            let plan = plan(&desired, &[]);
            assert_eq!(plan.steps.len(), desired.len(), "{}", template.name);
            assert!(plan.steps.iter().all(|s| s.action == Action::Create));
            for (index, step) in plan.steps.iter().enumerate() {
                assert!(
                    step.depends_on.iter().all(|d| *d < index),
                    "{}: {:?} waits for a later step",
                    template.name,
                    step.key
                );
            }
            // Every dependency that names a resource of the design is a step it waits for.
            let index_of: HashMap<&ResourceKey, usize> = plan
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| (&s.key, i))
                .collect();
            for resource in &desired {
                let step = &plan.steps[index_of[&resource.key]];
                for dependency in &resource.depends_on {
                    if let Some(needed) = index_of.get(dependency) {
                        assert!(step.depends_on.contains(needed), "{:?}", resource.key);
                    }
                }
            }
        }
    }

    #[test]
    fn an_account_that_matches_the_design_gets_an_empty_plan() {
        for template in TEMPLATES {
            let desired = desired_resources(&template.design().unwrap());
            let plan = plan(&desired, &applied(&desired));
            assert!(plan.steps.is_empty(), "{}: {:?}", template.name, plan.steps);
            assert_eq!(plan.unchanged, desired.len());
        }
    }

    #[test]
    fn edits_become_only_the_difference_and_cidr_changes_are_replacements() {
        let design = crate::templates::template("multimodal-endpoints")
            .unwrap()
            .design()
            .unwrap();
        let before = desired_resources(&design);
        let observed = applied(&before);
        let mut edited = design.clone();
        // A route moves to another target (in place), a subnet's CIDR changes (replace), an
        // egress rule goes (delete), an endpoint is added (create).
        edited.route_tables[2].routes[0].target = "igw-multimodal".into();
        edited.subnets[1].cidr = "10.0.20.0/24".into();
        edited.security_groups[1].egress.clear();
        edited.endpoints.push(crate::model::Endpoint {
            tags: Default::default(),
            id: "vpce-sts".into(),
            vpc: "vpc-multimodal".into(),
            endpoint_type: EndpointType::Interface,
            service: "sts".into(),
            route_tables: Vec::new(),
            subnets: vec!["subnet-private-a".into()],
            security_groups: vec!["sg-endpoints".into()],
            private_dns: true,
            policy: None,
        });
        let plan = plan(&desired_resources(&edited), &observed);
        let actions: Vec<(ResourceKind, &str, &Action)> = plan
            .steps
            .iter()
            .map(|s| (s.key.kind, s.key.logical_id.as_str(), &s.action))
            .collect();
        // One create (the endpoint), one update (the route), one delete (the rule); the subnet
        // is replaced and so is everything in it: its association and the three interface
        // endpoints AWS would not let go of it.
        assert_eq!(plan.counts(), (1, 1, 5, 1), "{actions:?}");
        assert!(actions.iter().any(|(k, id, a)| *k == ResourceKind::Route
            && *id == "rt-private/0.0.0.0/0"
            && matches!(a, Action::Update { .. })));
        assert!(actions.iter().any(|(k, id, a)| *k == ResourceKind::Subnet
            && *id == "subnet-private-a"
            && matches!(a, Action::Replace { changed } if changed == &["cidr_block"])));
        for (kind, id) in [
            (
                ResourceKind::RouteTableAssociation,
                "subnet-private-a/route-table",
            ),
            (ResourceKind::InterfaceEndpoint, "vpce-sagemaker-api"),
        ] {
            assert!(
                actions.iter().any(|(k, i, a)| *k == kind
                    && *i == id
                    && matches!(a, Action::Replace { changed }
                        if changed == &["subnet subnet-private-a is replaced"])),
                "{id}: {actions:?}"
            );
        }
        assert!(
            actions
                .iter()
                .any(|(k, _, a)| *k == ResourceKind::SecurityGroupRule && **a == Action::Delete)
        );
        assert!(
            actions
                .iter()
                .any(|(k, id, a)| *k == ResourceKind::InterfaceEndpoint
                    && *id == "vpce-sts"
                    && **a == Action::Create)
        );
        // Deletes come first (the subnet after what is in it) and everything else waits for them.
        let deletes = plan
            .steps
            .iter()
            .take_while(|s| s.action == Action::Delete)
            .count();
        assert_eq!(deletes, 6);
        assert_eq!(plan.steps[deletes - 1].key.kind, ResourceKind::Subnet);
        assert!(
            plan.steps[deletes..]
                .iter()
                .all(|s| (0..deletes).all(|d| s.depends_on.contains(&d)))
        );
        // The replaced subnet's new association waits for the new subnet.
        let index = |kind, id: &str| {
            plan.steps
                .iter()
                .rposition(|s| s.key.kind == kind && s.key.logical_id == id)
                .unwrap()
        };
        assert!(
            plan.steps[index(
                ResourceKind::RouteTableAssociation,
                "subnet-private-a/route-table"
            )]
            .depends_on
            .contains(&index(ResourceKind::Subnet, "subnet-private-a"))
        );
    }

    #[test]
    fn drift_names_what_was_deleted_changed_and_added_outside_moat() {
        let design = crate::templates::template("multimodal-endpoints")
            .unwrap()
            .design()
            .unwrap();
        let desired = desired_resources(&design);
        let mut observed = applied(&desired);
        assert!(drift(&desired, &observed).is_empty());
        // Someone deleted the S3 endpoint, pointed the private default route at the IGW and
        // opened SSH on a group.
        observed.retain(|o| o.key.logical_id != "vpce-s3");
        for found in &mut observed {
            if found.key.kind == ResourceKind::Route
                && found.key.logical_id == "rt-private/0.0.0.0/0"
            {
                found
                    .attributes
                    .insert("target".into(), "igw-multimodal".into());
            }
        }
        observed.push(ObservedResource {
            key: ResourceKey::new(
                ResourceKind::SecurityGroupRule,
                "sg-training/ingress/6/22/22/cidr:0.0.0.0/0",
            ),
            aws_id: "sg-1:ssh".into(),
            attributes: BTreeMap::new(),
        });
        let drifts = drift(&desired, &observed);
        let lines: Vec<String> = drifts.iter().map(Drift::describe).collect();
        assert_eq!(drifts.len(), 3, "{lines:#?}");
        assert!(
            lines.contains(&"gateway_endpoint vpce-s3: deleted outside Moat".to_string()),
            "{lines:#?}"
        );
        assert!(
            lines.contains(
                &"route rt-private/0.0.0.0/0: target is igw-multimodal, designed nat-a".to_string()
            ),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(
                |l| l.starts_with("security_group_rule sg-training/ingress/6/22/22")
                    && l.ends_with("added outside Moat")
            ),
            "{lines:#?}"
        );
    }

    #[test]
    fn destroying_everything_deletes_dependents_first() {
        let design = crate::templates::template("tabular-vpn")
            .unwrap()
            .design()
            .unwrap();
        let observed = applied(&desired_resources(&design));
        let plan = plan(&[], &observed);
        assert_eq!(plan.steps.len(), observed.len());
        assert!(plan.steps.iter().all(|s| s.action == Action::Delete));
        let position = |kind: ResourceKind| plan.steps.iter().position(|s| s.key.kind == kind);
        assert!(position(ResourceKind::RouteTableAssociation) < position(ResourceKind::Subnet));
        assert!(position(ResourceKind::VpnConnection) < position(ResourceKind::VpnGateway));
        assert!(position(ResourceKind::Subnet) < position(ResourceKind::Vpc));
        let vpc = position(ResourceKind::Vpc).unwrap();
        assert_eq!(plan.steps[vpc].depends_on.len(), vpc, "the VPC goes last");
    }

    #[test]
    fn the_nat_gateway_is_the_critical_path_of_the_multimodal_template() {
        let design = crate::templates::template("multimodal-endpoints")
            .unwrap()
            .design()
            .unwrap();
        let plan = plan(&desired_resources(&design), &[]);
        // Every call 1 s; a NAT gateway 120 s and an interface endpoint 60 s to become available.
        let duration = |step: &Step| match step.key.kind {
            ResourceKind::NatGateway => 120.0,
            ResourceKind::InterfaceEndpoint => 60.0,
            _ => 1.0,
        };
        let bound = critical_path_seconds(&plan, duration);
        let sequential: f64 = plan.steps.iter().map(duration).sum();
        // VPC → subnet → NAT (120) → route to it: 123 s; sequentially over 300 s.
        assert_eq!(bound, 123.0);
        assert!(sequential > 2.0 * bound, "{sequential}");
    }
}
