//! The editor's document model, free of any UI framework: every change to a design is a value of
//! [`Command`], applied in one place ([`Editor::apply`]), which yields undo/redo and tells the UI
//! when to autosave. Hit testing (which container a drop lands in) lives here too, so it is unit
//! tested natively.
//!
//! Invariant: a command either applies whole or is refused with a reason; the design is never
//! left half-changed.

use ipnet::Ipv4Net;

use crate::cidr;
use serde_json::Value;

use crate::model::{
    Container, Design, EndpointType, LayoutBox, ObjectKind, Route, RouteTarget, Subnet, SubnetTier,
    Vpc, VpnConnection,
};
pub use crate::palette::PaletteItem;

/// Default canvas sizes of containers.
pub const VPC_SIZE: (f64, f64) = (520.0, 320.0);
pub const SUBNET_SIZE: (f64, f64) = (200.0, 110.0);
/// The canvas grid: moves snap to it; the arrow keys nudge by one step (Shift: five).
pub const GRID: f64 = 10.0;

/// A distance rounded to whole grid steps.
pub fn snap(distance: f64) -> f64 {
    (distance / GRID).round() * GRID
}

/// Every edit a user can make.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Drop a new VPC with its top-left corner at a canvas point.
    AddVpc { x: f64, y: f64 },
    /// Drop a new subnet at a canvas point; it must land inside a VPC.
    AddSubnet { x: f64, y: f64, tier: SubnetTier },
    /// Set a subnet's CIDR text (kept as typed; validation judges it).
    SetSubnetCidr { subnet_id: String, cidr: String },
    /// Set a subnet's availability zone.
    SetSubnetAvailabilityZone {
        subnet_id: String,
        availability_zone: String,
    },
    /// Set a VPC's primary CIDR block.
    SetVpcPrimaryCidr { vpc_id: String, cidr: String },
    /// Move an object's box (a VPC carries its subnets along).
    MoveObject { object_id: String, x: f64, y: f64 },
    /// Delete an object and everything contained in it.
    DeleteObject { object_id: String },
    /// Replace the whole design (open, import, new from template).
    ReplaceDesign { design: Box<Design> },
    /// Drop a palette item at a canvas point; it lands in the right container or is refused.
    Drop { item: PaletteItem, x: f64, y: f64 },
    /// Set one field of an object (or of the design itself when `object_id` is empty) to a JSON
    /// value, as the spec spells it; refused with the spec's path-precise error when invalid.
    SetField {
        object_id: String,
        field: String,
        value: serde_json::Value,
    },
    /// Connect two objects (connect mode): what it means depends on their kinds.
    Connect { from: String, to: String },
    /// Copy an object next to itself with a fresh id (a subnet gets its VPC's next free block).
    Duplicate { object_id: String },
    /// Resize a container (VPC or subnet) on the grid; never smaller than what is drawn inside.
    ResizeObject {
        object_id: String,
        width: f64,
        height: f64,
    },
    /// Several commands as one edit (one undo step): a group move, delete or duplicate of a
    /// multi-selection. All apply or none does.
    Batch { commands: Vec<Command> },
    /// Add one object, given as the spec spells it (a cost suggestion's gateway endpoint or NAT
    /// gateway); it gets a box next to its container. Refused with the spec's precise error.
    InsertObject {
        kind: ObjectKind,
        object: serde_json::Value,
    },
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

/// The design plus its undo/redo history.
#[derive(Debug, Clone)]
pub struct Editor {
    design: Design,
    undo_stack: Vec<Design>,
    redo_stack: Vec<Design>,
    /// Bumped on every change (apply, undo, redo): the UI's autosave and re-validation trigger.
    revision: u64,
}

/// How many steps of history are kept.
pub const HISTORY_LIMIT: usize = 200;

impl Editor {
    pub fn new(design: Design) -> Self {
        Editor {
            design,
            undo_stack: Vec::new(),
            redo_stack: Vec::new(),
            revision: 0,
        }
    }

    pub fn design(&self) -> &Design {
        &self.design
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn can_undo(&self) -> bool {
        !self.undo_stack.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo_stack.is_empty()
    }

    /// Applies a command whole, or refuses it and changes nothing. Returns the id of the object
    /// it created, if any.
    pub fn apply(&mut self, command: Command) -> Result<Option<String>, CommandError> {
        Ok(self.apply_collecting(command)?.pop())
    }

    /// Like [`Editor::apply`], returning every object the command created, in order (a batch
    /// duplicate creates several).
    pub fn apply_collecting(&mut self, command: Command) -> Result<Vec<String>, CommandError> {
        let mut next = self.design.clone();
        let mut created = Vec::new();
        apply_collecting(&mut next, command, &mut created)?;
        self.undo_stack
            .push(std::mem::replace(&mut self.design, next));
        if self.undo_stack.len() > HISTORY_LIMIT {
            self.undo_stack.remove(0);
        }
        self.redo_stack.clear();
        self.revision += 1;
        Ok(created)
    }

    pub fn undo(&mut self) -> bool {
        let Some(previous) = self.undo_stack.pop() else {
            return false;
        };
        self.redo_stack
            .push(std::mem::replace(&mut self.design, previous));
        self.revision += 1;
        true
    }

    pub fn redo(&mut self) -> bool {
        let Some(next) = self.redo_stack.pop() else {
            return false;
        };
        self.undo_stack
            .push(std::mem::replace(&mut self.design, next));
        self.revision += 1;
        true
    }
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

fn apply_collecting(
    design: &mut Design,
    command: Command,
    created: &mut Vec<String>,
) -> Result<(), CommandError> {
    if let Command::Batch { commands } = command {
        for command in commands {
            apply_collecting(design, command, created)?;
        }
        return Ok(());
    }
    if let Some(object_id) = apply_to(design, command)? {
        created.push(object_id);
    }
    Ok(())
}

fn apply_to(design: &mut Design, command: Command) -> Result<Option<String>, CommandError> {
    match command {
        Command::InsertObject { kind, object } => insert_object(design, kind, object).map(Some),
        Command::Batch { commands } => {
            let mut created = Vec::new();
            for command in commands {
                apply_collecting(design, command, &mut created)?;
            }
            Ok(created.pop())
        }
        Command::AddVpc { x, y } => add_vpc(design, x, y).map(Some),
        Command::AddSubnet { x, y, tier } => add_subnet(design, x, y, tier).map(Some),
        Command::Drop { item, x, y } => crate::palette::drop_item(design, item, x, y).map(Some),
        Command::SetField {
            object_id,
            field,
            value,
        } => set_field(design, &object_id, &field, value).map(|()| None),
        Command::Connect { from, to } => connect(design, &from, &to).map(|()| None),
        Command::Duplicate { object_id } => duplicate(design, &object_id).map(Some),
        Command::ResizeObject {
            object_id,
            width,
            height,
        } => resize(design, &object_id, width, height).map(|()| None),
        Command::SetSubnetCidr { subnet_id, cidr } => {
            let subnet = find_subnet(design, &subnet_id)?;
            subnet.cidr = cidr;
            Ok(None)
        }
        Command::SetSubnetAvailabilityZone {
            subnet_id,
            availability_zone,
        } => {
            let subnet = find_subnet(design, &subnet_id)?;
            subnet.availability_zone = availability_zone;
            Ok(None)
        }
        Command::SetVpcPrimaryCidr { vpc_id, cidr } => {
            let vpc = design
                .vpcs
                .iter_mut()
                .find(|vpc| vpc.id == vpc_id)
                .ok_or(CommandError::UnknownObject { object_id: vpc_id })?;
            match vpc.cidr_blocks.first_mut() {
                Some(primary) => *primary = cidr,
                None => vpc.cidr_blocks.push(cidr),
            }
            Ok(None)
        }
        Command::MoveObject { object_id, x, y } => {
            let bounds =
                *design
                    .layout
                    .get(&object_id)
                    .ok_or_else(|| CommandError::UnknownObject {
                        object_id: object_id.clone(),
                    })?;
            // Moves go in whole grid steps, so boxes keep their alignment with each other.
            let (delta_x, delta_y) = (snap(x - bounds.x), snap(y - bounds.y));
            let mut moved = contained_objects(design, &object_id);
            moved.push(object_id.clone());
            for id in moved {
                if let Some(layout_box) = design.layout.get_mut(&id) {
                    layout_box.x += delta_x;
                    layout_box.y += delta_y;
                }
            }
            move_subnet_to_lane_under_it(design, &object_id);
            Ok(None)
        }
        Command::DeleteObject { object_id } => {
            if design.kind_of(&object_id).is_none() {
                return Err(CommandError::UnknownObject { object_id });
            }
            let mut removed = contained_objects(design, &object_id);
            removed.push(object_id);
            for id in &removed {
                remove_object(design, id);
            }
            Ok(None)
        }
        Command::ReplaceDesign {
            design: replacement,
        } => {
            *design = *replacement;
            Ok(None)
        }
    }
}

/// Re-parenting by drag: a subnet whose centre now lies in another availability zone's lane of
/// its VPC takes that zone.
fn move_subnet_to_lane_under_it(design: &mut Design, object_id: &str) {
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

/// Removes one object and its box. References to it elsewhere are left for validation to
/// report, so the user sees what else the deletion touches.
fn remove_object(design: &mut Design, id: &str) {
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

fn find_subnet<'design>(
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
    let mut document =
        serde_json::to_value(&*design).map_err(|error| refused(error.to_string()))?;
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
    let mut document =
        serde_json::to_value(&*design).map_err(|error| refused(error.to_string()))?;
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
    let mut document =
        serde_json::to_value(&*design).map_err(|error| refused(error.to_string()))?;
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
                    "a {} has a fixed size; only VPCs and subnets resize",
                    kind.label()
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
        top = top.clamp(
            bounds.y + 30.0,
            (bounds.y + bounds.height - SUBNET_SIZE.1 - 10.0).max(bounds.y + 30.0),
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
    let mut document =
        serde_json::to_value(&*design).map_err(|error| refused(error.to_string()))?;
    let object = if object_id.is_empty() {
        if !matches!(field, "name" | "region") {
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
    let changed =
        crate::spec::load_design_value(document).map_err(|error| refused(error.to_string()))?;
    *design = changed;
    Ok(())
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
    let (first, second, first_kind, second_kind) = if pair_rank(from_kind) <= pair_rank(to_kind) {
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
        (K::PlacementGroup, K::Workload) => {
            if let Some(workload) = design.workloads.iter_mut().find(|w| w.id == second) {
                workload.placement_group = Some(first.to_string());
            }
        }
        _ => {
            return Err(refused(format!(
                "a {} and a {} cannot be connected: connect subnets to route tables or network ACLs, route tables to gateways, endpoints to route tables or subnets, VPN gateways to customer gateways, security groups and placement groups to workloads",
                from_kind.label(),
                to_kind.label()
            )));
        }
    }
    Ok(())
}

/// Orders kinds so each connectable pair has one canonical direction.
fn pair_rank(kind: ObjectKind) -> u8 {
    match kind {
        ObjectKind::Subnet => 0,
        ObjectKind::Endpoint => 1,
        ObjectKind::RouteTable => 2,
        ObjectKind::VpnGateway => 3,
        ObjectKind::SecurityGroup | ObjectKind::PlacementGroup => 4,
        ObjectKind::Vpc
        | ObjectKind::InternetGateway
        | ObjectKind::NatGateway
        | ObjectKind::CustomerGateway
        | ObjectKind::VpnConnection
        | ObjectKind::NetworkAcl
        | ObjectKind::Workload => 5,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::validate;

    fn editor_with_vpc() -> (Editor, String) {
        let mut editor = Editor::new(Design::new("t", "us-east-1"));
        let vpc_id = editor
            .apply(Command::AddVpc { x: 0.0, y: 0.0 })
            .unwrap()
            .unwrap();
        (editor, vpc_id)
    }

    #[test]
    fn subnets_dropped_in_a_vpc_get_the_next_free_block() {
        let (mut editor, vpc_id) = editor_with_vpc();
        assert_eq!(editor.design().vpcs[0].cidr_blocks, vec!["10.0.0.0/16"]);
        let first = editor
            .apply(Command::AddSubnet {
                x: 100.0,
                y: 100.0,
                tier: SubnetTier::Private,
            })
            .unwrap()
            .unwrap();
        let second = editor
            .apply(Command::AddSubnet {
                x: 300.0,
                y: 100.0,
                tier: SubnetTier::Public,
            })
            .unwrap()
            .unwrap();
        let design = editor.design();
        assert_eq!(design.subnet(&first).unwrap().cidr, "10.0.0.0/24");
        assert_eq!(design.subnet(&second).unwrap().cidr, "10.0.1.0/24");
        assert_eq!(design.subnet(&second).unwrap().vpc, vpc_id);
        assert_eq!(
            design.subnet(&second).unwrap().availability_zone,
            "us-east-1a"
        );
        // The public subnet has no internet route yet (a warning); nothing is an error.
        assert!(
            validate(design).iter().all(|d| !d.is_error()),
            "{:?}",
            validate(design)
        );
    }

    #[test]
    fn a_subnet_dropped_outside_any_vpc_is_refused_and_changes_nothing() {
        let (mut editor, _) = editor_with_vpc();
        let before = editor.design().clone();
        let revision = editor.revision();
        let refused = editor.apply(Command::AddSubnet {
            x: 2000.0,
            y: 2000.0,
            tier: SubnetTier::Private,
        });
        assert_eq!(refused, Err(CommandError::SubnetOutsideVpc));
        assert_eq!(editor.design(), &before);
        assert_eq!(editor.revision(), revision);
    }

    #[test]
    fn a_second_vpc_gets_a_disjoint_block() {
        let (mut editor, _) = editor_with_vpc();
        editor.apply(Command::AddVpc { x: 700.0, y: 0.0 }).unwrap();
        assert_eq!(editor.design().vpcs[1].cidr_blocks, vec!["10.1.0.0/16"]);
    }

    #[test]
    fn undo_and_redo_walk_the_history() {
        let (mut editor, _) = editor_with_vpc();
        let subnet = editor
            .apply(Command::AddSubnet {
                x: 50.0,
                y: 50.0,
                tier: SubnetTier::Private,
            })
            .unwrap()
            .unwrap();
        editor
            .apply(Command::SetSubnetCidr {
                subnet_id: subnet.clone(),
                cidr: "10.0.9.0/24".into(),
            })
            .unwrap();
        assert!(editor.undo());
        assert_eq!(editor.design().subnet(&subnet).unwrap().cidr, "10.0.0.0/24");
        assert!(editor.redo());
        assert_eq!(editor.design().subnet(&subnet).unwrap().cidr, "10.0.9.0/24");
        assert!(editor.undo() && editor.undo() && editor.undo());
        assert!(editor.design().vpcs.is_empty());
        assert!(!editor.undo());
        // A new edit after undo drops the redo branch.
        editor.apply(Command::AddVpc { x: 0.0, y: 0.0 }).unwrap();
        assert!(!editor.can_redo());
    }

    #[test]
    fn deleting_a_gateway_leaves_references_for_validation_to_report_and_undo_restores_it() {
        let mut design = crate::templates::template("multimodal-endpoints")
            .unwrap()
            .design()
            .unwrap();
        crate::layout::fill_missing_layout(&mut design);
        let mut editor = Editor::new(design.clone());
        editor
            .apply(Command::DeleteObject {
                object_id: "igw-multimodal".into(),
            })
            .unwrap();
        assert!(editor.design().kind_of("igw-multimodal").is_none());
        assert!(!editor.design().layout.contains_key("igw-multimodal"));
        let mut codes: Vec<String> = validate(editor.design())
            .into_iter()
            .filter(|d| d.severity != crate::Severity::Info)
            .map(|d| d.code)
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            [
                "route.nat-not-public",
                "route.target-missing",
                "subnet.intent-mismatch"
            ]
        );
        editor.undo();
        assert_eq!(editor.design(), &design);
    }

    #[test]
    fn deleting_a_subnet_takes_the_objects_drawn_inside_it() {
        let mut design = crate::templates::template("llm-training-efa")
            .unwrap()
            .design()
            .unwrap();
        crate::layout::fill_missing_layout(&mut design);
        let mut editor = Editor::new(design);
        editor
            .apply(Command::DeleteObject {
                object_id: "subnet-training-a".into(),
            })
            .unwrap();
        assert!(editor.design().workloads.is_empty());
        assert_eq!(
            editor.apply(Command::DeleteObject {
                object_id: "nope".into()
            }),
            Err(CommandError::UnknownObject {
                object_id: "nope".into()
            })
        );
    }

    #[test]
    fn containers_resize_on_the_grid_but_never_smaller_than_their_contents() {
        let (mut editor, vpc) = editor_with_vpc();
        let subnet = editor
            .apply(Command::AddSubnet {
                x: 100.0,
                y: 100.0,
                tier: SubnetTier::Private,
            })
            .unwrap()
            .unwrap();
        editor
            .apply(Command::ResizeObject {
                object_id: vpc.clone(),
                width: 803.0,
                height: 412.0,
            })
            .unwrap();
        let resized = editor.design().layout[&vpc];
        assert_eq!((resized.width, resized.height), (800.0, 410.0));
        editor
            .apply(Command::ResizeObject {
                object_id: vpc.clone(),
                width: 10.0,
                height: 10.0,
            })
            .unwrap();
        let shrunk = editor.design().layout[&vpc];
        let child = editor.design().layout[&subnet];
        assert!(
            shrunk.x + shrunk.width >= child.x + child.width
                && shrunk.y + shrunk.height >= child.y + child.height,
            "{shrunk:?} cuts {child:?}"
        );
        editor
            .apply(Command::ResizeObject {
                object_id: subnet.clone(),
                width: 10.0,
                height: 10.0,
            })
            .unwrap();
        assert_eq!(
            (
                editor.design().layout[&subnet].width,
                editor.design().layout[&subnet].height
            ),
            MINIMUM_CONTAINER_SIZE
        );
        let small = editor.design().layout[&subnet];
        let chip = editor
            .apply(Command::Drop {
                item: PaletteItem::GpuNode,
                x: small.x + small.width / 2.0,
                y: small.y + small.height / 2.0,
            })
            .unwrap()
            .unwrap();
        assert!(matches!(
            editor.apply(Command::ResizeObject {
                object_id: chip,
                width: 300.0,
                height: 300.0
            }),
            Err(CommandError::Refused { .. })
        ));
    }

    #[test]
    fn moves_snap_to_whole_grid_steps() {
        let (mut editor, vpc) = editor_with_vpc();
        editor
            .apply(Command::MoveObject {
                object_id: vpc.clone(),
                x: 14.0,
                y: -6.0,
            })
            .unwrap();
        let moved = editor.design().layout[&vpc];
        assert_eq!((moved.x, moved.y), (10.0, -10.0));
        assert_eq!(snap(-14.9), -10.0);
        assert_eq!(snap(15.0), 20.0);
    }

    #[test]
    fn duplicating_a_subnet_takes_the_next_free_block_and_a_route_table_is_never_main() {
        let (mut editor, vpc) = editor_with_vpc();
        let subnet = editor
            .apply(Command::AddSubnet {
                x: 100.0,
                y: 100.0,
                tier: SubnetTier::Private,
            })
            .unwrap()
            .unwrap();
        let copy = editor
            .apply(Command::Duplicate {
                object_id: subnet.clone(),
            })
            .unwrap()
            .unwrap();
        assert_eq!(editor.design().subnet(&copy).unwrap().cidr, "10.0.1.0/24");
        assert!(
            validate(editor.design())
                .iter()
                .all(|d| d.code != "subnet.overlap")
        );
        let table = editor
            .apply(Command::Drop {
                item: PaletteItem::RouteTable,
                x: 300.0,
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
        let table_copy = editor
            .apply(Command::Duplicate { object_id: table })
            .unwrap()
            .unwrap();
        let copied = editor
            .design()
            .route_tables
            .iter()
            .find(|t| t.id == table_copy)
            .unwrap();
        assert!(!copied.main && copied.subnets.is_empty());
        assert!(editor.design().layout.contains_key(&table_copy));
        assert!(matches!(
            editor.apply(Command::Duplicate { object_id: vpc }),
            Ok(Some(copy)) if copy.starts_with("vpc-")
        ));
    }

    #[test]
    fn moving_a_template_vpc_carries_everything_drawn_inside_it() {
        let mut design = crate::templates::template("multimodal-endpoints")
            .unwrap()
            .design()
            .unwrap();
        crate::layout::fill_missing_layout(&mut design);
        let before = design.layout.clone();
        let mut editor = Editor::new(design);
        let vpc = before["vpc-multimodal"];
        editor
            .apply(Command::MoveObject {
                object_id: "vpc-multimodal".into(),
                x: vpc.x + 10.0,
                y: vpc.y + 20.0,
            })
            .unwrap();
        for (id, old) in &before {
            let new = editor.design().layout[id];
            assert_eq!(
                (new.x - old.x, new.y - old.y),
                (10.0, 20.0),
                "{id} did not move with its VPC"
            );
        }
    }

    #[test]
    fn moving_a_vpc_carries_its_subnets_and_deleting_it_removes_them() {
        let (mut editor, vpc_id) = editor_with_vpc();
        let subnet = editor
            .apply(Command::AddSubnet {
                x: 150.0,
                y: 150.0,
                tier: SubnetTier::Private,
            })
            .unwrap()
            .unwrap();
        let subnet_before = editor.design().layout[&subnet];
        editor
            .apply(Command::MoveObject {
                object_id: vpc_id.clone(),
                x: 40.0,
                y: 60.0,
            })
            .unwrap();
        let subnet_after = editor.design().layout[&subnet];
        assert_eq!(
            (
                subnet_after.x - subnet_before.x,
                subnet_after.y - subnet_before.y
            ),
            (40.0, 60.0)
        );
        assert_eq!(
            object_at(editor.design(), subnet_after.x + 1.0, subnet_after.y + 1.0),
            Some(subnet.clone())
        );
        editor
            .apply(Command::DeleteObject { object_id: vpc_id })
            .unwrap();
        assert!(editor.design().subnets.is_empty() && editor.design().layout.is_empty());
    }

    fn template_editor(name: &str) -> Editor {
        let mut design = crate::templates::template(name).unwrap().design().unwrap();
        crate::layout::fill_missing_layout(&mut design);
        Editor::new(design)
    }

    #[test]
    fn a_batch_is_one_undo_step_and_applies_whole_or_not_at_all() {
        let mut editor = template_editor("tabular-vpn");
        let before = editor.design().clone();
        let roots = crate::selection::selection_roots(
            editor.design(),
            &[
                editor.design().subnets[0].id.clone(),
                editor.design().vpcs[0].id.clone(),
            ],
        );
        assert_eq!(roots, vec![editor.design().vpcs[0].id.clone()]);
        let moves = before
            .customer_gateways
            .iter()
            .map(|gateway| gateway.id.clone())
            .chain(roots)
            .map(|object_id| {
                let bounds = before.layout[&object_id];
                Command::MoveObject {
                    object_id,
                    x: bounds.x + 40.0,
                    y: bounds.y + 20.0,
                }
            })
            .collect();
        editor.apply(Command::Batch { commands: moves }).unwrap();
        for (id, bounds) in &editor.design().layout {
            assert_eq!(bounds.x, before.layout[id].x + 40.0, "{id} moved once");
            assert_eq!(bounds.y, before.layout[id].y + 20.0, "{id}");
        }
        assert!(editor.undo());
        assert_eq!(editor.design(), &before, "one undo undoes the whole group");
        // A batch whose last command is refused changes nothing.
        let refused = editor.apply(Command::Batch {
            commands: vec![
                Command::DeleteObject {
                    object_id: before.customer_gateways[0].id.clone(),
                },
                Command::DeleteObject {
                    object_id: "no-such-object".into(),
                },
            ],
        });
        assert!(matches!(refused, Err(CommandError::UnknownObject { .. })));
        assert_eq!(editor.design(), &before);
        // A batch duplicate returns every copy.
        let copies = editor
            .apply_collecting(Command::Batch {
                commands: before
                    .security_groups
                    .iter()
                    .map(|group| Command::Duplicate {
                        object_id: group.id.clone(),
                    })
                    .collect(),
            })
            .unwrap();
        assert_eq!(copies.len(), before.security_groups.len());
        assert!(
            copies
                .iter()
                .all(|id| editor.design().kind_of(id) == Some(ObjectKind::SecurityGroup))
        );
    }

    #[test]
    fn duplicating_a_vpc_copies_everything_in_it_wired_to_the_copies() {
        for template in crate::templates::TEMPLATES {
            let mut editor = template_editor(template.name);
            let before = editor.design().clone();
            let vpc_id = before.vpcs[0].id.clone();
            let errors_before = validate(&before).iter().filter(|d| d.is_error()).count();
            let copy = editor
                .apply(Command::Duplicate {
                    object_id: vpc_id.clone(),
                })
                .unwrap()
                .unwrap();
            let design = editor.design();
            assert_eq!(design.kind_of(&copy), Some(ObjectKind::Vpc));
            let original_parts = contained_objects(&before, &vpc_id);
            let copied_parts = contained_objects(design, &copy);
            assert_eq!(
                copied_parts.len(),
                original_parts.len(),
                "{}: every part copied",
                template.name
            );
            assert!(copied_parts.iter().all(|id| !original_parts.contains(id)));
            // The copy's subnets belong to the copy and keep their CIDRs and zones.
            let mut original_cidrs: Vec<_> = before
                .subnets
                .iter()
                .filter(|s| s.vpc == vpc_id)
                .map(|s| (s.cidr.clone(), s.availability_zone.clone(), s.tier))
                .collect();
            let mut copied_cidrs: Vec<_> = design
                .subnets
                .iter()
                .filter(|s| s.vpc == copy)
                .map(|s| (s.cidr.clone(), s.availability_zone.clone(), s.tier))
                .collect();
            original_cidrs.sort_by(|a, b| a.0.cmp(&b.0));
            copied_cidrs.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(original_cidrs, copied_cidrs, "{}", template.name);
            // Route tables of the copy point only at the copy's objects (or outside ones).
            for table in design.route_tables.iter().filter(|t| t.vpc == copy) {
                for subnet in &table.subnets {
                    assert_eq!(
                        design.subnet(subnet).map(|s| s.vpc.as_str()),
                        Some(copy.as_str())
                    );
                }
            }
            // Nothing new is broken: the copy is as valid as the original.
            let errors_after = validate(design).iter().filter(|d| d.is_error()).count();
            assert_eq!(
                errors_after,
                errors_before * 2,
                "{}: {:?}",
                template.name,
                validate(design)
            );
            // Drawn below the original, not on top of it.
            assert!(
                design.layout[&copy].y >= before.layout[&vpc_id].y + before.layout[&vpc_id].height
            );
            assert!(editor.undo());
            assert_eq!(editor.design(), &before);
        }
    }

    #[test]
    fn a_subnet_dropped_or_moved_into_a_lane_takes_its_availability_zone() {
        let mut editor = Editor::new(Design::new("lanes", "us-east-1"));
        let vpc = editor
            .apply(Command::Drop {
                item: PaletteItem::Vpc,
                x: 0.0,
                y: 0.0,
            })
            .unwrap()
            .unwrap();
        let first = editor
            .apply(Command::Drop {
                item: PaletteItem::PrivateSubnet,
                x: 120.0,
                y: 120.0,
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            editor.design().subnet(&first).unwrap().availability_zone,
            "us-east-1a"
        );
        // A lane: a new private subnet in the next zone, to the right of lane a.
        let vpc_width = editor.design().layout[&vpc].width;
        let lane_subnet = editor
            .apply(Command::Drop {
                item: PaletteItem::AvailabilityZone,
                x: 100.0,
                y: 250.0,
            })
            .unwrap()
            .unwrap();
        let design = editor.design();
        let in_b = design.subnet(&lane_subnet).unwrap();
        assert_eq!(in_b.availability_zone, "us-east-1b");
        assert_eq!(in_b.tier, SubnetTier::Private);
        assert!(
            design.layout[&lane_subnet].x > design.layout[&first].x + design.layout[&first].width
        );
        let vpc_box = design.layout[&vpc];
        let subnet_box = design.layout[&lane_subnet];
        assert!(
            subnet_box.x + subnet_box.width <= vpc_box.x + vpc_box.width,
            "the VPC holds the lane"
        );
        assert!(vpc_box.width >= vpc_width);
        let lanes = crate::layout::availability_zone_lanes(design, None);
        assert_eq!(lanes.len(), 2);
        // A subnet dropped into lane b is in zone b.
        let b_box = design.layout[&lane_subnet];
        let second_in_b = editor
            .apply(Command::Drop {
                item: PaletteItem::PublicSubnet,
                x: b_box.x + b_box.width / 2.0,
                y: b_box.y - 10.0,
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            editor
                .design()
                .subnet(&second_in_b)
                .unwrap()
                .availability_zone,
            "us-east-1b"
        );
        // Moving the first subnet into lane b re-parents it; one undo puts it back in zone a.
        let target = editor.design().layout[&lane_subnet];
        editor
            .apply(Command::MoveObject {
                object_id: first.clone(),
                x: target.x,
                y: 60.0,
            })
            .unwrap();
        assert_eq!(
            editor.design().subnet(&first).unwrap().availability_zone,
            "us-east-1b"
        );
        editor.undo();
        assert_eq!(
            editor.design().subnet(&first).unwrap().availability_zone,
            "us-east-1a"
        );
        // A VPC with all six zones refuses a seventh lane.
        for _ in 0..4 {
            editor
                .apply(Command::Drop {
                    item: PaletteItem::AvailabilityZone,
                    x: 100.0,
                    y: 250.0,
                })
                .unwrap();
        }
        let seventh = editor.apply(Command::Drop {
            item: PaletteItem::AvailabilityZone,
            x: 100.0,
            y: 250.0,
        });
        assert!(
            matches!(seventh, Err(CommandError::Refused { reason }) if reason.contains("every zone"))
        );
        assert!(
            validate(editor.design())
                .iter()
                .all(|d| d.code != "subnet.overlap")
        );
    }
}
