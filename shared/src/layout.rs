//! Automatic layout for designs that arrive without positions (templates, imports): VPCs side
//! by side; inside each, one lane per availability zone with its subnets stacked; NAT gateways,
//! interface endpoints and workloads as chips inside their subnet; internet gateways and gateway
//! endpoints on the VPC's top edge, VPN gateways on its left edge; route tables, security groups
//! and network ACLs in a column on the VPC's right; customer gateways outside, on the left.
//!
//! Pure and deterministic: the same design always gets the same boxes.

use std::collections::BTreeMap;

use crate::model::{Design, EndpointType, LayoutBox};

pub const LANE_WIDTH: f64 = 260.0;
pub const SUBNET_WIDTH: f64 = 240.0;
pub const CHIP_WIDTH: f64 = 72.0;
pub const CHIP_HEIGHT: f64 = 36.0;
pub const SIDE_CHIP_WIDTH: f64 = 180.0;
const SUBNET_HEADER: f64 = 62.0;
const CHIPS_PER_ROW: usize = 3;
const GAP: f64 = 20.0;
const VPC_HEADER: f64 = 60.0;
const TOP: f64 = 80.0;
const LEFT: f64 = 40.0;

fn place(
    boxes: &mut BTreeMap<String, LayoutBox>,
    id: &str,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
) {
    boxes.entry(id.to_string()).or_insert(LayoutBox {
        x,
        y,
        width,
        height,
    });
}

fn chip_rows(chips: usize) -> usize {
    chips.div_ceil(CHIPS_PER_ROW).max(1)
}

fn subnet_height(chips: usize) -> f64 {
    SUBNET_HEADER + chip_rows(chips) as f64 * (CHIP_HEIGHT + 6.0) + 8.0
}

/// Boxes for every object of the design, computed from scratch.
pub fn compute_layout(design: &Design) -> BTreeMap<String, LayoutBox> {
    let mut boxes = BTreeMap::new();
    // Chips inside each subnet: NAT gateways, interface endpoints (in their first subnet), workloads.
    let mut chips_of_subnet: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for nat in &design.nat_gateways {
        chips_of_subnet
            .entry(nat.subnet.as_str())
            .or_default()
            .push(&nat.id);
    }
    for endpoint in design
        .endpoints
        .iter()
        .filter(|e| e.endpoint_type == EndpointType::Interface)
    {
        if let Some(subnet) = endpoint.subnets.first() {
            chips_of_subnet
                .entry(subnet.as_str())
                .or_default()
                .push(&endpoint.id);
        }
    }
    for workload in &design.workloads {
        chips_of_subnet
            .entry(workload.subnet.as_str())
            .or_default()
            .push(&workload.id);
    }
    let customer_gateway_column = if design.customer_gateways.is_empty() {
        0.0
    } else {
        200.0
    };
    for (index, customer_gateway) in design.customer_gateways.iter().enumerate() {
        place(
            &mut boxes,
            &customer_gateway.id,
            LEFT,
            TOP + 60.0 + index as f64 * 70.0,
            120.0,
            48.0,
        );
    }
    let mut cursor_x = LEFT + customer_gateway_column + CHIP_WIDTH / 2.0;
    for vpc in &design.vpcs {
        let mut lanes: BTreeMap<&str, Vec<&crate::model::Subnet>> = BTreeMap::new();
        for subnet in design.subnets.iter().filter(|s| s.vpc == vpc.id) {
            lanes
                .entry(subnet.availability_zone.as_str())
                .or_default()
                .push(subnet);
        }
        let side: Vec<&str> = design
            .route_tables
            .iter()
            .filter(|t| t.vpc == vpc.id)
            .map(|t| t.id.as_str())
            .chain(
                design
                    .security_groups
                    .iter()
                    .filter(|g| g.vpc == vpc.id)
                    .map(|g| g.id.as_str()),
            )
            .chain(
                design
                    .network_acls
                    .iter()
                    .filter(|a| a.vpc == vpc.id)
                    .map(|a| a.id.as_str()),
            )
            .collect();
        let lane_heights: Vec<f64> = lanes
            .values()
            .map(|subnets| {
                subnets
                    .iter()
                    .map(|s| {
                        subnet_height(chips_of_subnet.get(s.id.as_str()).map_or(0, Vec::len)) + GAP
                    })
                    .sum()
            })
            .collect();
        let tallest_lane = lane_heights.iter().copied().fold(0.0, f64::max);
        let side_height = side.len() as f64 * (CHIP_HEIGHT + 8.0);
        // VPN gateways sit on the left edge: the lanes start right of them, so a gateway never
        // covers a lane's or a subnet's label.
        let left_edge_inset = if design.vpn_gateways.iter().any(|g| g.vpc == vpc.id) {
            CHIP_WIDTH / 2.0 + 12.0
        } else {
            0.0
        };
        let width = GAP
            + left_edge_inset
            + lanes.len().max(1) as f64 * LANE_WIDTH
            + SIDE_CHIP_WIDTH
            + 2.0 * GAP;
        let height = VPC_HEADER + tallest_lane.max(side_height).max(120.0) + GAP;
        let (vpc_x, vpc_y) = (cursor_x, TOP);
        place(&mut boxes, &vpc.id, vpc_x, vpc_y, width, height);
        for (lane_index, subnets) in lanes.values().enumerate() {
            let lane_x = vpc_x + GAP + left_edge_inset + lane_index as f64 * LANE_WIDTH;
            let mut y = vpc_y + VPC_HEADER;
            for subnet in subnets {
                let chips = chips_of_subnet
                    .get(subnet.id.as_str())
                    .cloned()
                    .unwrap_or_default();
                let subnet_h = subnet_height(chips.len());
                place(&mut boxes, &subnet.id, lane_x, y, SUBNET_WIDTH, subnet_h);
                for (chip_index, chip) in chips.iter().enumerate() {
                    let column = (chip_index % CHIPS_PER_ROW) as f64;
                    let row = (chip_index / CHIPS_PER_ROW) as f64;
                    place(
                        &mut boxes,
                        chip,
                        lane_x + 8.0 + column * (CHIP_WIDTH + 6.0),
                        y + SUBNET_HEADER + row * (CHIP_HEIGHT + 6.0),
                        CHIP_WIDTH,
                        CHIP_HEIGHT,
                    );
                }
                y += subnet_h + GAP;
            }
        }
        let side_x = vpc_x + width - SIDE_CHIP_WIDTH - GAP;
        for (index, id) in side.iter().enumerate() {
            place(
                &mut boxes,
                id,
                side_x,
                vpc_y + VPC_HEADER + index as f64 * (CHIP_HEIGHT + 8.0),
                SIDE_CHIP_WIDTH,
                CHIP_HEIGHT,
            );
        }
        let top_edge = design
            .internet_gateways
            .iter()
            .filter(|g| g.vpc == vpc.id)
            .map(|g| g.id.as_str())
            .chain(
                design
                    .endpoints
                    .iter()
                    .filter(|e| e.vpc == vpc.id && e.endpoint_type == EndpointType::Gateway)
                    .map(|e| e.id.as_str()),
            );
        // Right-aligned, above the side column, so the VPC's own label stays readable.
        let top_edge: Vec<&str> = top_edge.collect();
        let first_x = vpc_x + width - GAP - top_edge.len() as f64 * (CHIP_WIDTH + 16.0) + 16.0;
        for (index, id) in top_edge.iter().enumerate() {
            place(
                &mut boxes,
                id,
                first_x + index as f64 * (CHIP_WIDTH + 16.0),
                vpc_y - CHIP_HEIGHT / 2.0,
                CHIP_WIDTH,
                CHIP_HEIGHT,
            );
        }
        for (index, gateway) in design
            .vpn_gateways
            .iter()
            .filter(|g| g.vpc == vpc.id)
            .enumerate()
        {
            place(
                &mut boxes,
                &gateway.id,
                vpc_x - CHIP_WIDTH / 2.0,
                vpc_y + VPC_HEADER + index as f64 * (CHIP_HEIGHT + 12.0),
                CHIP_WIDTH,
                CHIP_HEIGHT,
            );
        }
        cursor_x += width + 100.0;
    }
    // Placement groups and anything whose container is missing: a row below everything.
    let bottom = boxes.values().map(|b| b.y + b.height).fold(TOP, f64::max) + 60.0;
    let leftovers: Vec<String> = design
        .object_ids()
        .into_iter()
        .map(|(id, _)| id.to_string())
        .filter(|id| !boxes.contains_key(id) && !design.vpn_connections.iter().any(|c| &c.id == id))
        .collect();
    for (index, id) in leftovers.iter().enumerate() {
        place(
            &mut boxes,
            id,
            LEFT + index as f64 * (SIDE_CHIP_WIDTH + 16.0),
            bottom,
            SIDE_CHIP_WIDTH,
            CHIP_HEIGHT,
        );
    }
    boxes
}

/// Gives a box to every object that has none; existing boxes are kept as they are.
pub fn fill_missing_layout(design: &mut Design) {
    let computed = compute_layout(design);
    for (id, layout_box) in computed {
        design.layout.entry(id).or_insert(layout_box);
    }
}

/// Space around the subnets of a lane, and above them for the AZ's name.
pub const LANE_PADDING: f64 = 8.0;
pub const LANE_LABEL_HEIGHT: f64 = 22.0;
/// Lanes start below the VPC's own label.
pub const LANE_VPC_HEADER: f64 = 34.0;
/// The highest a subnet may sit in its VPC: below the VPC's label and its lane's label, so
/// neither label is ever drawn over the other or over the subnet.
pub const SUBNET_TOP_IN_VPC: f64 = LANE_VPC_HEADER + LANE_LABEL_HEIGHT;

/// An availability zone drawn inside a VPC: the band around the VPC's subnets in that AZ.
/// Lanes are derived from the subnets (an AZ exists in a design through its subnets), so they
/// can never disagree with the model.
#[derive(Debug, Clone, PartialEq)]
pub struct AvailabilityZoneLane {
    pub vpc: String,
    pub availability_zone: String,
    pub bounds: LayoutBox,
}

/// Every lane of the design, per VPC in AZ order; `ignoring` leaves one subnet out (the one
/// being moved, so it does not stretch the lane it is leaving).
pub fn availability_zone_lanes(
    design: &Design,
    ignoring: Option<&str>,
) -> Vec<AvailabilityZoneLane> {
    let mut lanes: BTreeMap<(&str, &str), LayoutBox> = BTreeMap::new();
    for subnet in &design.subnets {
        if Some(subnet.id.as_str()) == ignoring {
            continue;
        }
        let Some(bounds) = design.layout.get(&subnet.id) else {
            continue;
        };
        let key = (subnet.vpc.as_str(), subnet.availability_zone.as_str());
        lanes
            .entry(key)
            .and_modify(|lane| {
                let right = (lane.x + lane.width).max(bounds.x + bounds.width);
                let bottom = (lane.y + lane.height).max(bounds.y + bounds.height);
                lane.x = lane.x.min(bounds.x);
                lane.y = lane.y.min(bounds.y);
                lane.width = right - lane.x;
                lane.height = bottom - lane.y;
            })
            .or_insert(*bounds);
    }
    lanes
        .into_iter()
        .map(|((vpc, availability_zone), inner)| {
            // A lane is a column: as wide as its subnets, as tall as its VPC's body.
            let mut top = inner.y - LANE_LABEL_HEIGHT;
            let mut bottom = inner.y + inner.height + LANE_PADDING;
            if let Some(vpc_box) = design.layout.get(vpc) {
                top = top.min(vpc_box.y + LANE_VPC_HEADER);
                bottom = bottom.max(vpc_box.y + vpc_box.height - LANE_PADDING);
            }
            AvailabilityZoneLane {
                vpc: vpc.to_string(),
                availability_zone: availability_zone.to_string(),
                bounds: LayoutBox {
                    x: inner.x - LANE_PADDING,
                    y: top,
                    width: inner.width + 2.0 * LANE_PADDING,
                    height: bottom - top,
                },
            }
        })
        .collect()
}

/// The AZ of the lane of `vpc_id` under a point, if any.
pub fn lane_at(
    design: &Design,
    vpc_id: &str,
    x: f64,
    y: f64,
    ignoring: Option<&str>,
) -> Option<String> {
    availability_zone_lanes(design, ignoring)
        .into_iter()
        .find(|lane| lane.vpc == vpc_id && lane.bounds.contains_point(x, y))
        .map(|lane| lane.availability_zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::TEMPLATES;

    fn inside(inner: &LayoutBox, outer: &LayoutBox) -> bool {
        inner.x >= outer.x
            && inner.y >= outer.y
            && inner.x + inner.width <= outer.x + outer.width
            && inner.y + inner.height <= outer.y + outer.height
    }

    fn overlap(a: &LayoutBox, b: &LayoutBox) -> bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }

    #[test]
    fn every_template_gets_a_box_for_every_drawn_object_nested_in_its_containers() {
        for template in TEMPLATES {
            let mut design = template.design().unwrap();
            fill_missing_layout(&mut design);
            for (id, _) in design.object_ids() {
                let drawn = !design.vpn_connections.iter().any(|c| c.id == id);
                assert_eq!(
                    design.layout.contains_key(id),
                    drawn,
                    "{}: {id}",
                    template.name
                );
            }
            for subnet in &design.subnets {
                assert!(
                    inside(&design.layout[&subnet.id], &design.layout[&subnet.vpc]),
                    "{}: {} outside its VPC",
                    template.name,
                    subnet.id
                );
            }
            for workload in &design.workloads {
                assert!(
                    inside(
                        &design.layout[&workload.id],
                        &design.layout[&workload.subnet]
                    ),
                    "{}: {}",
                    template.name,
                    workload.id
                );
            }
            for nat in &design.nat_gateways {
                assert!(
                    inside(&design.layout[&nat.id], &design.layout[&nat.subnet]),
                    "{}: {}",
                    template.name,
                    nat.id
                );
            }
            // Subnets of one VPC never overlap each other.
            for a in &design.subnets {
                for b in &design.subnets {
                    if a.id < b.id {
                        assert!(
                            !overlap(&design.layout[&a.id], &design.layout[&b.id]),
                            "{}: {} overlaps {}",
                            template.name,
                            a.id,
                            b.id
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn existing_boxes_are_kept_and_the_layout_is_deterministic() {
        let mut design = TEMPLATES[2].design().unwrap();
        let pinned = LayoutBox {
            x: 1.0,
            y: 2.0,
            width: 3.0,
            height: 4.0,
        };
        design.layout.insert("subnet-public-a".into(), pinned);
        fill_missing_layout(&mut design);
        assert_eq!(design.layout["subnet-public-a"], pinned);
        assert_eq!(compute_layout(&design), compute_layout(&design));
    }

    #[test]
    fn lanes_wrap_each_vpcs_subnets_per_zone_and_never_overlap() {
        for template in TEMPLATES {
            let mut design = template.design().unwrap();
            fill_missing_layout(&mut design);
            let lanes = availability_zone_lanes(&design, None);
            for subnet in &design.subnets {
                let lane = lanes
                    .iter()
                    .find(|lane| {
                        lane.vpc == subnet.vpc && lane.availability_zone == subnet.availability_zone
                    })
                    .expect("every subnet has its lane");
                assert!(
                    inside(&design.layout[&subnet.id], &lane.bounds),
                    "{}",
                    subnet.id
                );
                let (x, y) = (
                    design.layout[&subnet.id].x + 1.0,
                    design.layout[&subnet.id].y + 1.0,
                );
                assert_eq!(
                    lane_at(&design, &subnet.vpc, x, y, None).as_deref(),
                    Some(subnet.availability_zone.as_str())
                );
            }
            for a in &lanes {
                for b in &lanes {
                    if (a.vpc.as_str(), a.availability_zone.as_str())
                        < (b.vpc.as_str(), b.availability_zone.as_str())
                    {
                        assert!(
                            !overlap(&a.bounds, &b.bounds),
                            "{}: lanes overlap",
                            template.name
                        );
                    }
                }
            }
        }
        // Leaving the only subnet of a lane out leaves no lane there.
        let mut design = TEMPLATES[0].design().unwrap();
        fill_missing_layout(&mut design);
        let only = design.subnets[0].clone();
        let alone = design
            .subnets
            .iter()
            .filter(|s| s.vpc == only.vpc && s.availability_zone == only.availability_zone)
            .count()
            == 1;
        if alone {
            let bounds = design.layout[&only.id];
            assert_eq!(
                lane_at(
                    &design,
                    &only.vpc,
                    bounds.x + 1.0,
                    bounds.y + 1.0,
                    Some(&only.id)
                ),
                None
            );
        }
    }
}
