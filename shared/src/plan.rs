//! The provisioning planner, pure: the resources a design needs (with their dependencies) and
//! what is observed in the account (found by Moat's ownership tags) become a plan of create,
//! update, replace and delete steps, each with the steps it must wait for. The applier runs the
//! plan as a DAG; [`critical_path_seconds`] is the bound a parallel apply can reach.
//!
//! Invariant: a plan is a DAG in step order (every dependency is an earlier step), creates wait
//! for what they reference, deletes wait for the deletes of what depends on them, and an
//! observed resource that matches the design is never touched.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::model::{Design, EndpointType, Protocol};

/// The AWS resources Moat provisions, in creation rank order (a resource only depends on
/// resources of a lower rank; deletion goes the other way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Vpc,
    CustomerGateway,
    PlacementGroup,
    Subnet,
    InternetGateway,
    VpnGateway,
    SecurityGroup,
    RouteTable,
    NetworkAcl,
    ElasticIp,
    NatGateway,
    VpnConnection,
    GatewayEndpoint,
    InterfaceEndpoint,
    SecurityGroupRule,
    Route,
    RouteTableAssociation,
}

/// A resource's identity across plans: its kind and a logical id derived from the design
/// (`rt-private`, `rt-private/0.0.0.0/0`, `sg-efa/ingress/all/-1/-1/sg:sg-efa`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResourceKey {
    pub kind: ResourceKind,
    pub logical_id: String,
}

impl ResourceKey {
    fn new(kind: ResourceKind, logical_id: impl Into<String>) -> Self {
        ResourceKey {
            kind,
            logical_id: logical_id.into(),
        }
    }
}

/// What the design asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesiredResource {
    pub key: ResourceKey,
    pub attributes: BTreeMap<String, String>,
    pub depends_on: Vec<ResourceKey>,
}

/// What a Describe found, tagged with the design's ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedResource {
    pub key: ResourceKey,
    pub aws_id: String,
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Create,
    /// Changed in place (e.g. a route's target, an association's table).
    Update {
        changed: Vec<String>,
    },
    /// An attribute AWS cannot change in place: deleted and created again.
    Replace {
        changed: Vec<String>,
    },
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub key: ResourceKey,
    pub action: Action,
    /// The existing resource, for updates, replaces and deletes.
    pub aws_id: Option<String>,
    /// Indexes of earlier steps this one waits for.
    pub depends_on: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Resources already as designed.
    pub unchanged: usize,
}

/// Attributes whose change forces a replacement.
fn forces_replacement(kind: ResourceKind, attribute: &str) -> bool {
    use ResourceKind::*;
    match kind {
        Vpc => attribute == "cidr_block",
        Subnet => matches!(attribute, "vpc" | "cidr_block" | "availability_zone"),
        NatGateway => attribute == "subnet",
        SecurityGroup => matches!(attribute, "vpc" | "name"),
        GatewayEndpoint | InterfaceEndpoint => matches!(attribute, "vpc" | "service"),
        CustomerGateway => matches!(attribute, "ip_address" | "bgp_asn"),
        VpnConnection => matches!(attribute, "vpn_gateway" | "customer_gateway"),
        PlacementGroup => attribute == "strategy",
        RouteTable | NetworkAcl | InternetGateway | VpnGateway => attribute == "vpc",
        // Rules are identified by all their fields; routes and associations change in place.
        SecurityGroupRule | ElasticIp => true,
        Route | RouteTableAssociation => false,
    }
}

fn attributes<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Icmp => "icmp",
        Protocol::All => "all",
    }
}

/// Every resource a design needs, with what each depends on.
pub fn desired_resources(design: &Design) -> Vec<DesiredResource> {
    use ResourceKind::*;
    let mut resources = Vec::new();
    let mut push = |kind: ResourceKind,
                    logical_id: String,
                    attributes: BTreeMap<String, String>,
                    depends_on: Vec<ResourceKey>| {
        resources.push(DesiredResource {
            key: ResourceKey::new(kind, logical_id),
            attributes,
            depends_on,
        });
    };
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for vpc in &design.vpcs {
        push(
            Vpc,
            vpc.id.clone(),
            attributes([
                (
                    "cidr_block",
                    vpc.cidr_blocks.first().cloned().unwrap_or_default(),
                ),
                ("dns_support", vpc.enable_dns_support.to_string()),
                ("dns_hostnames", vpc.enable_dns_hostnames.to_string()),
            ]),
            Vec::new(),
        );
    }
    for gateway in &design.customer_gateways {
        push(
            CustomerGateway,
            gateway.id.clone(),
            attributes([
                ("ip_address", gateway.ip_address.clone()),
                ("bgp_asn", gateway.bgp_asn.to_string()),
            ]),
            Vec::new(),
        );
    }
    for group in &design.placement_groups {
        push(
            PlacementGroup,
            group.id.clone(),
            attributes([("strategy", format!("{:?}", group.strategy).to_lowercase())]),
            Vec::new(),
        );
    }
    for subnet in &design.subnets {
        push(
            Subnet,
            subnet.id.clone(),
            attributes([
                ("vpc", subnet.vpc.clone()),
                ("cidr_block", subnet.cidr.clone()),
                ("availability_zone", subnet.availability_zone.clone()),
                ("map_public_ip", subnet.map_public_ip_on_launch.to_string()),
            ]),
            vec![vpc_key(&subnet.vpc)],
        );
    }
    for gateway in &design.internet_gateways {
        push(
            InternetGateway,
            gateway.id.clone(),
            attributes([("vpc", gateway.vpc.clone())]),
            vec![vpc_key(&gateway.vpc)],
        );
    }
    for gateway in &design.vpn_gateways {
        push(
            VpnGateway,
            gateway.id.clone(),
            attributes([
                ("vpc", gateway.vpc.clone()),
                ("amazon_side_asn", gateway.amazon_side_asn.to_string()),
            ]),
            vec![vpc_key(&gateway.vpc)],
        );
    }
    for group in &design.security_groups {
        push(
            SecurityGroup,
            group.id.clone(),
            attributes([("vpc", group.vpc.clone()), ("name", group.name.clone())]),
            vec![vpc_key(&group.vpc)],
        );
    }
    for table in &design.route_tables {
        push(
            RouteTable,
            table.id.clone(),
            attributes([("vpc", table.vpc.clone())]),
            vec![vpc_key(&table.vpc)],
        );
    }
    for acl in &design.network_acls {
        push(
            NetworkAcl,
            acl.id.clone(),
            attributes([
                ("vpc", acl.vpc.clone()),
                ("entries", acl.entries.len().to_string()),
            ]),
            vec![vpc_key(&acl.vpc)],
        );
    }
    for nat in &design.nat_gateways {
        let address = format!("{}/eip", nat.id);
        push(ElasticIp, address.clone(), BTreeMap::new(), Vec::new());
        push(
            NatGateway,
            nat.id.clone(),
            attributes([("subnet", nat.subnet.clone())]),
            vec![
                ResourceKey::new(Subnet, nat.subnet.clone()),
                ResourceKey::new(ElasticIp, address),
            ],
        );
    }
    for connection in &design.vpn_connections {
        push(
            VpnConnection,
            connection.id.clone(),
            attributes([
                ("vpn_gateway", connection.vpn_gateway.clone()),
                ("customer_gateway", connection.customer_gateway.clone()),
            ]),
            vec![
                ResourceKey::new(VpnGateway, connection.vpn_gateway.clone()),
                ResourceKey::new(CustomerGateway, connection.customer_gateway.clone()),
            ],
        );
    }
    for endpoint in &design.endpoints {
        let (kind, mut depends_on) = match endpoint.endpoint_type {
            EndpointType::Gateway => (
                GatewayEndpoint,
                endpoint
                    .route_tables
                    .iter()
                    .map(|t| ResourceKey::new(RouteTable, t.clone()))
                    .collect::<Vec<_>>(),
            ),
            EndpointType::Interface => (
                InterfaceEndpoint,
                endpoint
                    .subnets
                    .iter()
                    .map(|s| ResourceKey::new(Subnet, s.clone()))
                    .chain(
                        endpoint
                            .security_groups
                            .iter()
                            .map(|g| ResourceKey::new(SecurityGroup, g.clone())),
                    )
                    .collect(),
            ),
        };
        depends_on.push(vpc_key(&endpoint.vpc));
        push(
            kind,
            endpoint.id.clone(),
            attributes([
                ("vpc", endpoint.vpc.clone()),
                ("service", endpoint.service.clone()),
                ("route_tables", endpoint.route_tables.join(",")),
                ("subnets", endpoint.subnets.join(",")),
                ("security_groups", endpoint.security_groups.join(",")),
                ("private_dns", endpoint.private_dns.to_string()),
            ]),
            depends_on,
        );
    }
    for group in &design.security_groups {
        for (direction, rules) in [("ingress", &group.ingress), ("egress", &group.egress)] {
            for rule in rules.iter() {
                let peer = rule
                    .cidr
                    .as_ref()
                    .map(|c| format!("cidr:{c}"))
                    .or_else(|| rule.security_group.as_ref().map(|g| format!("sg:{g}")))
                    .or_else(|| rule.prefix_list.as_ref().map(|p| format!("pl:{p}")))
                    .unwrap_or_default();
                let mut depends_on = vec![ResourceKey::new(SecurityGroup, group.id.clone())];
                if let Some(peer_group) = rule.security_group.as_ref().filter(|g| **g != group.id) {
                    depends_on.push(ResourceKey::new(SecurityGroup, peer_group.clone()));
                }
                push(
                    SecurityGroupRule,
                    format!(
                        "{}/{direction}/{}/{}/{}/{peer}",
                        group.id,
                        protocol_name(rule.protocol),
                        rule.from_port,
                        rule.to_port
                    ),
                    BTreeMap::new(),
                    depends_on,
                );
            }
        }
    }
    let target_key = |target: &str| -> Option<ResourceKey> {
        let kind = match design.kind_of(target)? {
            crate::model::ObjectKind::InternetGateway => InternetGateway,
            crate::model::ObjectKind::NatGateway => NatGateway,
            crate::model::ObjectKind::VpnGateway => VpnGateway,
            _ => return None,
        };
        Some(ResourceKey::new(kind, target))
    };
    for table in &design.route_tables {
        for route in &table.routes {
            let mut depends_on = vec![ResourceKey::new(RouteTable, table.id.clone())];
            depends_on.extend(target_key(&route.target));
            push(
                Route,
                format!("{}/{}", table.id, route.destination),
                attributes([("target", route.target.clone())]),
                depends_on,
            );
        }
        for subnet in &table.subnets {
            push(
                RouteTableAssociation,
                format!("{subnet}/route-table"),
                attributes([("route_table", table.id.clone())]),
                vec![
                    ResourceKey::new(Subnet, subnet.clone()),
                    ResourceKey::new(RouteTable, table.id.clone()),
                ],
            );
        }
    }
    resources
}

/// Compares the design with the account and orders the work: deletes of what the design no
/// longer has (dependents first), then creates, updates and replaces in dependency order.
pub fn plan(desired: &[DesiredResource], observed: &[ObservedResource]) -> Plan {
    let observed_by_key: HashMap<&ResourceKey, &ObservedResource> =
        observed.iter().map(|o| (&o.key, o)).collect();
    let desired_keys: std::collections::HashSet<&ResourceKey> =
        desired.iter().map(|d| &d.key).collect();
    let mut steps: Vec<Step> = Vec::new();
    // Deletes: highest rank first; each waits for the deletes of higher ranks.
    let mut doomed: Vec<&ObservedResource> = observed
        .iter()
        .filter(|o| !desired_keys.contains(&o.key))
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
        });
    }
    // Creates, updates and replaces, in rank order so dependencies come first.
    let mut ordered: Vec<&DesiredResource> = desired.iter().collect();
    ordered.sort_by(|a, b| a.key.kind.cmp(&b.key.kind).then(a.key.cmp(&b.key)));
    let mut step_of: HashMap<&ResourceKey, usize> = HashMap::new();
    let mut unchanged = 0;
    for resource in ordered {
        let action = match observed_by_key.get(&resource.key) {
            None => Some(Action::Create),
            Some(found) => {
                let changed: Vec<String> = resource
                    .attributes
                    .iter()
                    .filter(|(name, value)| found.attributes.get(*name) != Some(value))
                    .map(|(name, _)| name.clone())
                    .collect();
                if changed.is_empty() {
                    None
                } else if changed
                    .iter()
                    .any(|name| forces_replacement(resource.key.kind, name))
                {
                    Some(Action::Replace { changed })
                } else {
                    Some(Action::Update { changed })
                }
            }
        };
        let Some(action) = action else {
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
        steps.push(Step {
            key: resource.key.clone(),
            aws_id: observed_by_key.get(&resource.key).map(|o| o.aws_id.clone()),
            action,
            depends_on,
        });
    }
    Plan { steps, unchanged }
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
            id: "vpce-sts".into(),
            vpc: "vpc-multimodal".into(),
            endpoint_type: EndpointType::Interface,
            service: "sts".into(),
            route_tables: Vec::new(),
            subnets: vec!["subnet-private-a".into()],
            security_groups: vec!["sg-endpoints".into()],
            private_dns: true,
        });
        let plan = plan(&desired_resources(&edited), &observed);
        let actions: Vec<(ResourceKind, &str, &Action)> = plan
            .steps
            .iter()
            .map(|s| (s.key.kind, s.key.logical_id.as_str(), &s.action))
            .collect();
        assert_eq!(plan.steps.len(), 4, "{actions:?}");
        assert!(actions.iter().any(|(k, id, a)| *k == ResourceKind::Route
            && *id == "rt-private/0.0.0.0/0"
            && matches!(a, Action::Update { .. })));
        assert!(actions.iter().any(|(k, id, a)| *k == ResourceKind::Subnet
            && *id == "subnet-private-a"
            && matches!(a, Action::Replace { .. })));
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
        // The delete comes first and everything else waits for it.
        assert_eq!(plan.steps[0].action, Action::Delete);
        assert!(plan.steps[1..].iter().all(|s| s.depends_on.contains(&0)));
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
