//! What every rule needs, computed once per validation: parsed CIDRs and id lookups.

use std::collections::HashMap;

use ipnet::Ipv4Net;

use crate::cidr::{self, CidrParseError};
use crate::model::{Design, ObjectKind};

/// A design with its CIDRs parsed once and its ids indexed.
pub struct ValidationContext<'design> {
    pub design: &'design Design,
    /// Object id → kind, for reference checks (first occurrence wins on duplicates).
    pub kinds: HashMap<&'design str, ObjectKind>,
    /// Per VPC (same order as `design.vpcs`): its parsed blocks, `None` where a block is invalid.
    pub vpc_blocks: Vec<Vec<Option<Ipv4Net>>>,
    /// Per subnet (same order as `design.subnets`): its parsed block.
    pub subnet_blocks: Vec<Option<Ipv4Net>>,
    /// VPC id → index in `design.vpcs`.
    pub vpc_index: HashMap<&'design str, usize>,
}

impl<'design> ValidationContext<'design> {
    pub fn new(design: &'design Design) -> Self {
        let mut kinds = HashMap::new();
        for (id, kind) in design.object_ids() {
            kinds.entry(id).or_insert(kind);
        }
        let vpc_blocks = design
            .vpcs
            .iter()
            .map(|vpc| {
                vpc.cidr_blocks
                    .iter()
                    .map(|text| parse_network(text))
                    .collect()
            })
            .collect();
        let subnet_blocks = design
            .subnets
            .iter()
            .map(|subnet| parse_network(&subnet.cidr))
            .collect();
        let vpc_index = design
            .vpcs
            .iter()
            .enumerate()
            .map(|(index, vpc)| (vpc.id.as_str(), index))
            .collect();
        ValidationContext {
            design,
            kinds,
            vpc_blocks,
            subnet_blocks,
            vpc_index,
        }
    }

    /// Whether `id` names an object of `kind`.
    pub fn is_kind(&self, id: &str, kind: ObjectKind) -> bool {
        self.kinds.get(id) == Some(&kind)
    }
}

fn parse_network(text: &str) -> Option<Ipv4Net> {
    cidr::parse_cidr(text).ok().map(|parsed| parsed.network)
}

/// Parses a CIDR field for a rule, or explains why not.
pub fn parse_field(text: &str) -> Result<cidr::ParsedCidr, CidrParseError> {
    cidr::parse_cidr(text)
}
