//! What a route can send traffic to: one type for every site that turns a route into
//! something — the editor's connect, validation, the planner, reachability, the three code
//! exporters, the EC2 route writer and import. Each kind states whether it is a route target
//! beside its struct ([`super::DesignObject::ROUTE_TARGET`]); the sites match this enum
//! exhaustively, so a new target (a Transit Gateway, an egress-only gateway) is flagged by
//! the compiler wherever a route is written, instead of falling back to `GatewayId`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

crate::enumerate::enum_with_all! {
    /// A kind of route target.
    #[derive(
        Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
    )]
    #[serde(rename_all = "snake_case")]
    pub enum RouteTarget {
        InternetGateway,
        NatGateway,
        VpnGateway,
        /// A workload's network interface (an appliance). Moat does not provision these routes:
        /// it launches no interface of its own for a workload.
        NetworkInterface,
    }
}

impl RouteTarget {
    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            RouteTarget::InternetGateway => "internet gateway",
            RouteTarget::NatGateway => "NAT gateway",
            RouteTarget::VpnGateway => "VPN gateway",
            RouteTarget::NetworkInterface => "workload's network interface",
        }
    }

    /// The field of EC2's `CreateRoute`/`ReplaceRoute` (and of `DescribeRouteTables`' routes)
    /// that names it.
    pub fn ec2_field(self) -> &'static str {
        match self {
            RouteTarget::InternetGateway | RouteTarget::VpnGateway => "GatewayId",
            RouteTarget::NatGateway => "NatGatewayId",
            RouteTarget::NetworkInterface => "NetworkInterfaceId",
        }
    }

    /// The property of `AWS::EC2::Route` that names it (CloudFormation spells it as EC2).
    pub fn cloudformation_property(self) -> &'static str {
        self.ec2_field()
    }

    /// The argument of Terraform's `aws_route` that names it.
    pub fn terraform_argument(self) -> &'static str {
        match self {
            RouteTarget::InternetGateway | RouteTarget::VpnGateway => "gateway_id",
            RouteTarget::NatGateway => "nat_gateway_id",
            RouteTarget::NetworkInterface => "network_interface_id",
        }
    }

    /// The option of `aws ec2 create-route` that names it.
    pub fn cli_option(self) -> &'static str {
        match self {
            RouteTarget::InternetGateway | RouteTarget::VpnGateway => "--gateway-id",
            RouteTarget::NatGateway => "--nat-gateway-id",
            RouteTarget::NetworkInterface => "--network-interface-id",
        }
    }

    /// The target an EC2 route id names, by its prefix (`igw-`, `nat-`, `vgw-`, `eni-`), for
    /// import and the inventory.
    pub fn of_aws_id(id: &str) -> Option<RouteTarget> {
        RouteTarget::ALL
            .into_iter()
            .find(|target| id.starts_with(target.aws_id_prefix()))
    }

    /// The prefix of the AWS ids of this target.
    pub fn aws_id_prefix(self) -> &'static str {
        match self {
            RouteTarget::InternetGateway => "igw-",
            RouteTarget::NatGateway => "nat-",
            RouteTarget::VpnGateway => "vgw-",
            RouteTarget::NetworkInterface => "eni-",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectKind;

    /// Every route target is some kind's, exactly one; the planner's resource for it maps back.
    #[test]
    fn every_route_target_belongs_to_one_kind_and_maps_back() {
        for target in RouteTarget::ALL {
            let kinds: Vec<ObjectKind> = ObjectKind::ALL
                .iter()
                .copied()
                .filter(|kind| kind.route_target() == Some(target))
                .collect();
            assert_eq!(
                kinds.len(),
                1,
                "{target:?} is the route target of {kinds:?}"
            );
            if let Some(resource) = crate::plan::route_target_resource(target) {
                assert_eq!(crate::plan::route_target_of(resource), Some(target));
            }
            assert_eq!(
                RouteTarget::of_aws_id(&format!("{}0123abcd", target.aws_id_prefix())),
                Some(target)
            );
        }
    }

    /// Every route the planner builds for a template names a route target, so no exporter and
    /// no EC2 call falls back to a guess.
    #[test]
    fn every_planned_route_names_a_route_target() {
        let mut routes = 0;
        for template in crate::templates::TEMPLATES {
            for resource in crate::plan::desired_resources(&template.design().unwrap()) {
                if let crate::plan::ResourceSpec::Route(crate::plan::RouteSpec { target, .. }) =
                    &resource.spec
                {
                    assert!(
                        crate::plan::route_target_of(target.kind).is_some(),
                        "{target}"
                    );
                    routes += 1;
                }
            }
        }
        assert!(routes >= 4, "only {routes} routes");
    }
}
