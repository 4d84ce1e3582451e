//! The editor's commands, applied through `Editor` as the UI applies them.

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
        assert!(design.layout[&copy].y >= before.layout[&vpc_id].y + before.layout[&vpc_id].height);
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
    assert!(design.layout[&lane_subnet].x > design.layout[&first].x + design.layout[&first].width);
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

#[test]
fn a_dhcp_options_set_dropped_in_a_vpc_serves_it_and_connecting_another_moves_the_vpc() {
    // From an empty canvas: a VPC, then the palette's DHCP options dropped inside it.
    let (mut editor, vpc) = editor_with_vpc();
    let first = editor
        .apply(Command::Drop {
            item: PaletteItem::DhcpOptions,
            x: 300.0,
            y: 250.0,
        })
        .unwrap()
        .unwrap();
    let set = |editor: &Editor, id: &str| {
        editor
            .design()
            .dhcp_options
            .iter()
            .find(|o| o.id == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(set(&editor, &first).vpcs, vec![vpc.clone()]);
    assert_eq!(
        set(&editor, &first).domain_name_servers,
        vec!["AmazonProvidedDNS"]
    );
    assert!(editor.design().layout.contains_key(&first));
    // The default set is valid as dropped.
    assert!(
        validate(editor.design())
            .iter()
            .all(|d| !d.code.starts_with("dhcp."))
    );
    // A second set connected to the VPC takes it: a VPC has one set.
    let second = editor
        .apply(Command::Drop {
            item: PaletteItem::DhcpOptions,
            x: 320.0,
            y: 300.0,
        })
        .unwrap()
        .unwrap();
    assert!(set(&editor, &first).vpcs.is_empty());
    editor
        .apply(Command::Connect {
            from: vpc.clone(),
            to: first.clone(),
        })
        .unwrap();
    assert_eq!(set(&editor, &first).vpcs, vec![vpc.clone()]);
    assert!(set(&editor, &second).vpcs.is_empty());
    assert!(
        validate(editor.design())
            .iter()
            .all(|d| d.code != "dhcp.vpc-multiple")
    );
}

#[test]
fn a_field_that_does_not_fit_is_refused_in_words_and_changes_nothing() {
    let mut editor = template_editor("multimodal-endpoints");
    let group = editor.design().security_groups[0].id.clone();
    let before = editor.design().clone();
    let error = editor
        .apply(Command::SetField {
            object_id: group.clone(),
            field: "ingress".into(),
            value: serde_json::json!(["sg-1"]),
        })
        .expect_err("a list of ids is not a list of rules");
    let text = error.to_string();
    assert!(
        text.contains(&format!(
            "Security group {group}, Ingress 1: expected a security group rule (an object)"
        )),
        "{text}"
    );
    assert!(
        !text.contains("security_groups["),
        "no document path: {text}"
    );
    assert!(!text.contains("SecurityGroupRule"), "no type name: {text}");
    assert_eq!(editor.design(), &before);

    let error = editor
        .apply(Command::SetField {
            object_id: group,
            field: "ingress".into(),
            value: serde_json::json!([{"protocol": "tcp", "from_port": "ssh", "to_port": 22, "cidr": "10.0.0.0/8"}]),
        })
        .expect_err("a port is a number");
    assert!(
        error
            .to_string()
            .contains("Ingress 1, From port: expected an integer, found \"ssh\""),
        "{error}"
    );
}

#[test]
fn a_network_interface_dropped_in_a_subnet_takes_an_address_and_groups_from_the_inspector() {
    // From an empty canvas: a VPC, a private subnet in it, a security group, then the
    // palette's network interface dropped into the subnet.
    let (mut editor, _vpc) = editor_with_vpc();
    let subnet = editor
        .apply(Command::AddSubnet {
            x: 100.0,
            y: 100.0,
            tier: SubnetTier::Private,
        })
        .unwrap()
        .unwrap();
    let group = editor
        .apply(Command::Drop {
            item: PaletteItem::SecurityGroup,
            x: 500.0,
            y: 300.0,
        })
        .unwrap()
        .unwrap();
    let (x, y) = {
        let bounds = editor.design().layout[&subnet];
        (
            bounds.x + bounds.width / 2.0,
            bounds.y + bounds.height / 2.0,
        )
    };
    let interface = editor
        .apply(Command::Drop {
            item: PaletteItem::NetworkInterface,
            x,
            y,
        })
        .unwrap()
        .unwrap();
    let read = |editor: &Editor| editor.design().network_interfaces[0].clone();
    assert_eq!(read(&editor).id, interface);
    assert_eq!(read(&editor).subnet, subnet);
    assert!(read(&editor).private_ip.is_none());
    assert!(editor.design().layout.contains_key(&interface));
    // The inspector sets its fields as the spec spells them.
    let cidr = editor.design().subnet(&subnet).unwrap().cidr.clone();
    let base = cidr
        .split('/')
        .next()
        .unwrap()
        .rsplit_once('.')
        .unwrap()
        .0
        .to_string();
    for (field, value) in [
        ("private_ip", serde_json::json!(format!("{base}.10"))),
        ("security_groups", serde_json::json!([group.clone()])),
        ("description", serde_json::json!("license server")),
    ] {
        editor
            .apply(Command::SetField {
                object_id: interface.clone(),
                field: field.into(),
                value,
            })
            .unwrap();
    }
    assert_eq!(read(&editor).private_ip, Some(format!("{base}.10")));
    assert_eq!(read(&editor).security_groups, vec![group.clone()]);
    assert!(
        validate(editor.design())
            .iter()
            .all(|d| !d.code.starts_with("eni.") && d.code != "reference.unknown"),
        "{:?}",
        validate(editor.design())
    );
    // A reserved address is an error that names the interface; undo brings the good one back.
    editor
        .apply(Command::SetField {
            object_id: interface.clone(),
            field: "private_ip".into(),
            value: serde_json::json!(format!("{base}.1")),
        })
        .unwrap();
    let diagnostics = validate(editor.design());
    let reserved = diagnostics
        .iter()
        .find(|d| d.code == "eni.private-ip-invalid")
        .expect("the reserved address is reported");
    assert_eq!(reserved.objects, vec![interface.clone()]);
    editor.undo();
    assert_eq!(read(&editor).private_ip, Some(format!("{base}.10")));
}

/// A subnet whose zone changes in the inspector moves with it: into its zone's lane when there
/// is one, else into a new lane; the VPC grows to hold it, and it is one undoable edit.
#[test]
fn a_subnet_whose_zone_changes_moves_to_that_zones_lane() {
    let (mut editor, vpc_id) = editor_with_vpc();
    let mut subnets = Vec::new();
    for y in [100.0, 230.0] {
        subnets.push(
            editor
                .apply(Command::AddSubnet {
                    x: 120.0,
                    y,
                    tier: SubnetTier::Private,
                })
                .unwrap()
                .unwrap(),
        );
    }
    let (upper, lower) = (subnets[0].clone(), subnets[1].clone());
    let zone = |editor: &Editor, id: &str| {
        editor
            .design()
            .subnet(id)
            .unwrap()
            .availability_zone
            .clone()
    };
    assert_eq!(
        zone(&editor, &upper),
        zone(&editor, &lower),
        "one lane, stacked"
    );
    let before = editor.design().clone();
    // The lower one goes to zone b, which has no lane yet: a new lane to the right.
    editor
        .apply(Command::SetField {
            object_id: lower.clone(),
            field: "availability_zone".into(),
            value: serde_json::json!("us-east-1b"),
        })
        .unwrap();
    let design = editor.design();
    let (upper_box, lower_box) = (design.layout[&upper], design.layout[&lower]);
    assert!(
        lower_box.x >= upper_box.x + upper_box.width,
        "moved right of lane a: {lower_box:?} vs {upper_box:?}"
    );
    let lanes = crate::layout::availability_zone_lanes(design, None);
    let lane_of = |id: &str| {
        let b = design.layout[id];
        let (cx, cy) = (b.x + b.width / 2.0, b.y + b.height / 2.0);
        lanes
            .iter()
            .filter(|lane| {
                cx >= lane.bounds.x
                    && cx <= lane.bounds.x + lane.bounds.width
                    && cy >= lane.bounds.y
                    && cy <= lane.bounds.y + lane.bounds.height
            })
            .map(|lane| lane.availability_zone.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(lane_of(&lower), vec!["us-east-1b".to_string()]);
    assert_eq!(lane_of(&upper), vec!["us-east-1a".to_string()]);
    let vpc_box = design.layout[&vpc_id];
    assert!(
        vpc_box.x + vpc_box.width >= lower_box.x + lower_box.width,
        "the VPC holds it"
    );
    // A third subnet changed to zone b goes below the lane's last subnet.
    let third = editor
        .apply(Command::AddSubnet {
            x: 120.0,
            y: 230.0,
            tier: SubnetTier::Private,
        })
        .unwrap()
        .unwrap();
    editor
        .apply(Command::SetSubnetAvailabilityZone {
            subnet_id: third.clone(),
            availability_zone: "us-east-1b".into(),
        })
        .unwrap();
    let design = editor.design();
    let (lower_box, third_box) = (design.layout[&lower], design.layout[&third]);
    assert_eq!(third_box.x, lower_box.x, "in lane b's column");
    assert!(
        third_box.y >= lower_box.y + lower_box.height,
        "below its last subnet"
    );
    editor.undo();
    editor.undo();
    editor.undo();
    assert_eq!(
        *editor.design(),
        before,
        "each move was part of its one edit"
    );
}

#[test]
fn the_design_description_and_traffic_are_edits_that_undo_and_a_bad_flow_is_refused_in_words() {
    let mut editor = Editor::new(Design::new("settings", "us-east-1"));
    editor
        .apply(Command::SetField {
            object_id: String::new(),
            field: "description".into(),
            value: "Notebooks reading team data through S3".into(),
        })
        .unwrap();
    assert_eq!(
        editor.design().description,
        "Notebooks reading team data through S3"
    );
    editor
        .apply(Command::SetField {
            object_id: String::new(),
            field: "flows".into(),
            value: serde_json::json!([{"from": "wl-1", "to": "s3", "gb_per_month": 250.5}]),
        })
        .unwrap();
    assert_eq!(editor.design().flows.len(), 1);
    assert_eq!(editor.design().flows[0].gb_per_month, 250.5);
    let before = editor.design().clone();
    let refused = editor
        .apply(Command::SetField {
            object_id: String::new(),
            field: "flows".into(),
            value: serde_json::json!([{"from": "wl-1", "to": "s3", "gb_per_month": "lots"}]),
        })
        .expect_err("an amount is a number");
    let text = refused.to_string();
    assert!(
        text.contains("The design, Traffic 1, GB per month:"),
        "the field in words: {text}"
    );
    assert_eq!(editor.design(), &before);
    // Anything else of the design is not a field of its settings.
    assert!(
        editor
            .apply(Command::SetField {
                object_id: String::new(),
                field: "schema_version".into(),
                value: 9.into(),
            })
            .is_err()
    );
    editor.undo();
    assert!(editor.design().flows.is_empty());
    editor.undo();
    assert!(editor.design().description.is_empty());
    // An empty description is left out of the document: older documents read the same.
    let text = serde_json::to_string(editor.design()).unwrap();
    assert!(!text.contains("description"), "{text}");
}

#[test]
fn a_subnet_dragged_to_its_vpc_top_stops_below_the_vpc_label_and_its_lane_label() {
    let mut editor = template_editor("mvp");
    let subnet = editor.design().subnets[0].id.clone();
    let vpc = editor.design().layout[&editor.design().subnets[0].vpc];
    let before = editor.design().layout[&subnet];
    editor
        .apply(Command::MoveObject {
            object_id: subnet.clone(),
            x: before.x,
            y: vpc.y - 40.0,
        })
        .unwrap();
    let moved = editor.design().layout[&subnet];
    assert_eq!(moved.y, vpc.y + crate::layout::SUBNET_TOP_IN_VPC);
    // Its lane (and the lane's label, drawn in its top band) starts below the VPC's label.
    let lanes = crate::layout::availability_zone_lanes(editor.design(), None);
    let lane = lanes
        .iter()
        .find(|lane| lane.availability_zone == editor.design().subnets[0].availability_zone)
        .unwrap();
    assert!(
        lane.bounds.y >= vpc.y + crate::layout::LANE_VPC_HEADER,
        "{lane:?}"
    );
    assert!(lane.bounds.y + crate::layout::LANE_LABEL_HEIGHT <= moved.y);
    // Down and back up again to the same floor; sideways moves are free.
    editor
        .apply(Command::MoveObject {
            object_id: subnet.clone(),
            x: moved.x + 40.0,
            y: vpc.y,
        })
        .unwrap();
    let again = editor.design().layout[&subnet];
    assert_eq!((again.x, again.y), (moved.x + 40.0, moved.y));
}

#[test]
fn a_vpn_gateway_on_the_vpc_edge_leaves_the_lanes_and_their_subnets_clear() {
    let editor = template_editor("tabular-vpn");
    let design = editor.design();
    for gateway in &design.vpn_gateways {
        let chip = design.layout[&gateway.id];
        for lane in crate::layout::availability_zone_lanes(design, None) {
            assert!(
                chip.x + chip.width <= lane.bounds.x,
                "{} reaches into lane {}",
                gateway.id,
                lane.availability_zone
            );
        }
    }
}

#[test]
fn the_browsers_document_of_a_design_is_the_value_of_the_design() {
    let mut designs = crate::templates::sample_designs(200);
    for design in &mut designs {
        crate::layout::fill_missing_layout(design);
    }
    let (mut editor, _) = editor_with_vpc();
    editor
        .apply(Command::SetField {
            object_id: String::new(),
            field: "description".to_string(),
            value: serde_json::Value::from("tabs\t, \"quotes\", ünïcödé"),
        })
        .unwrap();
    designs.push(editor.design().clone());
    for design in &designs {
        assert_eq!(
            crate::spec::saved_document(design).unwrap(),
            serde_json::to_value(design).unwrap(),
            "{}",
            design.name
        );
    }
}
