//! A workload in its subnet: EC2 instances (which Moat may launch), SageMaker or RDS.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadKind {
    Ec2,
    SagemakerNotebook,
    SagemakerTraining,
    SagemakerEndpoint,
    Rds,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub kind: WorkloadKind,
    #[serde(default)]
    pub instance_type: String,
    #[serde(default = "default_count")]
    pub count: u32,
    pub subnet: String,
    #[serde(default)]
    pub security_groups: Vec<String>,
    #[serde(default)]
    pub efa: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement_group: Option<String>,
    /// `ec2` only: whether Moat launches the instances.
    #[serde(default)]
    pub launch: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// How many hours a month the instances run, for the cost estimate (0 to 744; absent:
    /// always on, 730). A training cluster used a week a month is 168.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_month: Option<u16>,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl Workload {
    /// The image Moat launches this workload from: `ec2` workloads marked `launch` with an
    /// image only. The planner creates instances for exactly these; validation counts their
    /// security groups as attached.
    pub fn launch_image(&self) -> Option<&str> {
        (self.kind == WorkloadKind::Ec2 && self.launch)
            .then_some(self.image_id.as_deref())
            .flatten()
    }
}

impl DesignObject for Workload {
    const ROUTE_TARGET: Option<RouteTarget> = Some(RouteTarget::NetworkInterface);

    const STYLE: KindStyle = KindStyle {
        fill: "#FFF4E8",
        stroke: "#ED7100",
        letters: "EC2",
        role: ChipRole::Workload,
    };

    const CONNECT_RANK: u8 = 5;

    /// Its service's resource icon.
    fn drawio_icon(&self) -> Option<&'static str> {
        Some(match self.kind {
            WorkloadKind::Ec2 => "resourceIcon;resIcon=mxgraph.aws4.ec2",
            WorkloadKind::SagemakerNotebook
            | WorkloadKind::SagemakerTraining
            | WorkloadKind::SagemakerEndpoint => "resourceIcon;resIcon=mxgraph.aws4.sagemaker",
            WorkloadKind::Rds => "resourceIcon;resIcon=mxgraph.aws4.rds",
        })
    }

    /// Its instance type, with the count when there are several (`4×p5.48xlarge`).
    fn caption(&self) -> Option<String> {
        Some(if self.count > 1 {
            format!("{}×{}", self.count, self.instance_type)
        } else {
            self.instance_type.clone()
        })
    }

    fn path_place(&self) -> Option<String> {
        Some(self.id.clone())
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    fn container(&self) -> Container<'_> {
        Container::Subnet(&self.subnet)
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[
        ("subnet", &[ObjectKind::Subnet]),
        ("security_groups", &[ObjectKind::SecurityGroup]),
        ("placement_group", &[ObjectKind::PlacementGroup]),
    ];

    fn references(&self) -> Vec<Reference<'_>> {
        std::iter::once(Reference::field(
            "subnet",
            &self.subnet,
            &[ObjectKind::Subnet],
        ))
        .chain(Reference::list(
            "security_groups",
            &self.security_groups,
            &[ObjectKind::SecurityGroup],
        ))
        .chain(
            self.placement_group.as_deref().map(|group| {
                Reference::field("placement_group", group, &[ObjectKind::PlacementGroup])
            }),
        )
        .collect()
    }
}
