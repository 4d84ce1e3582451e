//! draw.io (diagrams.net) export: mxGraph XML in which VPCs, availability zones and subnets
//! are real containers (children placed relative to their parent, moving with it), the other
//! objects are shapes inside the innermost container holding them, and routes, associations
//! and VPN connections are edges attached to the shapes at both ends.

use std::fmt::Write;

use crate::layout::{availability_zone_lanes, fill_missing_layout};
use crate::model::{Design, LayoutBox, ObjectKind, SubnetTier};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell before it is written: id, label, style, box (absolute), container or not.
struct Shape {
    id: String,
    label: String,
    style: String,
    bounds: LayoutBox,
    container: bool,
}

fn style_of(kind: ObjectKind, design: &Design, id: &str) -> &'static str {
    match kind {
        ObjectKind::Vpc => {
            "rounded=1;arcSize=2;whiteSpace=wrap;html=1;container=1;collapsible=0;verticalAlign=top;align=left;spacingLeft=8;fontStyle=1;strokeColor=#248814;fillColor=#F2F9F1;"
        }
        ObjectKind::Subnet => {
            let public = design
                .subnet(id)
                .is_some_and(|s| s.tier == SubnetTier::Public);
            if public {
                "rounded=1;arcSize=4;whiteSpace=wrap;html=1;container=1;collapsible=0;verticalAlign=top;align=left;spacingLeft=6;strokeColor=#7AA116;fillColor=#E9F3E6;"
            } else {
                "rounded=1;arcSize=4;whiteSpace=wrap;html=1;container=1;collapsible=0;verticalAlign=top;align=left;spacingLeft=6;strokeColor=#147EBA;fillColor=#E6F2F8;"
            }
        }
        ObjectKind::InternetGateway | ObjectKind::NatGateway | ObjectKind::VpnGateway => {
            "rounded=1;whiteSpace=wrap;html=1;strokeColor=#8C4FFF;fillColor=#F4EEFF;fontSize=10;"
        }
        ObjectKind::CustomerGateway => {
            "rounded=1;whiteSpace=wrap;html=1;strokeColor=#5A6B86;fillColor=#EEF1F5;fontSize=10;"
        }
        ObjectKind::Endpoint => {
            "rounded=1;whiteSpace=wrap;html=1;strokeColor=#D86613;fillColor=#FCEFE6;fontSize=10;"
        }
        ObjectKind::Workload => {
            "rounded=1;whiteSpace=wrap;html=1;strokeColor=#ED7100;fillColor=#FFF4E8;fontSize=10;"
        }
        _ => "rounded=1;whiteSpace=wrap;html=1;strokeColor=#6B7785;fillColor=#F5F6F7;fontSize=10;",
    }
}

fn label_of(design: &Design, kind: ObjectKind, id: &str) -> String {
    match kind {
        ObjectKind::Vpc => design
            .vpc(id)
            .map(|v| format!("{} · {}", id, v.cidr_blocks.join(", ")))
            .unwrap_or_else(|| id.to_string()),
        ObjectKind::Subnet => design
            .subnet(id)
            .map(|s| {
                format!("{id} ({:?}) · {}", s.tier, s.cidr)
                    .replace("Public", "public")
                    .replace("Private", "private")
            })
            .unwrap_or_else(|| id.to_string()),
        other => format!("{}: {id}", other.label()),
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
    for (id, kind) in design.object_ids() {
        let Some(bounds) = design.layout.get(id).copied() else {
            continue;
        };
        shapes.push(Shape {
            id: id.to_string(),
            label: label_of(&design, kind, id),
            style: style_of(kind, &design, id).to_string(),
            bounds,
            container: matches!(kind, ObjectKind::Vpc | ObjectKind::Subnet),
        });
    }
    for lane in availability_zone_lanes(&design, None) {
        shapes.push(Shape {
            id: format!("az:{}:{}", lane.vpc, lane.availability_zone),
            label: lane.availability_zone.clone(),
            style: "rounded=0;whiteSpace=wrap;html=1;container=1;collapsible=0;dashed=1;verticalAlign=top;align=left;spacingLeft=4;fontSize=10;fontColor=#147EBA;strokeColor=#147EBA;fillColor=none;".into(),
            bounds: lane.bounds,
            container: true,
        });
    }
    // The parent of each shape: the smallest container holding its centre.
    let parents: Vec<Option<usize>> = shapes
        .iter()
        .map(|shape| {
            shapes
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.container && c.id != shape.id && inside(&c.bounds, &shape.bounds)
                })
                .min_by(|(_, a), (_, b)| {
                    (a.bounds.width * a.bounds.height)
                        .total_cmp(&(b.bounds.width * b.bounds.height))
                })
                .map(|(index, _)| index)
        })
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
                shapes[parent].id.clone(),
                shape.bounds.x - shapes[parent].bounds.x,
                shape.bounds.y - shapes[parent].bounds.y,
            ),
            None => ("1".to_string(), shape.bounds.x, shape.bounds.y),
        };
        let _ = writeln!(
            out,
            "        <mxCell id=\"{}\" value=\"{}\" style=\"{}\" vertex=\"1\" parent=\"{}\">\n          <mxGeometry x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" as=\"geometry\" />\n        </mxCell>",
            escape(&shape.id),
            escape(&shape.label),
            shape.style,
            escape(&parent),
            shape.bounds.width,
            shape.bounds.height
        );
    }
    // Edges, attached at both ends.
    let has = |id: &str| shapes.iter().any(|s| s.id == id);
    let mut edges: Vec<(String, String, String, &'static str)> = Vec::new();
    for table in &design.route_tables {
        for route in &table.routes {
            edges.push((
                table.id.clone(),
                route.target.clone(),
                route.destination.clone(),
                "endArrow=block;html=1;strokeColor=#8C4FFF;fontSize=9;",
            ));
        }
        for subnet in &table.subnets {
            edges.push((
                subnet.clone(),
                table.id.clone(),
                String::new(),
                "endArrow=none;dashed=1;html=1;strokeColor=#6B7785;",
            ));
        }
    }
    for connection in &design.vpn_connections {
        edges.push((
            connection.vpn_gateway.clone(),
            connection.customer_gateway.clone(),
            format!("VPN {}", connection.id),
            "endArrow=none;html=1;strokeWidth=2;strokeColor=#5A6B86;fontSize=9;",
        ));
    }
    for endpoint in &design.endpoints {
        for table in &endpoint.route_tables {
            edges.push((
                table.clone(),
                endpoint.id.clone(),
                endpoint.service.clone(),
                "endArrow=block;dashed=1;html=1;strokeColor=#D86613;fontSize=9;",
            ));
        }
    }
    for (index, (source, target, label, style)) in edges.iter().enumerate() {
        if !has(source) || !has(target) {
            continue;
        }
        let _ = writeln!(
            out,
            "        <mxCell id=\"edge-{}\" value=\"{}\" style=\"{style}\" edge=\"1\" parent=\"1\" source=\"{}\" target=\"{}\">\n          <mxGeometry relative=\"1\" as=\"geometry\" />\n        </mxCell>",
            index + 1,
            escape(label),
            escape(source),
            escape(target)
        );
    }
    let _ = writeln!(out, "      </root>");
    let _ = writeln!(out, "    </mxGraphModel>");
    let _ = writeln!(out, "  </diagram>");
    let _ = writeln!(out, "</mxfile>");
    out
}
