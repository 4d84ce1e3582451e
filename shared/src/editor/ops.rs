//! The editor's operations on a design, each a plain function the commands dispatch to: adding,
//! duplicating, inserting, resizing, connecting and setting fields, with the geometry they share
//! (grid, default sizes, hit tests, containment, the next free block) and [`CommandError`].
//! Neither the command list nor the palette is imported here: they build on these.

use ipnet::Ipv4Net;
use serde_json::Value;

use crate::cidr;
use crate::model::{
    Container, Design, EndpointType, LayoutBox, ObjectKind, Route, RouteTarget, Subnet, SubnetTier,
    Vpc, VpnConnection, serve_vpc,
};

/// Default canvas sizes of containers.
pub const VPC_SIZE: (f64, f64) = (520.0, 320.0);
pub const SUBNET_SIZE: (f64, f64) = (200.0, 110.0);
/// The canvas grid: moves snap to it; the arrow keys nudge by one step (Shift: five).
pub const GRID: f64 = 10.0;

/// A distance rounded to whole grid steps.
pub fn snap(distance: f64) -> f64 {
    (distance / GRID).round() * GRID
}

/// Why a command was refused. The message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("A subnet must be dropped inside a VPC: drop it onto a VPC box")]
    SubnetOutsideVpc,
    #[error(
        "No free /{prefix_length} is left in VPC {vpc_id}: enlarge the VPC or add a CIDR block"
    )]
    VpcFull { vpc_id: String, prefix_length: u8 },
    #[error("No object with id \"{object_id}\" exists")]
    UnknownObject { object_id: String },
    #[error("{reason}")]
    Refused { reason: String },
}

/// A fresh id for a kind: `subnet-1`, `subnet-2`, … skipping ids in use.
pub fn next_id(design: &Design, kind: ObjectKind) -> String {
    let used: std::collections::HashSet<&str> =
        design.object_ids().into_iter().map(|(id, _)| id).collect();
    (1..)
        .map(|number| format!("{}-{number}", kind.id_prefix()))
        .find(|candidate| !used.contains(candidate.as_str()))
        .unwrap_or_default()
}

/// The VPC whose canvas box contains a point (the last drawn wins, as it is on top).
pub fn vpc_at(design: &Design, x: f64, y: f64) -> Option<&Vpc> {
    design.vpcs.iter().rev().find(|vpc| {
        design
            .layout
            .get(&vpc.id)
            .is_some_and(|bounds| bounds.contains_point(x, y))
    })
}

/// The object whose box contains a point, innermost first (subnets over VPCs).
pub fn object_at(design: &Design, x: f64, y: f64) -> Option<String> {
    let hit = |id: &String| {
        design
            .layout
            .get(id)
            .is_some_and(|bounds| bounds.contains_point(x, y))
    };
    design
        .subnets
        .iter()
        .rev()
        .map(|subnet| &subnet.id)
        .find(|id| hit(id))
        .or_else(|| {
            design
                .vpcs
                .iter()
                .rev()
                .map(|vpc| &vpc.id)
                .find(|id| hit(id))
        })
        .cloned()
}

/// Re-parenting by drag: a subnet whose centre now lies in another availability zone's lane of
/// its VPC takes that zone.
pub(super) fn move_subnet_to_lane_under_it(design: &mut Design, object_id: &str) {
    let Some(subnet) = design.subnet(object_id) else {
        return;
    };
    let Some(bounds) = design.layout.get(object_id) else {
        return;
    };
    let (center_x, center_y) = (
        bounds.x + bounds.width / 2.0,
        bounds.y + bounds.height / 2.0,
    );
    let lane = crate::layout::lane_at(design, &subnet.vpc, center_x, center_y, Some(object_id));
    if let Some(availability_zone) = lane
        && let Ok(subnet) = find_subnet(design, object_id)
    {
        subnet.availability_zone = availability_zone;
    }
}

/// After a subnet's zone changes (the inspector), the drawing follows: a subnet that now sits
/// in another zone's lane moves below the last subnet of its own zone's lane, or, when its
/// zone has no lane in the VPC yet, to a new lane right of the others; its VPC grows to hold
/// it. A subnet already in its zone's lane (or the only one of its lane) stays where it is.
pub(super) fn place_subnet_in_its_lane(design: &mut Design, subnet_id: &str) {
    let Some(subnet) = design.subnet(subnet_id) else {
        return;
    };
    let (vpc, zone) = (subnet.vpc.clone(), subnet.availability_zone.clone());
    let Some(bounds) = design.layout.get(subnet_id).copied() else {
        return;
    };
    let under = crate::layout::lane_at(
        design,
        &vpc,
        bounds.x + bounds.width / 2.0,
        bounds.y + bounds.height / 2.0,
        Some(subnet_id),
    );
    if under.is_none() || under.as_deref() == Some(zone.as_str()) {
        return;
    }
    let siblings: Vec<(bool, LayoutBox)> = design
        .subnets
        .iter()
        .filter(|other| other.id != subnet_id && other.vpc == vpc)
        .filter_map(|other| {
            design
                .layout
                .get(&other.id)
                .map(|b| (other.availability_zone == zone, *b))
        })
        .collect();
    let own_lane: Vec<&LayoutBox> = siblings
        .iter()
        .filter(|(same, _)| *same)
        .map(|(_, b)| b)
        .collect();
    let (x, y) = if own_lane.is_empty() {
        // A new lane: right of every subnet of the VPC, level with the topmost.
        let right = siblings
            .iter()
            .map(|(_, b)| b.x + b.width)
            .fold(f64::MIN, f64::max);
        let top = siblings.iter().map(|(_, b)| b.y).fold(f64::MAX, f64::min);
        (right + 4.0 * crate::layout::LANE_PADDING + GRID, top)
    } else {
        let left = own_lane.iter().map(|b| b.x).fold(f64::MAX, f64::min);
        let bottom = own_lane
            .iter()
            .map(|b| b.y + b.height)
            .fold(f64::MIN, f64::max);
        (left, bottom + 2.0 * GRID)
    };
    let moved = LayoutBox {
        x: snap(x),
        y: snap(y),
        ..bounds
    };
    design.layout.insert(subnet_id.to_string(), moved);
    if let Some(vpc_box) = design.layout.get_mut(&vpc) {
        let margin = 2.0 * GRID;
        vpc_box.width = vpc_box
            .width
            .max(moved.x + moved.width + margin - vpc_box.x);
        vpc_box.height = vpc_box
            .height
            .max(moved.y + moved.height + margin - vpc_box.y);
    }
}

/// Removes one object and its box. References to it elsewhere are left for validation to
/// report, so the user sees what else the deletion touches.
pub(super) fn remove_object(design: &mut Design, id: &str) {
    design.remove_object(id);
    design.layout.remove(id);
}

/// The objects drawn inside a container, which move with it: a VPC carries its subnets, the
/// chips inside them, its gateways and its route tables, security groups and ACLs; a subnet
/// carries its NAT gateways, workloads and the interface endpoints drawn in it.
pub fn contained_objects(design: &Design, container_id: &str) -> Vec<String> {
    let in_subnet = |subnet_id: &str| -> Vec<String> {
        design
            .objects()
            .filter(|object| object.drawn_in() == Container::Subnet(subnet_id))
            .map(|object| object.id().to_string())
            .collect()
    };
    match design.kind_of(container_id) {
        Some(ObjectKind::Subnet) => in_subnet(container_id),
        Some(ObjectKind::Vpc) => {
            let subnet_index = design
                .subnets
                .iter()
                .enumerate()
                .map(|(index, subnet)| (subnet.id.as_str(), index))
                .collect();
            let mut contained: Vec<String> = crate::validate::object_vpcs(design, &subnet_index)
                .into_iter()
                .filter(|(id, vpc)| *vpc == container_id && *id != container_id)
                .map(|(id, _)| id.to_string())
                .collect();
            contained.sort();
            contained
        }
        _ => Vec::new(),
    }
}

pub(super) fn find_subnet<'design>(
    design: &'design mut Design,
    subnet_id: &str,
) -> Result<&'design mut Subnet, CommandError> {
    design
        .subnets
        .iter_mut()
        .find(|subnet| subnet.id == subnet_id)
        .ok_or_else(|| CommandError::UnknownObject {
            object_id: subnet_id.to_string(),
        })
}

/// The design as a JSON document to edit. In the browser it is read back from its saved text
/// ([`crate::spec::saved_document`]: the serialiser the page already carries for saving, so the
/// first load holds one copy of every type's serialising code, not two); elsewhere it is
/// serialised straight to a value, which is faster. Both give the same document (a test holds
/// them to it), but that serde_json's reader may round the last bit of a long coordinate, as
/// it may for every design the browser reads.
fn document_of(design: &Design) -> Result<Value, serde_json::Error> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::spec::saved_document(design)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_value(design)
    }
}

/// Copies one object next to itself. Its references stay (a copied workload is in the same
/// subnet); what may exist only once is adjusted: a subnet takes the next free block, a route
/// table or network ACL starts without subnets and is never main.
pub fn duplicate(design: &mut Design, object_id: &str) -> Result<String, CommandError> {
    let refused = |reason: String| CommandError::Refused { reason };
    let kind = design
        .kind_of(object_id)
        .ok_or_else(|| CommandError::UnknownObject {
            object_id: object_id.to_string(),
        })?;
    if kind == ObjectKind::Vpc {
        return duplicate_vpc(design, object_id);
    }
    let new_id = next_id(design, kind);
    let mut document = document_of(design).map_err(|error| refused(error.to_string()))?;
    let collection = document
        .get_mut(kind.collection())
        .and_then(Value::as_array_mut)
        .ok_or_else(|| CommandError::UnknownObject {
            object_id: object_id.to_string(),
        })?;
    let mut copy = collection
        .iter()
        .find(|item| item["id"] == object_id)
        .cloned()
        .ok_or_else(|| CommandError::UnknownObject {
            object_id: object_id.to_string(),
        })?;
    copy["id"] = Value::from(new_id.clone());
    match kind {
        ObjectKind::Subnet => {
            let subnet =
                design
                    .subnet(object_id)
                    .cloned()
                    .ok_or_else(|| CommandError::UnknownObject {
                        object_id: object_id.to_string(),
                    })?;
            let prefix = cidr::parse_cidr(&subnet.cidr)
                .map(|parsed| parsed.network.prefix_len())
                .unwrap_or(24);
            let free =
                next_free_subnet_block(design, &subnet.vpc, prefix, None).ok_or_else(|| {
                    CommandError::VpcFull {
                        vpc_id: subnet.vpc.clone(),
                        prefix_length: prefix,
                    }
                })?;
            copy["cidr"] = Value::from(free.to_string());
        }
        ObjectKind::RouteTable => {
            copy["main"] = Value::from(false);
            copy["subnets"] = Value::Array(Vec::new());
        }
        ObjectKind::NetworkAcl => copy["subnets"] = Value::Array(Vec::new()),
        _ => {}
    }
    collection.push(copy);
    let mut changed =
        crate::spec::load_design_value(document).map_err(|error| refused(error.to_string()))?;
    if let Some(bounds) = design.layout.get(object_id) {
        let offset = if kind == ObjectKind::Subnet {
            bounds.height + GRID * 2.0
        } else {
            GRID * 2.0
        };
        changed.layout.insert(
            new_id.clone(),
            LayoutBox {
                x: bounds.x + GRID * 2.0,
                y: bounds.y + offset,
                ..*bounds
            },
        );
    }
    *design = changed;
    Ok(new_id)
}

/// Adds one object through the spec and places its box: a chip inside its subnet, or on its
/// VPC's top edge, or where the automatic layout puts it.
pub fn insert_object(
    design: &mut Design,
    kind: ObjectKind,
    object: Value,
) -> Result<String, CommandError> {
    let refused = |reason: String| CommandError::Refused { reason };
    let id = object["id"]
        .as_str()
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .ok_or_else(|| refused(format!("a new {} needs an id", kind.label())))?;
    if design.kind_of(&id).is_some() {
        return Err(refused(format!(
            "an object with id \"{id}\" already exists"
        )));
    }
    let mut document = document_of(design).map_err(|error| refused(error.to_string()))?;
    document
        .get_mut(kind.collection())
        .and_then(Value::as_array_mut)
        .ok_or_else(|| refused(format!("{} cannot be inserted", kind.label())))?
        .push(object.clone());
    let mut changed =
        crate::spec::load_design_value(document).map_err(|error| refused(error.to_string()))?;
    let chip = |x: f64, y: f64| LayoutBox {
        x,
        y,
        width: crate::layout::CHIP_WIDTH,
        height: crate::layout::CHIP_HEIGHT,
    };
    let in_subnet = object["subnet"]
        .as_str()
        .and_then(|subnet| changed.layout.get(subnet).copied());
    let on_vpc = object["vpc"]
        .as_str()
        .and_then(|vpc| changed.layout.get(vpc).copied());
    let placed = if let Some(subnet) = in_subnet {
        Some(chip(
            snap(subnet.x + subnet.width - crate::layout::CHIP_WIDTH - GRID),
            snap(subnet.y + subnet.height - crate::layout::CHIP_HEIGHT - GRID),
        ))
    } else if let Some(vpc) = on_vpc {
        let on_edge = changed
            .layout
            .values()
            .filter(|b| (b.y + b.height / 2.0 - vpc.y).abs() < 1.0)
            .count() as f64;
        Some(chip(
            snap(vpc.x + vpc.width - (on_edge + 1.0) * (crate::layout::CHIP_WIDTH + 2.0 * GRID)),
            vpc.y - crate::layout::CHIP_HEIGHT / 2.0,
        ))
    } else {
        None
    };
    match placed {
        Some(bounds) => {
            changed.layout.insert(id.clone(), bounds);
        }
        None => crate::layout::fill_missing_layout(&mut changed),
    }
    *design = changed;
    Ok(id)
}

/// Copies a VPC with everything in it (subnets, gateways, endpoints, route tables, security
/// groups, ACLs, workloads and its VPN connections) below itself. Every copied object gets a fresh
/// id and every reference between copied objects follows the copy, so the new VPC is wired
/// exactly like the original; references to objects outside it (a customer gateway, a
/// placement group) stay. CIDRs are kept: two VPCs may use the same range as long as they are
/// never peered.
fn duplicate_vpc(design: &mut Design, vpc_id: &str) -> Result<String, CommandError> {
    let refused = |reason: String| CommandError::Refused { reason };
    let mut copied: Vec<String> = vec![vpc_id.to_string()];
    copied.extend(contained_objects(design, vpc_id));
    for connection in &design.vpn_connections {
        if copied.contains(&connection.vpn_gateway) && !copied.contains(&connection.id) {
            copied.push(connection.id.clone());
        }
    }
    let mut used: std::collections::HashSet<String> = design
        .object_ids()
        .into_iter()
        .map(|(id, _)| id.to_string())
        .collect();
    let mut renamed: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for old_id in &copied {
        let Some(kind) = design.kind_of(old_id) else {
            continue;
        };
        let new_id = (1..)
            .map(|number| format!("{}-{number}", kind.id_prefix()))
            .find(|candidate| !used.contains(candidate))
            .unwrap_or_default();
        used.insert(new_id.clone());
        renamed.insert(old_id.clone(), new_id);
    }
    let mut document = document_of(design).map_err(|error| refused(error.to_string()))?;
    let mut kinds: Vec<ObjectKind> = copied.iter().filter_map(|id| design.kind_of(id)).collect();
    kinds.sort_by_key(|kind| kind.collection());
    kinds.dedup();
    for kind in kinds {
        let Some(collection) = document
            .get_mut(kind.collection())
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        let copies: Vec<Value> = collection
            .iter()
            .filter(|item| {
                item["id"]
                    .as_str()
                    .is_some_and(|id| renamed.contains_key(id))
            })
            .map(|item| {
                let mut copy = item.clone();
                rename_references(&mut copy, &renamed);
                copy
            })
            .collect();
        collection.extend(copies);
    }
    let mut changed =
        crate::spec::load_design_value(document).map_err(|error| refused(error.to_string()))?;
    let offset = design
        .layout
        .get(vpc_id)
        .map_or(VPC_SIZE.1, |bounds| bounds.height)
        + GRID * 6.0;
    for (old_id, new_id) in &renamed {
        if let Some(bounds) = design.layout.get(old_id) {
            changed.layout.insert(
                new_id.clone(),
                LayoutBox {
                    y: bounds.y + offset,
                    ..*bounds
                },
            );
        }
    }
    *design = changed;
    renamed
        .get(vpc_id)
        .cloned()
        .ok_or_else(|| CommandError::UnknownObject {
            object_id: vpc_id.to_string(),
        })
}

/// Replaces every string in a JSON value that is an old id by its new id.
fn rename_references(value: &mut Value, renamed: &std::collections::HashMap<String, String>) {
    match value {
        Value::String(text) => {
            if let Some(new_id) = renamed.get(text.as_str()) {
                *text = new_id.clone();
            }
        }
        Value::Array(items) => {
            for item in items {
                rename_references(item, renamed);
            }
        }
        Value::Object(fields) => {
            for item in fields.values_mut() {
                rename_references(item, renamed);
            }
        }
        _ => {}
    }
}

/// The lowest free `/prefix_length` in a VPC's blocks, avoiding its subnets (all but
/// `ignoring`, the subnet being moved). Used by drops, duplicates and the inspector.
pub fn next_free_subnet_block(
    design: &Design,
    vpc_id: &str,
    prefix_length: u8,
    ignoring: Option<&str>,
) -> Option<Ipv4Net> {
    let used: Vec<Ipv4Net> = design
        .subnets
        .iter()
        .filter(|subnet| subnet.vpc == vpc_id && Some(subnet.id.as_str()) != ignoring)
        .filter_map(|subnet| {
            cidr::parse_cidr(&subnet.cidr)
                .ok()
                .map(|parsed| parsed.network)
        })
        .collect();
    design.vpc(vpc_id).and_then(|vpc| {
        vpc.cidr_blocks
            .iter()
            .filter_map(|text| cidr::parse_cidr(text).ok())
            .find_map(|block| cidr::next_free_block(block.network, &used, prefix_length))
    })
}

/// The smallest a container may be.
pub const MINIMUM_CONTAINER_SIZE: (f64, f64) = (120.0, 80.0);

/// Resizes a VPC or subnet box, snapped to the grid, keeping everything drawn inside it inside.
pub fn resize(
    design: &mut Design,
    object_id: &str,
    width: f64,
    height: f64,
) -> Result<(), CommandError> {
    match design.kind_of(object_id) {
        Some(ObjectKind::Vpc | ObjectKind::Subnet) => {}
        Some(kind) => {
            return Err(CommandError::Refused {
                reason: format!(
                    "{} has a fixed size; only VPCs and subnets resize",
                    crate::diagnostic::with_article(kind.label())
                ),
            });
        }
        None => {
            return Err(CommandError::UnknownObject {
                object_id: object_id.to_string(),
            });
        }
    }
    let bounds = *design
        .layout
        .get(object_id)
        .ok_or_else(|| CommandError::UnknownObject {
            object_id: object_id.to_string(),
        })?;
    // Children on the VPC's top or left edge (gateways) may stick out; the right and bottom
    // extent of everything inside sets the minimum.
    let (mut needed_width, mut needed_height) = MINIMUM_CONTAINER_SIZE;
    for id in contained_objects(design, object_id) {
        if let Some(child) = design.layout.get(&id) {
            needed_width = needed_width.max(child.x + child.width - bounds.x + GRID);
            needed_height = needed_height.max(child.y + child.height - bounds.y + GRID);
        }
    }
    let width = (width / GRID).round().max(1.0) * GRID;
    let height = (height / GRID).round().max(1.0) * GRID;
    if let Some(layout_box) = design.layout.get_mut(object_id) {
        layout_box.width = width.max(needed_width);
        layout_box.height = height.max(needed_height);
    }
    Ok(())
}

/// Drops a new VPC with the next free /16 of 10.0.0.0/8.
pub(crate) fn add_vpc(design: &mut Design, x: f64, y: f64) -> Result<String, CommandError> {
    let id = next_id(design, ObjectKind::Vpc);
    let used: Vec<Ipv4Net> = design
        .vpcs
        .iter()
        .flat_map(|vpc| vpc.cidr_blocks.iter())
        .filter_map(|text| cidr::parse_cidr(text).ok().map(|parsed| parsed.network))
        .collect();
    let ten: Ipv4Net = Ipv4Net::new(std::net::Ipv4Addr::new(10, 0, 0, 0), 8).unwrap_or_default();
    let block = cidr::next_free_block(ten, &used, 16)
        .map(|block| block.to_string())
        .unwrap_or_else(|| "10.0.0.0/16".to_string());
    design.vpcs.push(Vpc {
        tenancy: Default::default(),
        tags: Default::default(),
        id: id.clone(),
        name: id.clone(),
        cidr_blocks: vec![block],
        enable_dns_support: true,
        enable_dns_hostnames: true,
        flow_logs: None,
    });
    design.layout.insert(
        id.clone(),
        LayoutBox {
            x,
            y,
            width: VPC_SIZE.0,
            height: VPC_SIZE.1,
        },
    );
    Ok(id)
}

/// Drops a new subnet in the VPC under the point, with the VPC's next free /24.
pub(crate) fn add_subnet(
    design: &mut Design,
    x: f64,
    y: f64,
    tier: SubnetTier,
) -> Result<String, CommandError> {
    let vpc = vpc_at(design, x, y)
        .ok_or(CommandError::SubnetOutsideVpc)?
        .clone();
    let block =
        next_free_subnet_block(design, &vpc.id, 24, None).ok_or_else(|| CommandError::VpcFull {
            vpc_id: vpc.id.clone(),
            prefix_length: 24,
        })?;
    let id = next_id(design, ObjectKind::Subnet);
    let availability_zone = crate::layout::lane_at(design, &vpc.id, x, y, None)
        .unwrap_or_else(|| format!("{}a", design.region));
    design.subnets.push(Subnet {
        tags: Default::default(),
        id: id.clone(),
        vpc: vpc.id.clone(),
        availability_zone,
        cidr: block.to_string(),
        tier,
        map_public_ip_on_launch: tier == SubnetTier::Public,
    });
    let vpc_box = design.layout.get(&vpc.id).copied();
    let (mut left, mut top) = (x - SUBNET_SIZE.0 / 2.0, y - SUBNET_SIZE.1 / 2.0);
    if let Some(bounds) = vpc_box {
        left = left.clamp(
            bounds.x + 10.0,
            (bounds.x + bounds.width - SUBNET_SIZE.0 - 10.0).max(bounds.x + 10.0),
        );
        let highest = bounds.y + crate::layout::SUBNET_TOP_IN_VPC;
        top = top.clamp(
            highest,
            (bounds.y + bounds.height - SUBNET_SIZE.1 - 10.0).max(highest),
        );
    }
    design.layout.insert(
        id.clone(),
        LayoutBox {
            x: left,
            y: top,
            width: SUBNET_SIZE.0,
            height: SUBNET_SIZE.1,
        },
    );
    Ok(id)
}

/// Sets one field of an object (or of the design when `object_id` is empty) through the JSON
/// spec, so every field is editable and every refusal is the spec's own precise message.
pub fn set_field(
    design: &mut Design,
    object_id: &str,
    field: &str,
    value: Value,
) -> Result<(), CommandError> {
    let refused = |reason: String| CommandError::Refused { reason };
    if field == "id" {
        return Err(refused(
            "ids are fixed once created: other objects refer to them".to_string(),
        ));
    }
    let mut document = document_of(design).map_err(|error| refused(error.to_string()))?;
    let object = if object_id.is_empty() {
        if !matches!(field, "name" | "region" | "description" | "flows") {
            return Err(refused(format!("the design's {field} cannot be set here")));
        }
        document.as_object_mut()
    } else {
        let kind = design
            .kind_of(object_id)
            .ok_or_else(|| CommandError::UnknownObject {
                object_id: object_id.to_string(),
            })?;
        document
            .get_mut(kind.collection())
            .and_then(Value::as_array_mut)
            .and_then(|items| items.iter_mut().find(|item| item["id"] == object_id))
            .and_then(Value::as_object_mut)
    };
    let object = object.ok_or_else(|| CommandError::UnknownObject {
        object_id: object_id.to_string(),
    })?;
    object.insert(field.to_string(), value);
    let changed = crate::spec::load_design_value(document)
        .map_err(|error| refused(in_words(design, object_id, field, error)))?;
    *design = changed;
    Ok(())
}

/// Why a field's new value does not fit, for a person: the object and the field in words
/// ("Security group sg-app, Ingress 1, From port: expected a whole number …"), not the
/// document's path.
fn in_words(
    design: &Design,
    object_id: &str,
    field: &str,
    error: crate::spec::SpecError,
) -> String {
    let crate::spec::SpecError::Structure { path, message } = &error else {
        return error.to_string();
    };
    let object = match design.kind_of(object_id) {
        Some(kind) => format!("{} {object_id}", kind.label()),
        None => "The design".to_string(),
    };
    // The path from the object's own fields on (`security_groups[0].ingress[1]` → `ingress[1]`).
    let inside = path
        .split_once("].")
        .filter(|_| !object_id.is_empty())
        .map_or(path.as_str(), |(_, rest)| rest);
    let inside = if inside.starts_with(field) {
        inside
    } else {
        field
    };
    format!(
        "{object}, {}: {message}",
        crate::editor::fields::path_in_words(inside)
    )
}

/// Connect mode: what a line from one object to another means, by their kinds.
pub fn connect(design: &mut Design, from: &str, to: &str) -> Result<(), CommandError> {
    let kind_of = |id: &str| {
        design
            .kind_of(id)
            .ok_or_else(|| CommandError::UnknownObject {
                object_id: id.to_string(),
            })
    };
    let (from_kind, to_kind) = (kind_of(from)?, kind_of(to)?);
    // Each pair is accepted in either direction.
    let (first, second, first_kind, second_kind) =
        if from_kind.connect_rank() <= to_kind.connect_rank() {
            (from, to, from_kind, to_kind)
        } else {
            (to, from, to_kind, from_kind)
        };
    let refused = |reason: String| CommandError::Refused { reason };
    use ObjectKind as K;
    match (first_kind, second_kind) {
        (K::Subnet, K::RouteTable) => {
            let subnet_vpc = design
                .subnet(first)
                .map(|s| s.vpc.clone())
                .unwrap_or_default();
            let table = design
                .route_tables
                .iter()
                .find(|t| t.id == second)
                .map(|t| t.vpc.clone())
                .unwrap_or_default();
            if subnet_vpc != table {
                return Err(refused(format!(
                    "subnet {first} and route table {second} are in different VPCs"
                )));
            }
            for table in design.route_tables.iter_mut() {
                table.subnets.retain(|s| s != first);
                if table.id == second {
                    table.subnets.push(first.to_string());
                }
            }
        }
        (K::Subnet, K::NetworkAcl) => {
            for acl in design.network_acls.iter_mut() {
                acl.subnets.retain(|s| s != first);
                if acl.id == second {
                    acl.subnets.push(first.to_string());
                }
            }
        }
        (K::RouteTable, _) if second_kind.route_target().is_some() => {
            let destination = if second_kind.route_target() == Some(RouteTarget::VpnGateway) {
                on_premises_destination(design, second).unwrap_or_else(|| "0.0.0.0/0".to_string())
            } else {
                "0.0.0.0/0".to_string()
            };
            let table = design
                .route_tables
                .iter_mut()
                .find(|t| t.id == first)
                .ok_or_else(|| CommandError::UnknownObject {
                    object_id: first.to_string(),
                })?;
            if let Some(existing) = table.routes.iter().find(|r| r.destination == destination) {
                return Err(refused(format!(
                    "route table {first} already routes {destination} to {}: edit that route in the inspector",
                    existing.target
                )));
            }
            table.routes.push(Route {
                destination,
                target: second.to_string(),
            });
        }
        (K::Endpoint, K::RouteTable | K::Subnet | K::SecurityGroup) => {
            let endpoint = design
                .endpoints
                .iter_mut()
                .find(|e| e.id == first)
                .ok_or_else(|| CommandError::UnknownObject {
                    object_id: first.to_string(),
                })?;
            let list = match (endpoint.endpoint_type, second_kind) {
                (EndpointType::Gateway, K::RouteTable) => &mut endpoint.route_tables,
                (EndpointType::Interface, K::Subnet) => &mut endpoint.subnets,
                (EndpointType::Interface, K::SecurityGroup) => &mut endpoint.security_groups,
                (EndpointType::Gateway, _) => {
                    return Err(refused(format!(
                        "gateway endpoint {first} connects to route tables, not to a {}",
                        second_kind.label()
                    )));
                }
                (EndpointType::Interface, _) => {
                    return Err(refused(format!(
                        "interface endpoint {first} connects to subnets and security groups, not to route tables"
                    )));
                }
            };
            if !list.iter().any(|id| id == second) {
                list.push(second.to_string());
            }
        }
        (K::VpnGateway, K::CustomerGateway) => {
            let id = next_id(design, K::VpnConnection);
            design.vpn_connections.push(VpnConnection {
                tags: Default::default(),
                id,
                vpn_gateway: first.to_string(),
                customer_gateway: second.to_string(),
                static_routes_only: true,
            });
        }
        (K::SecurityGroup, K::Workload) => {
            let workload = design
                .workloads
                .iter_mut()
                .find(|w| w.id == second)
                .ok_or_else(|| CommandError::UnknownObject {
                    object_id: second.to_string(),
                })?;
            if !workload.security_groups.iter().any(|g| g == first) {
                workload.security_groups.push(first.to_string());
            }
        }
        // A VPC has one set: connecting it to another moves it.
        (K::DhcpOptions, K::Vpc) => serve_vpc(&mut design.dhcp_options, first, second),
        (K::PlacementGroup, K::Workload) => {
            if let Some(workload) = design.workloads.iter_mut().find(|w| w.id == second) {
                workload.placement_group = Some(first.to_string());
            }
        }
        _ => {
            return Err(refused(format!(
                "{} and {} cannot be connected: connect subnets to route tables or network ACLs, route tables to gateways, endpoints to route tables or subnets, VPN gateways to customer gateways, security groups and placement groups to workloads, DHCP options to VPCs",
                crate::diagnostic::with_article(from_kind.label()),
                crate::diagnostic::with_article(to_kind.label())
            )));
        }
    }
    Ok(())
}

/// The on-premises range behind a VPN gateway's customer gateway, for a new route to it.
fn on_premises_destination(design: &Design, vpn_gateway: &str) -> Option<String> {
    let connection = design
        .vpn_connections
        .iter()
        .find(|c| c.vpn_gateway == vpn_gateway)?;
    let customer_gateway = design
        .customer_gateways
        .iter()
        .find(|c| c.id == connection.customer_gateway)?;
    customer_gateway.on_premises_cidrs.first().cloned()
}
