//! What every diagram says about a design's objects, apart from how it is drawn: a chip's short
//! label, and the edges that let a reader follow traffic (route targets, route-table
//! associations, endpoint attachments, VPN links, security-group references). The canvas, the
//! SVG export and the draw.io export all draw these, so the three never disagree on what is
//! connected.
//!
//! Invariant: every kind declares its look and what its chip reads beside its struct
//! (`DesignObject::STYLE`, `DesignObject::caption`), and edges are listed in a stable order,
//! so renderers agree and redraws are deterministic.

use std::collections::BTreeSet;

use crate::model::{Design, EndpointType, ObjectKind};

pub use crate::model::{ChipRole, KindStyle};

/// The look of a kind (declared beside its struct).
pub fn kind_style(kind: ObjectKind) -> KindStyle {
    kind.style()
}

/// Whether a kind is drawn as a box that holds others (VPCs, subnets) rather than a chip.
pub fn is_container(kind: ObjectKind) -> bool {
    kind_style(kind).role == ChipRole::Container
}

/// The look of a subnet box, by its tier (the kind's style is the private one).
pub fn subnet_style(tier: crate::model::SubnetTier) -> KindStyle {
    match tier {
        crate::model::SubnetTier::Public => KindStyle {
            fill: "#E9F3E6",
            stroke: "#7AA116",
            ..kind_style(ObjectKind::Subnet)
        },
        crate::model::SubnetTier::Private => kind_style(ObjectKind::Subnet),
    }
}

/// What an edge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeClass {
    /// A route table to its route's target.
    Route,
    /// A subnet to its route table; a DHCP options set to a VPC it serves.
    Association,
    /// An endpoint to a route table (gateway) or to its other subnets (interface).
    Endpoint,
    /// A VPN gateway to a customer gateway.
    Vpn,
    /// A security group to one its rules let traffic flow to.
    SecurityGroup,
}

impl EdgeClass {
    /// The style key renderers draw it by (the canvas's CSS class).
    pub fn style_key(self) -> &'static str {
        match self {
            EdgeClass::Route => "edge-route",
            EdgeClass::Association => "edge-association",
            EdgeClass::Endpoint => "edge-endpoint",
            EdgeClass::Vpn => "edge-vpn",
            EdgeClass::SecurityGroup => "edge-security-group",
        }
    }
}

/// One edge between two objects, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub class: EdgeClass,
    /// What the edge may be labelled with: a route's destination, an endpoint's service, a
    /// VPN connection's id; empty for the others.
    pub label: String,
    /// The design object the edge is, if it is one (a VPN connection).
    pub object: Option<String>,
}

/// What a chip says: a short kind (or a service, an instance type) above its id; each kind
/// declares its caption beside its struct.
pub fn chip_label(design: &Design, id: &str, kind: ObjectKind) -> String {
    design
        .object(id)
        .map(|object| object.caption())
        .unwrap_or_else(|| kind.label().to_string())
}

/// Every edge of the design. Security-group references go the way traffic flows: an ingress
/// rule naming another group lets that group in; an egress rule lets traffic out to it.
/// Self-references are not drawn (the inspector states them).
pub fn edges(design: &Design) -> Vec<Edge> {
    let edge = |from: &str, to: &str, class, label: &str| Edge {
        from: from.to_string(),
        to: to.to_string(),
        class,
        label: label.to_string(),
        object: None,
    };
    let mut edges = Vec::new();
    for table in &design.route_tables {
        for route in &table.routes {
            edges.push(edge(
                &table.id,
                &route.target,
                EdgeClass::Route,
                &route.destination,
            ));
        }
        for subnet in &table.subnets {
            edges.push(edge(subnet, &table.id, EdgeClass::Association, ""));
        }
    }
    for endpoint in &design.endpoints {
        match endpoint.endpoint_type {
            EndpointType::Gateway => {
                for table in &endpoint.route_tables {
                    edges.push(edge(
                        &endpoint.id,
                        table,
                        EdgeClass::Endpoint,
                        &endpoint.service,
                    ));
                }
            }
            // Drawn in its first subnet: an edge to each other one.
            EndpointType::Interface => {
                for subnet in endpoint.subnets.iter().skip(1) {
                    edges.push(edge(
                        &endpoint.id,
                        subnet,
                        EdgeClass::Endpoint,
                        &endpoint.service,
                    ));
                }
            }
        }
    }
    for connection in &design.vpn_connections {
        edges.push(Edge {
            object: Some(connection.id.clone()),
            ..edge(
                &connection.vpn_gateway,
                &connection.customer_gateway,
                EdgeClass::Vpn,
                &connection.id,
            )
        });
    }
    for options in &design.dhcp_options {
        for vpc in &options.vpcs {
            edges.push(edge(&options.id, vpc, EdgeClass::Association, ""));
        }
    }
    let mut references = BTreeSet::new();
    for group in &design.security_groups {
        for rule in &group.ingress {
            if let Some(peer) = rule.security_group.as_ref().filter(|p| **p != group.id) {
                references.insert((peer.clone(), group.id.clone()));
            }
        }
        for rule in &group.egress {
            if let Some(peer) = rule.security_group.as_ref().filter(|p| **p != group.id) {
                references.insert((group.id.clone(), peer.clone()));
            }
        }
    }
    edges.extend(
        references
            .into_iter()
            .map(|(from, to)| edge(&from, &to, EdgeClass::SecurityGroup, "")),
    );
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design() -> Design {
        crate::spec::load_design_value(serde_json::json!({
            "schema_version": 2, "name": "d", "region": "us-east-1",
            "vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/16"]}],
            "subnets": [
                {"id": "s-a", "vpc": "vpc-a", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/24", "tier": "private"},
                {"id": "s-b", "vpc": "vpc-a", "availability_zone": "us-east-1b", "cidr": "10.0.1.0/24", "tier": "private"}
            ],
            "internet_gateways": [{"id": "igw-a", "vpc": "vpc-a"}],
            "route_tables": [{"id": "rt-a", "vpc": "vpc-a", "subnets": ["s-a"],
                              "routes": [{"destination": "0.0.0.0/0", "target": "igw-a"}]}],
            "endpoints": [{"id": "vpce-sts", "vpc": "vpc-a", "type": "interface", "service": "sts",
                           "subnets": ["s-a", "s-b"], "security_groups": ["sg-web"]}],
            "security_groups": [
                {"id": "sg-web", "vpc": "vpc-a", "name": "web",
                 "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "security_group": "sg-lb"}],
                 "egress": [{"protocol": "all", "security_group": "sg-web"}]},
                {"id": "sg-lb", "vpc": "vpc-a", "name": "lb",
                 "egress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "security_group": "sg-web"}]}
            ],
            "workloads": [{"id": "wl-gpu", "kind": "ec2", "instance_type": "p5.48xlarge", "count": 4, "subnet": "s-a"}]
        }))
        .unwrap()
    }

    #[test]
    fn chips_say_their_service_or_instance_type_and_every_kind_has_a_label() {
        let design = design();
        assert_eq!(
            chip_label(&design, "wl-gpu", ObjectKind::Workload),
            "4×p5.48xlarge"
        );
        assert_eq!(chip_label(&design, "vpce-sts", ObjectKind::Endpoint), "sts");
        assert_eq!(
            chip_label(&design, "igw-a", ObjectKind::InternetGateway),
            "IGW"
        );
        for kind in ObjectKind::ALL {
            assert!(
                !chip_label(&design, "missing", *kind).is_empty()
                    || matches!(kind, ObjectKind::Endpoint | ObjectKind::Workload)
            );
        }
    }

    #[test]
    fn every_kind_has_its_own_letters_and_a_colour() {
        let mut letters = std::collections::BTreeSet::new();
        for kind in ObjectKind::ALL {
            let style = kind_style(*kind);
            assert!(letters.insert(style.letters), "{kind:?} shares its letters");
            assert_eq!(
                is_container(*kind),
                matches!(kind, ObjectKind::Vpc | ObjectKind::Subnet)
            );
            for colour in [style.fill, style.stroke] {
                assert!(
                    colour.len() == 7 && colour.starts_with('#'),
                    "{kind:?}: {colour}"
                );
            }
        }
    }

    #[test]
    fn edges_follow_routes_associations_endpoints_and_group_references_once() {
        let edges = edges(&design());
        let has = |from: &str, to: &str, class| {
            edges
                .iter()
                .filter(|e| e.from == from && e.to == to && e.class == class)
                .count()
        };
        assert_eq!(has("rt-a", "igw-a", EdgeClass::Route), 1);
        assert_eq!(has("s-a", "rt-a", EdgeClass::Association), 1);
        assert_eq!(has("vpce-sts", "s-b", EdgeClass::Endpoint), 1);
        assert_eq!(
            has("vpce-sts", "s-a", EdgeClass::Endpoint),
            0,
            "its own subnet is not an edge"
        );
        // sg-lb → sg-web: stated twice (sg-web's ingress, sg-lb's egress), drawn once.
        assert_eq!(has("sg-lb", "sg-web", EdgeClass::SecurityGroup), 1);
        assert!(
            !edges.iter().any(|e| e.from == e.to),
            "no self-reference drawn"
        );
        assert_eq!(edges.len(), 4);
    }
}
