//! What the design's workloads cost to run: each workload's instance type at its on-demand
//! hourly price, × its count, × its hours a month, shown apart from the network's cost. A
//! workload whose price Moat does not know is listed with the reason, never priced at $0.
//!
//! Invariant: one dated table ([`COMPUTE_PRICES`]) with its source; EC2 types for `ec2`
//! workloads, SageMaker AI's `ml.*` types for SageMaker ones; RDS is not priced (say so).

use serde::Serialize;

use super::{CostLine, HOURS_PER_MONTH, line, round_cents};
use crate::model::{Design, Workload, WorkloadKind};

/// The on-demand hourly prices (USD, Linux, shared tenancy) of the instance types the
/// templates and the EFA table name, and the common ones around them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ComputePrices {
    pub region: &'static str,
    pub as_of: &'static str,
    pub source: &'static str,
    /// EC2 instance types (`p4d.24xlarge`).
    pub ec2: &'static [(&'static str, f64)],
    /// SageMaker AI instance types (`ml.g5.2xlarge`), for notebooks, training jobs and
    /// endpoints alike.
    pub sagemaker: &'static [(&'static str, f64)],
}

/// The dated table. Other regions use us-east-1's, and the estimate says so (as the network
/// table does).
pub const COMPUTE_PRICES: ComputePrices = ComputePrices {
    region: "us-east-1",
    as_of: "2026-11-01",
    source: "Amazon EC2 On-Demand Pricing and Amazon SageMaker AI Pricing pages (on-demand, Linux, before Savings Plans; P4 and P5 after AWS's June 2025 reduction)",
    ec2: &[
        ("t3.medium", 0.0416),
        ("t3.large", 0.0832),
        ("m5.large", 0.096),
        ("m5.xlarge", 0.192),
        ("m5.2xlarge", 0.384),
        ("m5.4xlarge", 0.768),
        ("m6i.large", 0.096),
        ("m6i.xlarge", 0.192),
        ("m6i.2xlarge", 0.384),
        ("m7i.xlarge", 0.2016),
        ("c5.2xlarge", 0.34),
        ("c5.4xlarge", 0.68),
        ("c5n.18xlarge", 3.888),
        ("r5.2xlarge", 0.504),
        ("g4dn.xlarge", 0.526),
        ("g4dn.12xlarge", 3.912),
        ("g5.xlarge", 1.006),
        ("g5.2xlarge", 1.212),
        ("g5.12xlarge", 5.672),
        ("g5.48xlarge", 16.288),
        ("g6.xlarge", 0.8048),
        ("g6.48xlarge", 13.3504),
        ("p3.2xlarge", 3.06),
        ("p3.16xlarge", 24.48),
        ("p4d.24xlarge", 21.96),
        ("p5.48xlarge", 55.04),
        ("trn1.32xlarge", 21.50),
        ("inf2.xlarge", 0.7582),
        ("inf2.48xlarge", 12.9813),
    ],
    sagemaker: &[
        ("ml.t3.medium", 0.05),
        ("ml.t3.large", 0.10),
        ("ml.m5.large", 0.115),
        ("ml.m5.xlarge", 0.23),
        ("ml.m5.2xlarge", 0.461),
        ("ml.c5.xlarge", 0.204),
        ("ml.g4dn.xlarge", 0.736),
        ("ml.g5.xlarge", 1.408),
        ("ml.g5.2xlarge", 1.515),
        ("ml.g5.12xlarge", 7.09),
        ("ml.g5.48xlarge", 20.36),
        ("ml.p3.2xlarge", 3.825),
        ("ml.p4d.24xlarge", 37.688),
        ("ml.p5.48xlarge", 113.07),
    ],
};

/// A workload Moat could not price, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpriced {
    pub workload: String,
    pub instance_type: String,
    pub reason: String,
}

/// The workloads' cost, apart from the network's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComputeEstimate {
    pub prices_region: &'static str,
    pub as_of: &'static str,
    pub source: &'static str,
    pub lines: Vec<CostLine>,
    /// Workloads with no known price: the total leaves them out and says so.
    pub unpriced: Vec<Unpriced>,
    /// What the figure does not include, in words (dedicated instances' own rates).
    pub notes: Vec<String>,
    pub monthly: f64,
}

/// The fee AWS charges each hour any Dedicated Instance runs in a region.
pub const DEDICATED_REGION_FEE_HOUR: f64 = 2.0;

/// The hourly on-demand price of a workload's instance type, or why there is none.
pub fn hourly_price(workload: &Workload) -> Result<f64, String> {
    let instance_type = workload.instance_type.trim();
    if instance_type.is_empty() {
        return Err("no instance type is set".to_string());
    }
    let (table, product): (&[(&str, f64)], &str) = match workload.kind {
        WorkloadKind::Ec2 => (COMPUTE_PRICES.ec2, "EC2"),
        WorkloadKind::SagemakerNotebook
        | WorkloadKind::SagemakerTraining
        | WorkloadKind::SagemakerEndpoint => (COMPUTE_PRICES.sagemaker, "SageMaker AI"),
        WorkloadKind::Rds => {
            return Err("RDS database instances are not in Moat's price table".to_string());
        }
    };
    table
        .iter()
        .find(|(name, _)| *name == instance_type)
        .map(|(_, price)| *price)
        .ok_or_else(|| {
            let hint = match workload.kind {
                WorkloadKind::Ec2 if instance_type.starts_with("ml.") => {
                    ": ml.* types are SageMaker's, an EC2 workload takes an EC2 type"
                }
                WorkloadKind::SagemakerNotebook
                | WorkloadKind::SagemakerTraining
                | WorkloadKind::SagemakerEndpoint
                    if !instance_type.starts_with("ml.") =>
                {
                    ": SageMaker instance types start with ml."
                }
                WorkloadKind::Ec2
                | WorkloadKind::SagemakerNotebook
                | WorkloadKind::SagemakerTraining
                | WorkloadKind::SagemakerEndpoint
                | WorkloadKind::Rds => "",
            };
            format!("{instance_type} is not in Moat's {product} price table{hint}")
        })
}

/// The hours a month a workload runs: its own figure, or always on.
pub fn hours_per_month(workload: &Workload) -> f64 {
    workload
        .hours_per_month
        .map(f64::from)
        .unwrap_or(HOURS_PER_MONTH)
}

/// Every workload priced, or listed as unpriced.
pub fn estimate(design: &Design) -> ComputeEstimate {
    let mut lines = Vec::new();
    let mut unpriced = Vec::new();
    let mut notes = Vec::new();
    for workload in &design.workloads {
        match hourly_price(workload) {
            Ok(price) => {
                let hours = hours_per_month(workload);
                lines.push(line(
                    format!(
                        "{} × {} for {} ({} h/month)",
                        workload.count, workload.instance_type, workload.id, hours
                    ),
                    vec![workload.id.clone()],
                    f64::from(workload.count) * hours,
                    "instance-hour",
                    price,
                ));
            }
            Err(reason) => unpriced.push(Unpriced {
                workload: workload.id.clone(),
                instance_type: workload.instance_type.clone(),
                reason,
            }),
        }
    }
    // Instances in a dedicated VPC are Dedicated Instances: the region fee, once, and their own
    // hourly rates, which the table does not hold.
    let dedicated_vpcs: Vec<&str> = design
        .vpcs
        .iter()
        .filter(|vpc| vpc.tenancy == crate::model::VpcTenancy::Dedicated)
        .map(|vpc| vpc.id.as_str())
        .collect();
    let dedicated: Vec<String> = design
        .workloads
        .iter()
        .filter(|workload| workload.kind == WorkloadKind::Ec2)
        .filter(|workload| {
            design
                .subnet(&workload.subnet)
                .is_some_and(|subnet| dedicated_vpcs.contains(&subnet.vpc.as_str()))
        })
        .map(|workload| workload.id.clone())
        .collect();
    if !dedicated.is_empty() {
        lines.push(line(
            "Dedicated Instances region fee",
            dedicated.clone(),
            HOURS_PER_MONTH,
            "hour",
            DEDICATED_REGION_FEE_HOUR,
        ));
        notes.push(format!(
            "{} run as Dedicated Instances (their VPC's tenancy is dedicated): priced at the shared rates, which are lower than the dedicated ones",
            dedicated.join(", ")
        ));
    }
    let monthly = round_cents(lines.iter().map(|l| l.monthly).sum());
    ComputeEstimate {
        prices_region: COMPUTE_PRICES.region,
        as_of: COMPUTE_PRICES.as_of,
        source: COMPUTE_PRICES.source,
        lines,
        unpriced,
        notes,
        monthly,
    }
}
