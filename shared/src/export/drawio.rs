//! draw.io (diagrams.net) export: mxGraph XML in which VPCs, availability zones and subnets
//! are real containers (children placed relative to their parent, moving with it), the other
//! objects are shapes inside the innermost container holding them, and routes, associations
//! and VPN connections are edges attached to the shapes at both ends. It draws with
//! diagrams.net's own AWS 2021 shapes (`mxgraph.aws4`): the VPC and subnet groups, the
//! availability-zone group, and each kind's icon where the set has one (its
//! `DesignObject::drawio_icon`), so the file opens looking like an AWS diagram.

use crate::diagram::EdgeClass;
use std::collections::HashMap;
use std::fmt::Write;

use crate::layout::{availability_zone_lanes, fill_missing_layout};
use crate::model::{Design, LayoutBox, ObjectKind, SubnetTier};

fn escape(text: &str) -> String {
    super::escape::xml_text(text)
}

/// A label: diagrams.net renders `html=1` labels as HTML, so the text is HTML-escaped before it
/// is XML-escaped (a design's `<b>` or `<img onerror>` stays text).
fn escape_label(text: &str) -> String {
    super::escape::xml_text(&super::escape::html_text(text))
}

/// A cell before it is written: id, label, style, box (absolute), container or not.
struct Shape {
    id: String,
    label: String,
    style: String,
    bounds: LayoutBox,
    container: bool,
    /// The ids of the containers that may hold it (its VPC, lane, subnet), smallest wins.
    candidates: Vec<String>,
}

fn lane_id(vpc: &str, availability_zone: &str) -> String {
    format!("az:{vpc}:{availability_zone}")
}

/// The containers each object may sit in, from the design's own references (its VPC, lane,
/// subnet), in one pass per collection: finding a parent is then linear, not a scan of every
/// container for every shape.
fn candidates_by_id(design: &Design) -> HashMap<&str, Vec<String>> {
    let subnets: HashMap<&str, &crate::model::Subnet> =
        design.subnets.iter().map(|s| (s.id.as_str(), s)).collect();
    let subnet_chain = |subnet_id: &str| -> Vec<String> {
        subnets
            .get(subnet_id)
            .map(|subnet| {
                vec![
                    subnet.id.clone(),
                    lane_id(&subnet.vpc, &subnet.availability_zone),
                    subnet.vpc.clone(),
                ]
            })
            .unwrap_or_default()
    };
    let all_vpcs: Vec<String> = design.vpcs.iter().map(|vpc| vpc.id.clone()).collect();
    let mut out: HashMap<&str, Vec<String>> = HashMap::new();
    for subnet in &design.subnets {
        out.insert(
            &subnet.id,
            vec![
                lane_id(&subnet.vpc, &subnet.availability_zone),
                subnet.vpc.clone(),
            ],
        );
    }
    let mut placement_chains: HashMap<&str, Vec<String>> = HashMap::new();
    for workload in &design.workloads {
        out.insert(&workload.id, subnet_chain(&workload.subnet));
        if let Some(group) = &workload.placement_group {
            let chain = placement_chains.entry(group).or_default();
            if chain.len() < 3 {
                chain.extend(subnet_chain(&workload.subnet));
            }
        }
    }
    for group in &design.placement_groups {
        let mut chain = placement_chains
            .remove(group.id.as_str())
            .unwrap_or_default();
        chain.extend(all_vpcs.iter().cloned());
        out.insert(&group.id, chain);
    }
    for nat in &design.nat_gateways {
        out.insert(&nat.id, subnet_chain(&nat.subnet));
    }
    for endpoint in &design.endpoints {
        let mut chain: Vec<String> = endpoint
            .subnets
            .iter()
            .flat_map(|s| subnet_chain(s))
            .collect();
        chain.push(endpoint.vpc.clone());
        out.insert(&endpoint.id, chain);
    }
    for (id, vpc) in design
        .internet_gateways
        .iter()
        .map(|o| (&o.id, &o.vpc))
        .chain(design.vpn_gateways.iter().map(|o| (&o.id, &o.vpc)))
        .chain(design.route_tables.iter().map(|o| (&o.id, &o.vpc)))
        .chain(design.security_groups.iter().map(|o| (&o.id, &o.vpc)))
        .chain(design.network_acls.iter().map(|o| (&o.id, &o.vpc)))
    {
        out.insert(id, vec![vpc.clone()]);
    }
    for id in design
        .customer_gateways
        .iter()
        .map(|o| &o.id)
        .chain(design.vpn_connections.iter().map(|o| &o.id))
    {
        out.insert(id, all_vpcs.clone());
    }
    out
}

/// A VPC and a subnet are drawn as containers; every other kind as a chip in its kind's
/// colours.
fn style_of(kind: ObjectKind, design: &Design, id: &str, icon: Option<&str>) -> String {
    let is_vpc = kind == ObjectKind::Vpc && design.vpc(id).is_some();
    let subnet = design.subnet(id).filter(|_| kind == ObjectKind::Subnet);
    if is_vpc {
        format!(
            "{AWS_GROUP}grIcon=mxgraph.aws4.group_vpc2;strokeColor=#8C4FFF;fillColor=none;fontColor=#232F3E;fontStyle=1;"
        )
    } else if let Some(subnet) = subnet {
        if subnet.tier == SubnetTier::Public {
            format!(
                "{AWS_GROUP}grIcon=mxgraph.aws4.group_security_group;grStroke=0;strokeColor=#7AA116;fillColor=#F2F6E8;fontColor=#248814;"
            )
        } else {
            format!(
                "{AWS_GROUP}grIcon=mxgraph.aws4.group_security_group;grStroke=0;strokeColor=#00A4A6;fillColor=#E6F6F7;fontColor=#147EBA;"
            )
        }
    } else if let Some(icon) = icon {
        // The icon in its kind's colour, its label to its right.
        // A resource icon is a white glyph on its colour; a plain icon is the glyph itself.
        let fill = kind.style().stroke;
        let stroke = if icon.starts_with("resourceIcon;") {
            "#ffffff"
        } else {
            "none"
        };
        format!(
            "sketch=0;outlineConnect=0;fontColor=#232F3E;gradientColor=none;fillColor={fill};strokeColor={stroke};dashed=0;labelPosition=right;verticalLabelPosition=middle;align=left;verticalAlign=middle;spacingLeft=4;html=1;fontSize=10;fontStyle=0;aspect=fixed;pointerEvents=1;shape=mxgraph.aws4.{icon};"
        )
    } else {
        let style = kind.style();
        format!(
            "rounded=1;whiteSpace=wrap;html=1;strokeColor={};fillColor={};fontSize=10;",
            style.stroke, style.fill
        )
    }
}

/// diagrams.net's AWS group (VPC, subnet): a container with its icon in the top-left corner.
const AWS_GROUP: &str = "points=[[0,0],[0.25,0],[0.5,0],[0.75,0],[1,0],[1,0.25],[1,0.5],[1,0.75],[1,1],[0.75,1],[0.5,1],[0.25,1],[0,1],[0,0.75],[0,0.5],[0,0.25]];outlineConnect=0;gradientColor=none;html=1;whiteSpace=wrap;fontSize=12;fontStyle=0;container=1;pointerEvents=0;collapsible=0;recursiveResize=0;shape=mxgraph.aws4.group;verticalAlign=top;align=left;spacingLeft=30;dashed=0;";

/// A VPC reads its blocks, a subnet its tier and block, any other object its kind and id.
fn label_of(design: &Design, kind: ObjectKind, id: &str) -> String {
    let vpc = design.vpc(id).filter(|_| kind == ObjectKind::Vpc);
    let subnet = design.subnet(id).filter(|_| kind == ObjectKind::Subnet);
    if let Some(vpc) = vpc {
        format!("{} · {}", id, vpc.cidr_blocks.join(", "))
    } else if let Some(subnet) = subnet {
        format!("{id} ({:?}) · {}", subnet.tier, subnet.cidr)
            .replace("Public", "public")
            .replace("Private", "private")
    } else {
        format!("{}: {id}", kind.label())
    }
}

fn inside(outer: &LayoutBox, inner: &LayoutBox) -> bool {
    let (x, y) = (inner.x + inner.width / 2.0, inner.y + inner.height / 2.0);
    outer.contains_point(x, y) && outer.width * outer.height > inner.width * inner.height
}

/// The diagram as a `.drawio` file.
pub fn diagram(design: &Design) -> String {
    let mut design = design.clone();
    fill_missing_layout(&mut design);
    let mut shapes: Vec<Shape> = Vec::new();
    let mut candidates = candidates_by_id(&design);
    for object in design.objects() {
        let (id, kind, icon) = (object.id(), object.kind(), object.drawio_icon());
        let Some(mut bounds) = design.layout.get(id).copied() else {
            continue;
        };
        // An icon is square, as tall as the chip; its label stands beside it.
        if icon.is_some() {
            bounds.width = bounds.height;
        }
        shapes.push(Shape {
            id: id.to_string(),
            label: label_of(&design, kind, id),
            style: style_of(kind, &design, id, icon),
            bounds,
            container: matches!(kind, ObjectKind::Vpc | ObjectKind::Subnet),
            candidates: candidates.remove(id).unwrap_or_default(),
        });
    }
    for lane in availability_zone_lanes(&design, None) {
        shapes.push(Shape {
            id: lane_id(&lane.vpc, &lane.availability_zone),
            label: lane.availability_zone.clone(),
            // diagrams.net's availability zone group: dashed, in the zone blue.
            style: "fillColor=none;strokeColor=#147EBA;dashed=1;verticalAlign=top;fontStyle=0;fontColor=#147EBA;whiteSpace=wrap;html=1;container=1;collapsible=0;align=left;spacingLeft=4;fontSize=10;".into(),
            bounds: lane.bounds,
            container: true,
            candidates: vec![lane.vpc.clone()],
        });
    }
    // The parent of each shape: the smallest of its candidate containers holding its centre.
    let index_of: std::collections::HashMap<&str, usize> = shapes
        .iter()
        .enumerate()
        .map(|(index, shape)| (shape.id.as_str(), index))
        .collect();
    let parents: Vec<Option<usize>> = shapes
        .iter()
        .map(|shape| {
            shape
                .candidates
                .iter()
                .filter_map(|id| index_of.get(id.as_str()).copied())
                .filter(|&index| {
                    let c = &shapes[index];
                    c.container && c.id != shape.id && inside(&c.bounds, &shape.bounds)
                })
                .min_by(|&a, &b| {
                    let area = |i: usize| shapes[i].bounds.width * shapes[i].bounds.height;
                    area(a).total_cmp(&area(b))
                })
        })
        .collect();
    // Cell ids: the object ids, unique by construction and never the root cells' `0` and `1`.
    let mut cell_names = super::UniqueNames::new(&["0", "1"]);
    let cell_ids: Vec<String> = shapes
        .iter()
        .map(|shape| cell_names.claim(shape.id.clone(), "-"))
        .collect();
    // Parents are written before their children.
    let mut order: Vec<usize> = (0..shapes.len()).collect();
    let depth = |mut index: usize| {
        let mut depth = 0;
        while let Some(parent) = parents[index] {
            depth += 1;
            index = parent;
            if depth > shapes.len() {
                break;
            }
        }
        depth
    };
    order.sort_by_key(|index| (depth(*index), shapes[*index].id.clone()));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<mxfile host=\"Moat\" agent=\"Moat\" version=\"24.0.0\">"
    );
    let _ = writeln!(
        out,
        "  <diagram id=\"moat\" name=\"{}\">",
        escape(&format!("{} ({})", design.name, design.region))
    );
    let _ = writeln!(
        out,
        "    <mxGraphModel grid=\"1\" gridSize=\"10\" guides=\"1\" connect=\"1\" arrows=\"1\" page=\"0\">"
    );
    let _ = writeln!(out, "      <root>");
    let _ = writeln!(out, "        <mxCell id=\"0\" />");
    let _ = writeln!(out, "        <mxCell id=\"1\" parent=\"0\" />");
    for index in order {
        let shape = &shapes[index];
        let (parent, x, y) = match parents[index] {
            Some(parent) => (
                cell_ids[parent].clone(),
                shape.bounds.x - shapes[parent].bounds.x,
                shape.bounds.y - shapes[parent].bounds.y,
            ),
            None => ("1".to_string(), shape.bounds.x, shape.bounds.y),
        };
        let _ = writeln!(
            out,
            "        <mxCell id=\"{}\" value=\"{}\" style=\"{}\" vertex=\"1\" parent=\"{}\">\n          <mxGeometry x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" as=\"geometry\" />\n        </mxCell>",
            escape(&cell_ids[index]),
            escape_label(&shape.label),
            shape.style,
            escape(&parent),
            shape.bounds.width,
            shape.bounds.height
        );
    }
    // Edges, attached at both ends.
    let has = |id: &str| index_of.contains_key(id);
    // The diagram scene's edges, each class in its draw.io style.
    let edges: Vec<(String, String, String, &'static str)> = crate::diagram::edges(&design)
        .into_iter()
        .map(|edge| {
            let (label, style) = match edge.class {
                EdgeClass::Route => (
                    edge.label,
                    "endArrow=block;html=1;strokeColor=#8C4FFF;fontSize=9;",
                ),
                EdgeClass::Association => (
                    String::new(),
                    "endArrow=none;dashed=1;html=1;strokeColor=#6B7785;",
                ),
                EdgeClass::Endpoint => (
                    edge.label,
                    "endArrow=block;dashed=1;html=1;strokeColor=#D86613;fontSize=9;",
                ),
                EdgeClass::Vpn => (
                    format!("VPN {}", edge.label),
                    "endArrow=none;html=1;strokeWidth=2;strokeColor=#5A6B86;fontSize=9;",
                ),
                EdgeClass::SecurityGroup => (
                    String::new(),
                    "endArrow=block;dashed=1;dashPattern=1 3;html=1;strokeColor=#C8372D;",
                ),
            };
            (edge.from, edge.to, label, style)
        })
        .collect();
    for (index, (source, target, label, style)) in edges.iter().enumerate() {
        if !has(source) || !has(target) {
            continue;
        }
        let edge_id = cell_names.claim(format!("edge-{}", index + 1), "-");
        let _ = writeln!(
            out,
            "        <mxCell id=\"{}\" value=\"{}\" style=\"{style}\" edge=\"1\" parent=\"1\" source=\"{}\" target=\"{}\">\n          <mxGeometry relative=\"1\" as=\"geometry\" />\n        </mxCell>",
            escape(&edge_id),
            escape_label(label),
            escape(&cell_ids[index_of[source.as_str()]]),
            escape(&cell_ids[index_of[target.as_str()]])
        );
    }
    let _ = writeln!(out, "      </root>");
    let _ = writeln!(out, "    </mxGraphModel>");
    let _ = writeln!(out, "  </diagram>");
    let _ = writeln!(out, "</mxfile>");
    out
}
