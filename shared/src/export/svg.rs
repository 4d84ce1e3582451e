//! The SVG diagram: deterministic, drawn from the design's layout. VPC → availability zone →
//! subnet nesting, gateways on the VPC edge, endpoints and workloads in their subnets, route
//! edges labelled with their destination, icons drawn here (no image files), a legend, the
//! design's name and region, and optionally the diagnostics (objects with errors outlined in
//! red, with a count). Text stays text (selectable, searchable); a `viewBox` keeps it crisp at
//! any zoom.

use crate::diagram::EdgeClass;
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::layout::{availability_zone_lanes, fill_missing_layout};
use crate::model::{Design, ObjectKind, SubnetTier};

/// What to draw besides the network.
#[derive(Debug, Clone, Default)]
pub struct SvgOptions {
    /// Outline the objects named by error and warning diagnostics.
    pub diagnostics: bool,
}

/// Where flow logs go, short: `s3://bucket/prefix` or `log group NAME`.
fn flow_log_place(destination: &str) -> String {
    if let Some((_, bucket)) = destination.split_once(":::") {
        format!("s3://{bucket}")
    } else if let Some((_, group)) = destination.split_once(":log-group:") {
        format!("log group {}", group.trim_end_matches(":*"))
    } else {
        destination.to_string()
    }
}

fn escape(text: &str) -> String {
    super::escape::xml_text(text)
}

const STYLE: &str = "text{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;fill:#1b2733}\
.title{font-size:18px;font-weight:bold}.subtitle{font-size:12px;fill:#5a6b86}\
.vpc{fill:#f2f9f1;stroke:#248814;stroke-width:2}.vpc-label{font-size:13px;font-weight:bold;fill:#1d6b11}\
.lane{fill:none;stroke:#147eba;stroke-width:1;stroke-dasharray:5 4}.lane-label{font-size:10px;fill:#147eba}\
.subnet-public{fill:#e9f3e6;stroke:#7aa116;stroke-width:1.5}.subnet-private{fill:#e6f2f8;stroke:#147eba;stroke-width:1.5}\
.subnet-label{font-size:11px;font-weight:bold}.detail{font-size:9px;fill:#5a6b86}\
.chip{fill:#ffffff;stroke:#6b7785;stroke-width:1}.chip-label{font-size:9px}\
.edge-route{fill:none;stroke:#8c4fff;stroke-width:1.2}.route-label{font-size:8px;fill:#6b4fbf}\
.edge-association{fill:none;stroke:#9aa3ad;stroke-width:1;stroke-dasharray:3 3}\
.edge-endpoint{fill:none;stroke:#d86613;stroke-width:1;stroke-dasharray:4 2}\
.edge-vpn{fill:none;stroke:#5a6b86;stroke-width:2}\
.edge-security-group{fill:none;stroke:#c8372d;stroke-width:1;stroke-dasharray:1 3}\
.error{fill:none;stroke:#c8372d;stroke-width:3}.warning{fill:none;stroke:#d08a12;stroke-width:2}\
.badge{fill:#c8372d}.badge-text{font-size:9px;fill:#ffffff;font-weight:bold}\
.legend{fill:#ffffff;stroke:#c5ccd3}.legend-text{font-size:10px}";

/// The icon of a kind: a small shape and its letters, drawn at (x, y), 20×20, in the kind's
/// colour (`shared::diagram::kind_style`).
fn icon(kind: ObjectKind, x: f64, y: f64) -> String {
    let style = crate::diagram::kind_style(kind);
    let (fill, letters) = (style.stroke.to_ascii_lowercase(), style.letters);
    format!(
        "<g class=\"icon\"><rect x=\"{x}\" y=\"{y}\" width=\"20\" height=\"20\" rx=\"4\" fill=\"{fill}\" /><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"7\" font-weight=\"bold\" style=\"fill:#ffffff\">{letters}</text></g>",
        x + 10.0,
        y + 13.0
    )
}

/// An official AWS icon (`crate::icons`), 20×20 at (x, y).
fn aws_icon(icon: crate::icons::AwsIcon, x: f64, y: f64) -> String {
    format!(
        "<svg class=\"icon aws-icon\" x=\"{x}\" y=\"{y}\" width=\"20\" height=\"20\" viewBox=\"{}\">{}</svg>",
        icon.view_box(),
        icon.body()
    )
}

/// An object's icon: its kind's official AWS icon where the set has one, else its kind's
/// letters.
fn object_icon(design: &Design, id: &str, kind: ObjectKind, x: f64, y: f64) -> String {
    match crate::icons::of(design, id) {
        Some(found) => aws_icon(found, x, y),
        None => icon(kind, x, y),
    }
}

/// A coordinate to two decimals (the routed paths' corners sit on fractions of a pixel).
fn hundredths(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The diagram.
pub fn diagram(design: &Design, options: &SvgOptions) -> String {
    let mut design = design.clone();
    fill_missing_layout(&mut design);
    let layout = design.layout.clone();
    // The canvas: everything laid out, plus the title above and the legend below.
    let (mut left, mut top, mut right, mut bottom) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for bounds in layout.values() {
        left = left.min(bounds.x);
        top = top.min(bounds.y);
        right = right.max(bounds.x + bounds.width);
        bottom = bottom.max(bounds.y + bounds.height);
    }
    if left > right {
        (left, top, right, bottom) = (0.0, 0.0, 400.0, 200.0);
    }
    let margin = 20.0;
    let title_height = 50.0;
    let legend_height = 70.0;
    let x0 = left - margin;
    let y0 = top - margin - title_height;
    // As wide as the design, and as its title: the name is never cut.
    let title_width = crate::text::width(&design.name, 18.0, crate::text::Weight::Bold);
    let width = (right - left + 2.0 * margin)
        .max(title_width + 2.0 * margin)
        .max(460.0);
    let height = bottom - top + 2.0 * margin + title_height + legend_height;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{x0} {y0} {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n<style>{STYLE}</style>\n<rect x=\"{x0}\" y=\"{y0}\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\" />\n",
        escape(&design.name),
        escape(&format!("{} ({})", design.name, design.region))
    );
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"{}\" y=\"{}\">{}</text>\n<text class=\"subtitle\" x=\"{}\" y=\"{}\">{} · {} VPC(s), {} subnet(s)</text>",
        x0 + margin,
        y0 + margin + 10.0,
        escape(&design.name),
        x0 + margin,
        y0 + margin + 28.0,
        escape(&design.region),
        design.vpcs.len(),
        design.subnets.len()
    );
    // Containers: VPCs, then AZ lanes, then subnets.
    for vpc in &design.vpcs {
        let Some(b) = layout.get(&vpc.id) else {
            continue;
        };
        let _ = writeln!(
            out,
            "<g data-id=\"{}\"><rect class=\"vpc\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" /><text class=\"vpc-label\" x=\"{}\" y=\"{}\">{} · {}{}</text></g>",
            escape(&vpc.id),
            b.x,
            b.y,
            b.width,
            b.height,
            b.x + 8.0,
            b.y + 16.0,
            escape(if vpc.name.is_empty() {
                &vpc.id
            } else {
                &vpc.name
            }),
            escape(&vpc.cidr_blocks.join(", ")),
            vpc.flow_logs
                .as_ref()
                .map(|flow_logs| format!(
                    "<tspan class=\"detail\" dx=\"10\">flow logs → {}</tspan>",
                    escape(&flow_log_place(&flow_logs.destination))
                ))
                .unwrap_or_default()
        );
    }
    for lane in availability_zone_lanes(&design, None) {
        let b = lane.bounds;
        let _ = writeln!(
            out,
            "<g data-lane=\"{}\"><rect class=\"lane\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" /><text class=\"lane-label\" x=\"{}\" y=\"{}\">{}</text></g>",
            escape(&lane.availability_zone),
            b.x,
            b.y,
            b.width,
            b.height,
            b.x + 4.0,
            b.y + 11.0,
            escape(&lane.availability_zone)
        );
    }
    for subnet in &design.subnets {
        let Some(b) = layout.get(&subnet.id) else {
            continue;
        };
        let (class, tier) = match subnet.tier {
            SubnetTier::Public => ("subnet-public", "public"),
            SubnetTier::Private => ("subnet-private", "private"),
        };
        let _ = writeln!(
            out,
            "<g data-id=\"{}\"><rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" /><text class=\"subnet-label\" x=\"{}\" y=\"{}\">{} ({tier})</text><text class=\"detail\" x=\"{}\" y=\"{}\">{} · {}</text></g>",
            escape(&subnet.id),
            b.x,
            b.y,
            b.width,
            b.height,
            b.x + 6.0,
            b.y + 14.0,
            escape(&subnet.id),
            b.x + 6.0,
            b.y + 26.0,
            escape(&subnet.cidr),
            escape(&subnet.availability_zone)
        );
    }
    // Edges under the chips: every edge of the diagram scene (routes labelled with their
    // destination).
    for (edge, path) in crate::routing::routed_edges(&design, |_| true) {
        let points = path
            .iter()
            .map(|(x, y)| format!("{},{}", hundredths(*x), hundredths(*y)))
            .collect::<Vec<_>>()
            .join(" ");
        let class = edge.class.style_key();
        let ends = format!(
            " data-from=\"{}\" data-to=\"{}\"",
            escape(&edge.from),
            escape(&edge.to)
        );
        match edge.class {
            EdgeClass::Route => {
                let (x, y) = crate::routing::label_point(&path);
                let _ = writeln!(
                    out,
                    "<g data-route=\"{}\"><polyline class=\"edge {class}\"{ends} points=\"{points}\" /><text class=\"route-label\" x=\"{}\" y=\"{}\">{}</text></g>",
                    escape(&format!("{} {}", edge.from, edge.label)),
                    hundredths(x + 3.0),
                    hundredths(y - 3.0),
                    escape(&edge.label)
                );
            }
            EdgeClass::Association
            | EdgeClass::Endpoint
            | EdgeClass::Vpn
            | EdgeClass::SecurityGroup => {
                let data_id = edge
                    .object
                    .as_deref()
                    .map(|id| format!(" data-id=\"{}\"", escape(id)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<polyline class=\"edge {class}\"{data_id}{ends} points=\"{points}\" />"
                );
            }
        }
    }
    // Every other object: a chip with its icon and name.
    for (id, kind) in design.object_ids() {
        if matches!(
            kind,
            ObjectKind::Vpc | ObjectKind::Subnet | ObjectKind::VpnConnection
        ) {
            continue;
        }
        let Some(b) = layout.get(id) else { continue };
        let style = crate::diagram::kind_style(kind);
        let class = style.role.class();
        // The id, whole: smaller type, then a second line, never cut (`crate::text`).
        let label = crate::text::fit_in(
            id,
            b.width - 30.0,
            b.height - 4.0,
            9.0,
            6.0,
            crate::text::Weight::Regular,
        );
        let line_height = label.size * crate::text::LINE_ADVANCE;
        let block = crate::text::block_height(label.lines.len(), label.size);
        let first_baseline = b.y + (b.height - block) / 2.0 + crate::text::ASCENT * label.size;
        let mut lines = String::new();
        for (index, line) in label.lines.iter().enumerate() {
            let _ = write!(
                lines,
                "<text class=\"chip-label\" style=\"font-size:{}px\" x=\"{}\" y=\"{}\">{}</text>",
                label.size,
                b.x + 27.0,
                // Hundredths: the same bytes on every platform, no float noise.
                ((first_baseline + index as f64 * line_height) * 100.0).round() / 100.0,
                escape(line)
            );
        }
        let _ = writeln!(
            out,
            "<g data-id=\"{}\"><title>{}</title><rect class=\"chip {class}\" style=\"fill:{};stroke:{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" />{}{lines}</g>",
            escape(id),
            escape(id),
            style.fill.to_ascii_lowercase(),
            style.stroke.to_ascii_lowercase(),
            b.x,
            b.y,
            b.width,
            b.height,
            object_icon(
                &design,
                id,
                kind,
                b.x + 3.0,
                b.y + (b.height - 20.0).max(0.0) / 2.0
            ),
        );
    }
    if options.diagnostics {
        let mut counts: BTreeMap<String, (usize, bool)> = BTreeMap::new();
        // Errors and warnings: an info is a fact for the reviewer, not a problem to mark.
        for diagnostic in crate::validate(&design)
            .into_iter()
            .filter(|d| d.severity != crate::Severity::Info)
        {
            for object in &diagnostic.objects {
                let entry = counts.entry(object.clone()).or_insert((0, false));
                entry.0 += 1;
                entry.1 |= diagnostic.is_error();
            }
        }
        for (object, (count, error)) in counts {
            let Some(b) = layout.get(&object) else {
                continue;
            };
            let class = if error { "error" } else { "warning" };
            let _ = writeln!(
                out,
                "<g data-diagnostics=\"{}\"><rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"5\" /><circle class=\"badge\" cx=\"{}\" cy=\"{}\" r=\"8\" /><text class=\"badge-text\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{count}</text></g>",
                escape(&object),
                b.x - 2.0,
                b.y - 2.0,
                b.width + 4.0,
                b.height + 4.0,
                b.x + b.width,
                b.y,
                b.x + b.width,
                b.y + 3.0
            );
        }
    }
    // The legend.
    let ly = bottom + margin;
    let lx = x0 + margin;
    let _ = writeln!(
        out,
        "<g class=\"legend-box\"><rect class=\"legend\" x=\"{lx}\" y=\"{ly}\" width=\"{}\" height=\"{}\" rx=\"4\" />",
        width - 2.0 * margin,
        legend_height - 20.0
    );
    let entries: [(&str, &str); 4] = [
        ("subnet-public", "public subnet"),
        ("subnet-private", "private subnet"),
        ("lane", "availability zone"),
        ("edge-route", "route (to its target)"),
    ];
    for (index, (class, label)) in entries.iter().enumerate() {
        let x = lx + 10.0 + index as f64 * 110.0;
        let _ = writeln!(
            out,
            "<rect class=\"{class}\" x=\"{x}\" y=\"{}\" width=\"16\" height=\"12\" /><text class=\"legend-text\" x=\"{}\" y=\"{}\">{label}</text>",
            ly + 8.0,
            x + 20.0,
            ly + 18.0
        );
    }
    // The same icons as the chips: AWS's own.
    let icons = [
        ("internet_gateway", "internet gateway"),
        ("nat_gateway", "NAT gateway"),
        ("endpoints", "endpoint"),
        ("resourceIcon;resIcon=mxgraph.aws4.ec2", "EC2 workload"),
    ];
    for (index, (shape, label)) in icons.iter().enumerate() {
        let x = lx + 10.0 + index as f64 * 110.0;
        let Some(found) = crate::icons::for_drawio_shape(shape) else {
            continue;
        };
        let _ = writeln!(
            out,
            "{}<text class=\"legend-text\" x=\"{}\" y=\"{}\">{label}</text>",
            aws_icon(found, x, ly + 26.0),
            x + 24.0,
            ly + 40.0
        );
    }
    let _ = writeln!(out, "</g>\n</svg>");
    out
}
