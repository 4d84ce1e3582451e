//! The palette: every kind of object a user can drop on the canvas, and where each may land.
//! A drop lands in the right container (a subnet in a VPC, a NAT gateway in a subnet, …) or is
//! refused with a reason the user reads; either way the design is never half-changed.

use super::ops::{self as editor, CommandError};
use crate::layout::{CHIP_HEIGHT, CHIP_WIDTH, SIDE_CHIP_WIDTH};
use crate::model::{
    AMAZON_PROVIDED_DNS, Container, CustomerGateway, Design, DhcpOptions, Endpoint, EndpointType,
    InternetGateway, LayoutBox, NatGateway, NetworkAcl, NetworkAclEntry, NetworkInterface,
    ObjectKind, PlacementGroup, PlacementStrategy, Protocol, RouteTable, RuleAction, SecurityGroup,
    SecurityGroupRule, SubnetTier, VpnConnection, VpnGateway, Workload, WorkloadKind, serve_vpc,
};

crate::enumerate::enum_with_all! {
    /// Everything the palette offers.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum PaletteItem {
        Vpc,
        AvailabilityZone,
        PrivateSubnet,
        PublicSubnet,
        InternetGateway,
        NatGateway,
        NetworkInterface,
        VpnGateway,
        CustomerGateway,
        VpnConnection,
        S3GatewayEndpoint,
        DynamoDbGatewayEndpoint,
        InterfaceEndpoint,
        SecurityGroup,
        NetworkAcl,
        RouteTable,
        PlacementGroup,
        DhcpOptions,
        GpuNode,
        SagemakerNotebook,
        SagemakerTraining,
        RdsDatabase,
    }
}

impl PaletteItem {
    /// The kind of object a drop of this item creates (no wildcard: a new item must say).
    pub fn kind(self) -> ObjectKind {
        match self {
            PaletteItem::Vpc => ObjectKind::Vpc,
            PaletteItem::AvailabilityZone
            | PaletteItem::PublicSubnet
            | PaletteItem::PrivateSubnet => ObjectKind::Subnet,
            PaletteItem::InternetGateway => ObjectKind::InternetGateway,
            PaletteItem::NatGateway => ObjectKind::NatGateway,
            PaletteItem::NetworkInterface => ObjectKind::NetworkInterface,
            PaletteItem::VpnGateway => ObjectKind::VpnGateway,
            PaletteItem::CustomerGateway => ObjectKind::CustomerGateway,
            PaletteItem::VpnConnection => ObjectKind::VpnConnection,
            PaletteItem::S3GatewayEndpoint
            | PaletteItem::DynamoDbGatewayEndpoint
            | PaletteItem::InterfaceEndpoint => ObjectKind::Endpoint,
            PaletteItem::SecurityGroup => ObjectKind::SecurityGroup,
            PaletteItem::NetworkAcl => ObjectKind::NetworkAcl,
            PaletteItem::RouteTable => ObjectKind::RouteTable,
            PaletteItem::PlacementGroup => ObjectKind::PlacementGroup,
            PaletteItem::DhcpOptions => ObjectKind::DhcpOptions,
            PaletteItem::GpuNode
            | PaletteItem::SagemakerNotebook
            | PaletteItem::SagemakerTraining
            | PaletteItem::RdsDatabase => ObjectKind::Workload,
        }
    }

    /// The accessible name of the palette item.
    pub fn label(self) -> &'static str {
        match self {
            PaletteItem::Vpc => "VPC",
            PaletteItem::AvailabilityZone => "Availability zone",
            PaletteItem::PublicSubnet => "Public subnet",
            PaletteItem::PrivateSubnet => "Private subnet",
            PaletteItem::InternetGateway => "Internet gateway",
            PaletteItem::NatGateway => "NAT gateway",
            PaletteItem::NetworkInterface => "Network interface",
            PaletteItem::VpnGateway => "VPN gateway",
            PaletteItem::CustomerGateway => "Customer gateway",
            PaletteItem::VpnConnection => "VPN connection",
            PaletteItem::S3GatewayEndpoint => "S3 gateway endpoint",
            PaletteItem::DynamoDbGatewayEndpoint => "DynamoDB gateway endpoint",
            PaletteItem::InterfaceEndpoint => "Interface endpoint",
            PaletteItem::SecurityGroup => "Security group",
            PaletteItem::NetworkAcl => "Network ACL",
            PaletteItem::RouteTable => "Route table",
            PaletteItem::PlacementGroup => "Placement group",
            PaletteItem::DhcpOptions => "DHCP options",
            PaletteItem::GpuNode => "GPU node",
            PaletteItem::SagemakerNotebook => "SageMaker notebook",
            PaletteItem::SagemakerTraining => "SageMaker training",
            PaletteItem::RdsDatabase => "RDS database",
        }
    }

    /// Where it may land, in words: used in refusals.
    /// What the item must be dropped on.
    pub fn drop_target(self) -> DropTarget {
        match self {
            PaletteItem::Vpc | PaletteItem::CustomerGateway | PaletteItem::PlacementGroup => {
                DropTarget::Canvas
            }
            PaletteItem::AvailabilityZone
            | PaletteItem::PublicSubnet
            | PaletteItem::PrivateSubnet
            | PaletteItem::InternetGateway
            | PaletteItem::VpnGateway
            | PaletteItem::S3GatewayEndpoint
            | PaletteItem::DynamoDbGatewayEndpoint
            | PaletteItem::SecurityGroup
            | PaletteItem::NetworkAcl
            | PaletteItem::RouteTable
            | PaletteItem::DhcpOptions => DropTarget::Vpc,
            PaletteItem::NatGateway
            | PaletteItem::NetworkInterface
            | PaletteItem::InterfaceEndpoint
            | PaletteItem::GpuNode
            | PaletteItem::SagemakerNotebook
            | PaletteItem::SagemakerTraining
            | PaletteItem::RdsDatabase => DropTarget::Subnet,
            PaletteItem::VpnConnection => DropTarget::VpnGateway,
        }
    }
}

/// What a palette item must be dropped on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropTarget {
    Canvas,
    Vpc,
    Subnet,
    VpnGateway,
}

fn refused(reason: String) -> CommandError {
    CommandError::Refused { reason }
}

/// The innermost object of `kind` whose box contains the point.
fn container_at(design: &Design, kind: ObjectKind, x: f64, y: f64) -> Option<String> {
    design
        .object_ids()
        .into_iter()
        .rev()
        .filter(|(_, object_kind)| *object_kind == kind)
        .find(|(id, _)| {
            design
                .layout
                .get(*id)
                .is_some_and(|bounds| bounds.contains_point(x, y))
        })
        .map(|(id, _)| id.to_string())
}

/// A chip's box centred on the drop point, kept inside its container.
fn chip_box(design: &Design, container: Option<&str>, x: f64, y: f64, width: f64) -> LayoutBox {
    let mut left = editor::snap(x - width / 2.0);
    let mut top = editor::snap(y - CHIP_HEIGHT / 2.0);
    if let Some(bounds) = container.and_then(|id| design.layout.get(id)) {
        left = left.clamp(
            bounds.x + 4.0,
            (bounds.x + bounds.width - width - 4.0).max(bounds.x + 4.0),
        );
        top = top.clamp(
            bounds.y + 24.0,
            (bounds.y + bounds.height - CHIP_HEIGHT - 4.0).max(bounds.y + 24.0),
        );
    }
    LayoutBox {
        x: left,
        y: top,
        width,
        height: CHIP_HEIGHT,
    }
}

/// The availability zone letters a design may use, in the order a new lane takes them.
const ZONE_LETTERS: [char; 6] = ['a', 'b', 'c', 'd', 'e', 'f'];

/// Drops an availability zone lane into a VPC: an AZ exists in a design through its subnets, so
/// the lane arrives with a private subnet in the first zone of the region the VPC does not use
/// yet, placed to the right of the VPC's lanes (the VPC widens to hold it). Returns the subnet.
fn add_availability_zone(design: &mut Design, x: f64, y: f64) -> Result<String, CommandError> {
    let vpc_id = container_at(design, ObjectKind::Vpc, x, y).ok_or_else(|| {
        refused(
            "An availability zone lane must be dropped inside a VPC: drop it onto a VPC box"
                .to_string(),
        )
    })?;
    let used: Vec<&str> = design
        .subnets
        .iter()
        .filter(|subnet| subnet.vpc == vpc_id)
        .map(|subnet| subnet.availability_zone.as_str())
        .collect();
    let availability_zone = ZONE_LETTERS
        .iter()
        .map(|letter| format!("{}{letter}", design.region))
        .find(|zone| !used.contains(&zone.as_str()))
        .ok_or_else(|| {
            refused(format!(
                "VPC {vpc_id} already has a lane for every zone of {} (a to f)",
                design.region
            ))
        })?;
    let vpc_box = design
        .layout
        .get(&vpc_id)
        .copied()
        .ok_or_else(|| refused(format!("VPC {vpc_id} is not on the canvas")))?;
    let lanes_right = crate::layout::availability_zone_lanes(design, None)
        .iter()
        .filter(|lane| lane.vpc == vpc_id)
        .map(|lane| lane.bounds.x + lane.bounds.width)
        .fold(f64::NEG_INFINITY, f64::max);
    let left = if lanes_right.is_finite() {
        editor::snap(lanes_right + 2.0 * crate::layout::LANE_PADDING + editor::GRID)
    } else {
        editor::snap(x - editor::SUBNET_SIZE.0 / 2.0).max(vpc_box.x + 2.0 * editor::GRID)
    };
    let top = editor::snap(y - editor::SUBNET_SIZE.1 / 2.0).clamp(
        vpc_box.y + 60.0,
        (vpc_box.y + vpc_box.height - editor::SUBNET_SIZE.1 - editor::GRID).max(vpc_box.y + 60.0),
    );
    let block = editor::next_free_subnet_block(design, &vpc_id, 24, None).ok_or_else(|| {
        CommandError::VpcFull {
            vpc_id: vpc_id.clone(),
            prefix_length: 24,
        }
    })?;
    if lanes_right.is_finite() {
        // Make room: what sits right of the new lane (the side column of route tables and
        // groups, the gateways on the top edge) moves right, and the VPC widens.
        let shift = editor::SUBNET_SIZE.0 + 4.0 * editor::GRID;
        for contained in editor::contained_objects(design, &vpc_id) {
            if let Some(bounds) = design.layout.get_mut(&contained)
                && bounds.x >= left - editor::GRID
            {
                bounds.x += shift;
            }
        }
        if let Some(vpc_bounds) = design.layout.get_mut(&vpc_id) {
            vpc_bounds.width += shift;
        }
    }
    let id = editor::next_id(design, ObjectKind::Subnet);
    design.subnets.push(crate::model::Subnet {
        tags: Default::default(),
        id: id.clone(),
        vpc: vpc_id.clone(),
        availability_zone,
        cidr: block.to_string(),
        tier: SubnetTier::Private,
        map_public_ip_on_launch: false,
    });
    let subnet_box = LayoutBox {
        x: left,
        y: top,
        width: editor::SUBNET_SIZE.0,
        height: editor::SUBNET_SIZE.1,
    };
    design.layout.insert(id.clone(), subnet_box);
    let needed_right = subnet_box.x + subnet_box.width + 2.0 * editor::GRID;
    if let Some(vpc_bounds) = design.layout.get_mut(&vpc_id)
        && vpc_bounds.x + vpc_bounds.width < needed_right
    {
        vpc_bounds.width = needed_right - vpc_bounds.x;
    }
    Ok(id)
}

/// Drops a palette item at a canvas point; returns the new object's id.
pub fn drop_item(
    design: &mut Design,
    item: PaletteItem,
    x: f64,
    y: f64,
) -> Result<String, CommandError> {
    match item {
        PaletteItem::Vpc => {
            if let Some(vpc) = container_at(design, ObjectKind::Vpc, x, y) {
                return Err(refused(format!(
                    "A VPC cannot be dropped inside VPC {vpc}: drop it on empty canvas"
                )));
            }
            return editor::add_vpc(design, x, y);
        }
        PaletteItem::AvailabilityZone => return add_availability_zone(design, x, y),
        PaletteItem::PublicSubnet => return editor::add_subnet(design, x, y, SubnetTier::Public),
        PaletteItem::PrivateSubnet => return editor::add_subnet(design, x, y, SubnetTier::Private),
        _ => {}
    }
    let container = match item.drop_target() {
        DropTarget::Canvas => {
            if item == PaletteItem::CustomerGateway
                && let Some(vpc) = container_at(design, ObjectKind::Vpc, x, y)
            {
                return Err(refused(format!(
                    "A customer gateway is your on-premises device: drop it outside VPC {vpc}, on empty canvas"
                )));
            }
            None
        }
        DropTarget::Vpc => Some(container_at(design, ObjectKind::Vpc, x, y).ok_or_else(|| {
            refused(format!(
                "{} must be dropped inside a VPC: drop it onto a VPC box",
                sentence_start(&crate::diagnostic::with_article(item.label()))
            ))
        })?),
        DropTarget::Subnet => Some(container_at(design, ObjectKind::Subnet, x, y).ok_or_else(
            || {
                refused(format!(
                    "{} must be dropped inside a subnet: drop it onto a subnet box",
                    sentence_start(&crate::diagnostic::with_article(item.label()))
                ))
            },
        )?),
        DropTarget::VpnGateway => Some(
            container_at(design, ObjectKind::VpnGateway, x, y).ok_or_else(|| {
                refused(
                    "A VPN connection starts at a VPN gateway: drop it onto a VPN gateway"
                        .to_string(),
                )
            })?,
        ),
    };
    let container_id = container.as_deref().unwrap_or_default().to_string();
    let vpc_of_container = design
        .subnet(&container_id)
        .map(|subnet| subnet.vpc.clone())
        .unwrap_or_else(|| container_id.clone());
    let kind = item.kind();
    let id = editor::next_id(design, kind);
    let mut width = CHIP_WIDTH;
    match item {
        PaletteItem::InternetGateway => {
            if let Some(existing) = design
                .internet_gateways
                .iter()
                .find(|g| g.vpc == container_id)
            {
                return Err(refused(format!(
                    "VPC {container_id} already has internet gateway {}; a VPC has one",
                    existing.id
                )));
            }
            design.internet_gateways.push(InternetGateway {
                tags: Default::default(),
                id: id.clone(),
                vpc: container_id.clone(),
            });
        }
        PaletteItem::VpnGateway => {
            if let Some(existing) = design.vpn_gateways.iter().find(|g| g.vpc == container_id) {
                return Err(refused(format!(
                    "VPC {container_id} already has VPN gateway {}; a VPC has one",
                    existing.id
                )));
            }
            design.vpn_gateways.push(VpnGateway {
                tags: Default::default(),
                id: id.clone(),
                vpc: container_id.clone(),
                amazon_side_asn: 64512,
            });
        }
        PaletteItem::NatGateway => design.nat_gateways.push(NatGateway {
            connectivity: Default::default(),
            tags: Default::default(),
            id: id.clone(),
            subnet: container_id.clone(),
        }),
        // AWS chooses its address until the user fixes one in the inspector.
        PaletteItem::NetworkInterface => design.network_interfaces.push(NetworkInterface {
            id: id.clone(),
            subnet: container_id.clone(),
            security_groups: Vec::new(),
            private_ip: None,
            description: String::new(),
            tags: Default::default(),
        }),
        PaletteItem::CustomerGateway => {
            width = 120.0;
            design.customer_gateways.push(CustomerGateway {
                tags: Default::default(),
                id: id.clone(),
                ip_address: "203.0.113.10".into(),
                bgp_asn: 65000,
                on_premises_cidrs: vec!["192.168.0.0/16".into()],
            });
        }
        PaletteItem::VpnConnection => {
            let customer_gateway = design.customer_gateways.first().map(|c| c.id.clone()).ok_or_else(|| {
                refused("Add a customer gateway (your data center) first; the connection links it to this VPN gateway".to_string())
            })?;
            design.vpn_connections.push(VpnConnection {
                tags: Default::default(),
                id: id.clone(),
                vpn_gateway: container_id.clone(),
                customer_gateway,
                static_routes_only: true,
            });
            return Ok(id);
        }
        PaletteItem::S3GatewayEndpoint | PaletteItem::DynamoDbGatewayEndpoint => {
            let service = if item == PaletteItem::S3GatewayEndpoint {
                "s3"
            } else {
                "dynamodb"
            };
            design.endpoints.push(Endpoint {
                tags: Default::default(),
                id: id.clone(),
                vpc: container_id.clone(),
                endpoint_type: EndpointType::Gateway,
                service: service.into(),
                route_tables: Vec::new(),
                subnets: Vec::new(),
                security_groups: Vec::new(),
                private_dns: false,
                policy: None,
            });
        }
        PaletteItem::InterfaceEndpoint => design.endpoints.push(Endpoint {
            tags: Default::default(),
            id: id.clone(),
            vpc: vpc_of_container.clone(),
            endpoint_type: EndpointType::Interface,
            service: "sagemaker.api".into(),
            route_tables: Vec::new(),
            subnets: vec![container_id.clone()],
            security_groups: Vec::new(),
            private_dns: true,
            policy: None,
        }),
        PaletteItem::SecurityGroup => {
            width = SIDE_CHIP_WIDTH;
            design.security_groups.push(SecurityGroup {
                tags: Default::default(),
                id: id.clone(),
                vpc: container_id.clone(),
                // AWS refuses group names that start with `sg-` (its own ids do).
                name: format!("group-{}", id.trim_start_matches("sg-")),
                description: String::new(),
                ingress: Vec::new(),
                egress: vec![SecurityGroupRule {
                    protocol: Protocol::All,
                    from_port: -1,
                    to_port: -1,
                    cidr: Some("0.0.0.0/0".into()),
                    security_group: None,
                    prefix_list: None,
                    description: None,
                }],
            });
        }
        PaletteItem::NetworkAcl => {
            width = SIDE_CHIP_WIDTH;
            let allow_all = |egress| NetworkAclEntry {
                rule_number: 100,
                egress,
                protocol: Protocol::All,
                from_port: -1,
                to_port: -1,
                cidr: "0.0.0.0/0".into(),
                action: RuleAction::Allow,
                description: None,
            };
            design.network_acls.push(NetworkAcl {
                tags: Default::default(),
                id: id.clone(),
                vpc: container_id.clone(),
                subnets: Vec::new(),
                entries: vec![allow_all(false), allow_all(true)],
            });
        }
        PaletteItem::RouteTable => {
            width = SIDE_CHIP_WIDTH;
            let main = !design
                .route_tables
                .iter()
                .any(|t| t.vpc == container_id && t.main);
            design.route_tables.push(RouteTable {
                tags: Default::default(),
                id: id.clone(),
                vpc: container_id.clone(),
                main,
                subnets: Vec::new(),
                routes: Vec::new(),
            });
        }
        PaletteItem::PlacementGroup => {
            width = SIDE_CHIP_WIDTH;
            design.placement_groups.push(PlacementGroup {
                tags: Default::default(),
                id: id.clone(),
                strategy: PlacementStrategy::Cluster,
            });
        }
        PaletteItem::DhcpOptions => {
            // Dropped in a VPC, it serves that VPC (which leaves any other set): the VPC's
            // own resolver, so endpoints' private DNS keeps working, and the Amazon Time Sync
            // Service, which keeps a training job's nodes on one clock.
            width = SIDE_CHIP_WIDTH;
            design.dhcp_options.push(DhcpOptions {
                tags: Default::default(),
                id: id.clone(),
                name: String::new(),
                domain_name: None,
                domain_name_servers: vec![AMAZON_PROVIDED_DNS.to_string()],
                ntp_servers: vec!["169.254.169.123".to_string()],
                vpcs: Vec::new(),
            });
            serve_vpc(&mut design.dhcp_options, &id, &container_id);
        }
        PaletteItem::GpuNode
        | PaletteItem::SagemakerNotebook
        | PaletteItem::SagemakerTraining
        | PaletteItem::RdsDatabase => {
            let (kind, instance_type) = match item {
                PaletteItem::GpuNode => (WorkloadKind::Ec2, "g5.xlarge"),
                PaletteItem::SagemakerNotebook => (WorkloadKind::SagemakerNotebook, "ml.t3.medium"),
                PaletteItem::SagemakerTraining => {
                    (WorkloadKind::SagemakerTraining, "ml.g5.2xlarge")
                }
                _ => (WorkloadKind::Rds, "db.r6g.large"),
            };
            design.workloads.push(Workload {
                hours_per_month: Default::default(),
                tags: Default::default(),
                id: id.clone(),
                name: String::new(),
                kind,
                instance_type: instance_type.into(),
                count: 1,
                subnet: container_id.clone(),
                security_groups: Vec::new(),
                efa: false,
                placement_group: None,
                launch: false,
                image_id: None,
            });
        }
        PaletteItem::Vpc
        | PaletteItem::AvailabilityZone
        | PaletteItem::PublicSubnet
        | PaletteItem::PrivateSubnet => {}
    }
    let layout_box = chip_box(design, container.as_deref(), x, y, width);
    design.layout.insert(id.clone(), layout_box);
    Ok(id)
}

/// Text that opens a sentence: its first letter upper-case ("an Interface endpoint" → "An …").
/// The text is Moat's own English words, so the ASCII case rule does (and spares the browser's
/// first load Unicode's case tables).
fn sentence_start(text: &str) -> String {
    let mut characters = text.chars();
    characters
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + characters.as_str())
        .unwrap_or_default()
}

/// Where an item added without a pointer lands (a click or Enter on the palette, a picker's
/// "create new…"): inside the container of the kind it needs that holds `near` (the selected
/// or inspected object, or that object itself), else the first container of that kind, else
/// empty canvas to the right of everything.
pub fn default_drop_point(design: &Design, near: Option<&str>, item: PaletteItem) -> (f64, f64) {
    let center_of = |id: &str| {
        design
            .layout
            .get(id)
            .map(|b| (b.x + b.width / 2.0, b.y + b.height / 2.0))
    };
    let right_of_everything = || {
        let right = design
            .layout
            .values()
            .map(|b| b.x + b.width)
            .fold(0.0, f64::max);
        (right + 60.0, 40.0)
    };
    // `near` itself, or the container of `kind` it sits in, or the first of `kind`.
    let pick = |kind: ObjectKind| -> Option<String> {
        let mut current = near.and_then(|id| design.object(id));
        while let Some(object) = current {
            if object.kind() == kind {
                return Some(object.id().to_string());
            }
            current = match object.container() {
                Container::Canvas => None,
                Container::Vpc(id) | Container::Subnet(id) => design.object(id),
            };
        }
        design
            .object_ids()
            .into_iter()
            .find(|(_, k)| *k == kind)
            .map(|(id, _)| id.to_string())
    };
    let subnet_grid = |vpc: String| -> (f64, f64) {
        let Some(bounds) = design.layout.get(&vpc) else {
            return (-1000.0, -1000.0);
        };
        let index = design
            .subnets
            .iter()
            .filter(|subnet| subnet.vpc == vpc)
            .count();
        let column = (index % 2) as f64;
        let row = (index / 2) as f64;
        (
            bounds.x + 20.0 + column * (editor::SUBNET_SIZE.0 + 20.0) + editor::SUBNET_SIZE.0 / 2.0,
            bounds.y
                + crate::layout::SUBNET_TOP_IN_VPC
                + row * (editor::SUBNET_SIZE.1 + 15.0)
                + editor::SUBNET_SIZE.1 / 2.0,
        )
    };
    // Where the palette says the item lands (no list of items here to fall out of date).
    match item.drop_target() {
        DropTarget::Canvas => {
            let (x, y) = right_of_everything();
            if item == PaletteItem::Vpc {
                (x, y)
            } else {
                (x + 60.0, y + 20.0)
            }
        }
        DropTarget::Vpc
            if matches!(item, PaletteItem::PublicSubnet | PaletteItem::PrivateSubnet) =>
        {
            pick(ObjectKind::Vpc)
                .map(subnet_grid)
                .unwrap_or((-1000.0, -1000.0))
        }
        DropTarget::Vpc => pick(ObjectKind::Vpc)
            .and_then(|id| {
                design
                    .layout
                    .get(&id)
                    .map(|b| (b.x + b.width - 110.0, b.y + b.height - 30.0))
            })
            .unwrap_or((-1000.0, -1000.0)),
        DropTarget::Subnet => pick(ObjectKind::Subnet)
            .and_then(|id| {
                design
                    .layout
                    .get(&id)
                    .map(|b| (b.x + b.width / 2.0, b.y + b.height - 24.0))
            })
            .unwrap_or((-1000.0, -1000.0)),
        DropTarget::VpnGateway => pick(ObjectKind::VpnGateway)
            .and_then(|id| center_of(&id))
            .unwrap_or((-1000.0, -1000.0)),
    }
}

/// The palette item that makes an object of `kind`: the first in the palette (for a subnet the
/// private one, the safe default; its tier select makes it public).
pub fn item_making(kind: ObjectKind) -> Option<PaletteItem> {
    PaletteItem::ALL
        .into_iter()
        .find(|item| item.kind() == kind && *item != PaletteItem::AvailabilityZone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{Command, CommandError, Editor};
    use crate::model::Route;

    /// A VPC at (0,0) 520×320 with one private subnet.
    fn editor_with_subnet() -> (Editor, String, String) {
        let mut editor = Editor::new(Design::new("palette", "us-east-1"));
        let vpc = editor
            .apply(Command::Drop {
                item: PaletteItem::Vpc,
                x: 0.0,
                y: 0.0,
            })
            .unwrap()
            .unwrap();
        let subnet = editor
            .apply(Command::Drop {
                item: PaletteItem::PrivateSubnet,
                x: 120.0,
                y: 100.0,
            })
            .unwrap()
            .unwrap();
        (editor, vpc, subnet)
    }

    fn center_of(editor: &Editor, id: &str) -> (f64, f64) {
        let bounds = editor.design().layout[id];
        (
            bounds.x + bounds.width / 2.0,
            bounds.y + bounds.height / 2.0,
        )
    }

    /// Completeness over the kind list: every kind of the design can be dropped from the
    /// palette (a kind that cannot must be listed here with its reason).
    #[test]
    fn every_kind_has_a_palette_item() {
        const NOT_IN_THE_PALETTE: &[(ObjectKind, &str)] = &[];
        for kind in ObjectKind::ALL {
            let offered = PaletteItem::ALL.iter().any(|item| item.kind() == *kind);
            let excused = NOT_IN_THE_PALETTE
                .iter()
                .any(|(excused, _)| excused == kind);
            assert!(
                offered != excused,
                "{kind:?}: give it a palette item, or state why not in NOT_IN_THE_PALETTE"
            );
        }
    }

    #[test]
    fn every_palette_item_lands_in_its_container_and_gets_a_box() {
        let (mut editor, vpc, subnet) = editor_with_subnet();
        let (subnet_x, subnet_y) = center_of(&editor, &subnet);
        for item in PaletteItem::ALL {
            let (x, y) = match item.drop_target() {
                // Far apart: a dropped VPC is 520×320.
                DropTarget::Canvas => (
                    900.0,
                    1000.0 + 500.0 * editor.design().object_ids().len() as f64,
                ),
                DropTarget::Vpc => (400.0, 250.0),
                DropTarget::Subnet => (subnet_x, subnet_y),
                DropTarget::VpnGateway => center_of(&editor, "vgw-1"),
            };
            let created = editor.apply(Command::Drop { item, x, y });
            let created = created
                .unwrap_or_else(|error| panic!("{}: {error}", item.label()))
                .unwrap();
            let kind = editor.design().kind_of(&created).unwrap();
            if item != PaletteItem::VpnConnection {
                assert!(
                    editor.design().layout.contains_key(&created),
                    "{} has no box",
                    item.label()
                );
            }
            match item.drop_target() {
                DropTarget::Vpc => assert_eq!(editor.design().kind_of(&vpc), Some(ObjectKind::Vpc)),
                DropTarget::Subnet => {
                    let bounds = editor.design().layout[&created];
                    let subnet_box = editor.design().layout[&subnet];
                    assert!(
                        subnet_box.contains_point(bounds.x, bounds.y),
                        "{} not drawn inside its subnet",
                        item.label()
                    );
                }
                _ => {}
            }
            assert_eq!(kind, item.kind(), "{}", item.label());
        }
        let design = editor.design();
        assert_eq!(design.vpcs.len(), 2);
        assert_eq!(design.vpn_connections.len(), 1);
        assert_eq!(design.endpoints.len(), 3);
        assert_eq!(design.workloads.len(), 4);
        // Nothing dropped made the design unloadable.
        crate::spec::load_design(&crate::spec::save_design(design)).unwrap();
    }

    #[test]
    fn drops_outside_their_container_are_refused_with_a_reason() {
        let (mut editor, _, _) = editor_with_subnet();
        let before = editor.design().clone();
        let cases = [
            (
                PaletteItem::NatGateway,
                2000.0,
                2000.0,
                "A NAT gateway must be dropped inside a subnet",
            ),
            (
                PaletteItem::InternetGateway,
                2000.0,
                2000.0,
                "An Internet gateway must be dropped inside a VPC",
            ),
            (
                PaletteItem::InterfaceEndpoint,
                2000.0,
                2000.0,
                "An Interface endpoint must be dropped inside a subnet",
            ),
            (PaletteItem::GpuNode, 400.0, 250.0, "inside a subnet"),
            (PaletteItem::CustomerGateway, 400.0, 250.0, "outside VPC"),
            (
                PaletteItem::Vpc,
                400.0,
                250.0,
                "cannot be dropped inside VPC",
            ),
            (
                PaletteItem::VpnConnection,
                400.0,
                250.0,
                "onto a VPN gateway",
            ),
        ];
        for (item, x, y, reason) in cases {
            match editor.apply(Command::Drop { item, x, y }) {
                Err(CommandError::Refused { reason: said }) => {
                    assert!(said.contains(reason), "{}: {said}", item.label())
                }
                other => panic!("{} should be refused, got {other:?}", item.label()),
            }
        }
        editor
            .apply(Command::Drop {
                item: PaletteItem::InternetGateway,
                x: 400.0,
                y: 250.0,
            })
            .unwrap();
        let twice = editor.apply(Command::Drop {
            item: PaletteItem::InternetGateway,
            x: 400.0,
            y: 250.0,
        });
        assert!(
            matches!(twice, Err(CommandError::Refused { reason }) if reason.contains("already has internet gateway igw-1"))
        );
        editor.undo();
        assert_eq!(editor.design(), &before);
    }

    #[test]
    fn set_field_edits_any_field_and_refuses_invalid_values_precisely() {
        let (mut editor, vpc, subnet) = editor_with_subnet();
        editor
            .apply(Command::SetField {
                object_id: subnet.clone(),
                field: "tier".into(),
                value: "public".into(),
            })
            .unwrap();
        assert_eq!(
            editor.design().subnet(&subnet).unwrap().tier,
            SubnetTier::Public
        );
        editor
            .apply(Command::SetField {
                object_id: vpc.clone(),
                field: "cidr_blocks".into(),
                value: serde_json::json!(["10.0.0.0/16", "10.1.0.0/16"]),
            })
            .unwrap();
        assert_eq!(editor.design().vpc(&vpc).unwrap().cidr_blocks.len(), 2);
        editor
            .apply(Command::SetField {
                object_id: String::new(),
                field: "name".into(),
                value: "renamed".into(),
            })
            .unwrap();
        assert_eq!(editor.design().name, "renamed");
        let before = editor.design().clone();
        let refused = editor.apply(Command::SetField {
            object_id: subnet.clone(),
            field: "tier".into(),
            value: "dmz".into(),
        });
        assert!(
            matches!(&refused, Err(CommandError::Refused { reason }) if reason.starts_with(&format!("Subnet {subnet}, Tier: unknown variant `dmz`"))),
            "{refused:?}"
        );
        let refused = editor.apply(Command::SetField {
            object_id: subnet.clone(),
            field: "colour".into(),
            value: "red".into(),
        });
        assert!(
            matches!(&refused, Err(CommandError::Refused { reason }) if reason.contains("unknown field `colour`")),
            "{refused:?}"
        );
        let refused = editor.apply(Command::SetField {
            object_id: subnet.clone(),
            field: "id".into(),
            value: "x".into(),
        });
        assert!(refused.is_err());
        assert_eq!(editor.design(), &before);
    }

    #[test]
    fn connect_mode_associates_routes_and_attaches_by_kind() {
        let (mut editor, _, subnet) = editor_with_subnet();
        let table = editor
            .apply(Command::Drop {
                item: PaletteItem::RouteTable,
                x: 400.0,
                y: 250.0,
            })
            .unwrap()
            .unwrap();
        let public = editor
            .apply(Command::Drop {
                item: PaletteItem::PublicSubnet,
                x: 360.0,
                y: 100.0,
            })
            .unwrap()
            .unwrap();
        let gateway = editor
            .apply(Command::Drop {
                item: PaletteItem::InternetGateway,
                x: 400.0,
                y: 280.0,
            })
            .unwrap()
            .unwrap();
        let (nat_x, nat_y) = center_of(&editor, &public);
        let nat = editor
            .apply(Command::Drop {
                item: PaletteItem::NatGateway,
                x: nat_x,
                y: nat_y,
            })
            .unwrap()
            .unwrap();
        let endpoint = editor
            .apply(Command::Drop {
                item: PaletteItem::S3GatewayEndpoint,
                x: 400.0,
                y: 250.0,
            })
            .unwrap()
            .unwrap();
        editor
            .apply(Command::Connect {
                from: subnet.clone(),
                to: table.clone(),
            })
            .unwrap();
        editor
            .apply(Command::Connect {
                from: gateway.clone(),
                to: table.clone(),
            })
            .unwrap();
        editor
            .apply(Command::Connect {
                from: endpoint.clone(),
                to: table.clone(),
            })
            .unwrap();
        let design = editor.design();
        let routes = &design
            .route_tables
            .iter()
            .find(|t| t.id == table)
            .unwrap()
            .routes;
        assert_eq!(
            routes,
            &[Route {
                destination: "0.0.0.0/0".into(),
                target: gateway.clone()
            }]
        );
        assert_eq!(
            design
                .route_tables
                .iter()
                .find(|t| t.id == table)
                .unwrap()
                .subnets,
            std::slice::from_ref(&subnet)
        );
        assert_eq!(
            design.endpoints[0].route_tables,
            std::slice::from_ref(&table)
        );
        // A second default route is refused, with where the first one goes.
        let twice = editor.apply(Command::Connect {
            from: table.clone(),
            to: nat.clone(),
        });
        assert!(
            matches!(twice, Err(CommandError::Refused { reason }) if reason.contains(&format!("already routes 0.0.0.0/0 to {gateway}")))
        );
        let nonsense = editor.apply(Command::Connect {
            from: gateway.clone(),
            to: nat.clone(),
        });
        assert!(
            matches!(nonsense, Err(CommandError::Refused { reason }) if reason.starts_with("an Internet gateway and a NAT gateway cannot be connected"))
        );
    }

    /// A picker's "create new…": the new object lands in the inspected object's own VPC (not
    /// the first VPC), and the drop and the reference are one edit that one undo takes back.
    #[test]
    fn create_new_lands_in_the_inspected_objects_vpc_and_is_one_edit() {
        let mut editor = Editor::new(Design::new("create", "us-east-1"));
        for x in [0.0, 700.0] {
            editor
                .apply(Command::Drop {
                    item: PaletteItem::Vpc,
                    x,
                    y: 0.0,
                })
                .unwrap();
        }
        let second_vpc = editor.design().vpcs[1].id.clone();
        let (x, y) = default_drop_point(
            editor.design(),
            Some(&second_vpc),
            PaletteItem::PrivateSubnet,
        );
        let subnet = editor
            .apply(Command::Drop {
                item: PaletteItem::PrivateSubnet,
                x,
                y,
            })
            .unwrap()
            .unwrap();
        assert_eq!(editor.design().subnets[0].vpc, second_vpc);
        let (x, y) = default_drop_point(editor.design(), Some(&subnet), PaletteItem::GpuNode);
        let workload = editor
            .apply(Command::Drop {
                item: PaletteItem::GpuNode,
                x,
                y,
            })
            .unwrap()
            .unwrap();
        let item = item_making(ObjectKind::SecurityGroup).unwrap();
        let new_group = crate::editor::next_id(editor.design(), ObjectKind::SecurityGroup);
        let (x, y) = default_drop_point(editor.design(), Some(&workload), item);
        let before = editor.design().clone();
        editor
            .apply(Command::Batch {
                commands: vec![
                    Command::Drop { item, x, y },
                    Command::SetField {
                        object_id: workload.clone(),
                        field: "security_groups".into(),
                        value: serde_json::json!([new_group]),
                    },
                ],
            })
            .unwrap();
        let group = editor.design().security_groups.last().unwrap();
        assert_eq!(group.id, new_group);
        assert_eq!(group.vpc, second_vpc, "in the workload's own VPC");
        assert_eq!(
            editor.design().workloads[0].security_groups,
            vec![new_group.clone()]
        );
        assert!(editor.undo());
        assert_eq!(*editor.design(), before, "one undo takes both back");
        assert_eq!(
            item_making(ObjectKind::Subnet),
            Some(PaletteItem::PrivateSubnet)
        );
    }
}
