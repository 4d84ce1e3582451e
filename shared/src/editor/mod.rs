//! The editor's document model, free of any UI framework: every change to a design is a value of
//! [`Command`], applied in one place ([`Editor::apply`]), which yields undo/redo and tells the UI
//! when to autosave. Hit testing (which container a drop lands in) lives here too, so it is unit
//! tested natively.
//!
//! Invariant: a command either applies whole or is refused with a reason; the design is never
//! left half-changed.

pub mod fields;
mod ops;
pub mod palette;

pub use ops::*;
pub use palette::PaletteItem;

use crate::model::{Design, ObjectKind, SubnetTier};

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
        } => {
            set_field(design, &object_id, &field, value)?;
            if field == "availability_zone" {
                place_subnet_in_its_lane(design, &object_id);
            }
            Ok(None)
        }
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
            place_subnet_in_its_lane(design, &subnet_id);
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
            let (delta_x, mut delta_y) = (snap(x - bounds.x), snap(y - bounds.y));
            // A subnet stays below its VPC's label and its lane's label.
            if let Some(vpc_box) = design
                .subnet(&object_id)
                .and_then(|subnet| design.layout.get(&subnet.vpc))
            {
                let highest = vpc_box.y + crate::layout::SUBNET_TOP_IN_VPC;
                if bounds.y + delta_y < highest {
                    delta_y = delta_y.max((highest - bounds.y).min(0.0));
                }
            }
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

#[cfg(test)]
mod tests;
