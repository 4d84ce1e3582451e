//! The official AWS Architecture Icons a diagram draws its kinds with (vendored in
//! `shared/icons/aws/`, with their licence and notice), on the canvas and in the SVG and PNG
//! exports alike. A kind names its icon once, as its diagrams.net shape
//! (`DesignObject::drawio_icon`); this module maps that name to the AWS icon, so draw.io, the
//! canvas and the SVG can never disagree on what a kind looks like.
//!
//! The icons are single-colour paths on a 48 × 48 grid, with no ids or styles of their own, so
//! any number of them can stand in one document.

/// One vendored icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsIcon {
    /// Its file name in `shared/icons/aws/`, without `.svg`.
    pub name: &'static str,
    svg: &'static str,
}

macro_rules! icons {
    ($( $drawio:literal => $file:literal ),+ $(,)?) => {
        /// Each diagrams.net shape a kind declares, with its AWS icon.
        const ICONS: &[(&str, AwsIcon)] = &[
            $( ($drawio, AwsIcon { name: $file, svg: include_str!(concat!("../icons/aws/", $file, ".svg")) }), )+
        ];
    };
}

icons! {
    "customer_gateway" => "AmazonVPCCustomerGateway",
    "endpoints" => "AmazonVPCEndpoints",
    "internet_gateway" => "AmazonVPCInternetGateway",
    "nat_gateway" => "AmazonVPCNATGateway",
    "network_access_control_list" => "AmazonVPCNetworkAccessControlList",
    "elastic_network_interface" => "AmazonVPCElasticNetworkInterface",
    "route_table" => "AmazonVPCRouter",
    "vpn_connection" => "AmazonVPCVPNConnection",
    "vpn_gateway" => "AmazonVPCVPNGateway",
    "resourceIcon;resIcon=mxgraph.aws4.ec2" => "AmazonEC2Instance",
    "resourceIcon;resIcon=mxgraph.aws4.sagemaker" => "AmazonSageMakerAIModel",
    "resourceIcon;resIcon=mxgraph.aws4.rds" => "AmazonAuroraAmazonRDSInstance",
}

/// The AWS icon of a diagrams.net shape a kind declares, if the set has one.
pub fn for_drawio_shape(shape: &str) -> Option<AwsIcon> {
    ICONS
        .iter()
        .find(|(drawio, _)| *drawio == shape)
        .map(|(_, icon)| *icon)
}

/// The AWS icon of an object of the design, if its kind has one.
pub fn of(design: &crate::model::Design, id: &str) -> Option<AwsIcon> {
    design.object(id).and_then(of_object)
}

/// The icon of an object already in hand (no search of the design).
pub fn of_object(object: crate::model::ObjectRef<'_>) -> Option<AwsIcon> {
    object.drawio_icon().and_then(for_drawio_shape)
}

impl AwsIcon {
    /// Its coordinate system (`0 0 48 48`).
    pub fn view_box(&self) -> &'static str {
        attribute(self.svg, "viewBox").unwrap_or("0 0 48 48")
    }

    /// What it draws: the markup inside its `<svg>`, without its `<title>` (a diagram names
    /// the object, not the icon file).
    pub fn body(&self) -> &'static str {
        let svg = self.svg;
        let start = svg.find('>').map_or(0, |at| at + 1);
        let end = svg.rfind("</svg>").unwrap_or(svg.len());
        let inner = &svg[start..end.max(start)];
        match (inner.find("<title>"), inner.find("</title>")) {
            (Some(0), Some(close)) => &inner[close + "</title>".len()..],
            _ => inner,
        }
    }
}

/// The value of `name="…"` in the `<svg>` tag.
fn attribute(svg: &'static str, name: &str) -> Option<&'static str> {
    let tag_end = svg.find('>')?;
    let tag = &svg[..tag_end];
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let length = tag[start..].find('"')?;
    Some(&svg[start..start + length])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape a kind declares, in every template, has its AWS icon; each icon is a plain
    /// 48 × 48 drawing with no ids (so repeating it in one document is safe).
    #[test]
    fn every_declared_shape_has_a_whole_icon() {
        for template in crate::templates::TEMPLATES {
            let design = template.design().expect("template loads");
            for object in design.objects() {
                if let Some(shape) = object.drawio_icon() {
                    assert!(
                        for_drawio_shape(shape).is_some(),
                        "{}: no AWS icon for {shape}",
                        object.id()
                    );
                }
            }
        }
        for (_, icon) in ICONS {
            assert_eq!(icon.view_box(), "0 0 48 48", "{}", icon.name);
            let body = icon.body();
            assert!(body.starts_with("<path"), "{}: {body}", icon.name);
            assert!(
                !body.contains("<title") && !body.contains("id="),
                "{}",
                icon.name
            );
            assert!(
                !body.contains("<script") && !body.contains("href"),
                "{}",
                icon.name
            );
        }
    }
}
