//! Network interface rules (reference § Network interfaces). Source: Amazon VPC User Guide,
//! "Subnet CIDR blocks" (the first four addresses and the last of every subnet are AWS's) and
//! Amazon EC2 User Guide, "Elastic network interfaces" and "Amazon VPC quotas": an interface's
//! primary private IPv4 address lies in its subnet, outside the reserved five, used by no
//! other interface; an interface has up to five security groups by default (16 with a raised
//! quota).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::catalogue::CodeEntry;
use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};

/// The security groups an interface may have under AWS's default quota.
pub const DEFAULT_SECURITY_GROUPS_PER_INTERFACE: usize = 5;

/// This section's codes, in the catalogue (`super::CATALOGUE`).
pub const CODES: &[CodeEntry] = &[
    CodeEntry {
        code: "eni.private-ip-invalid",
        severities: &[Severity::Error],
        section: "Network interfaces",
        rule: "a fixed private address is an IPv4 address inside the interface's subnet, not one of the subnet's five reserved addresses, and not another interface's",
        source: "Amazon VPC User Guide: Subnet CIDR blocks; Amazon EC2 User Guide: Elastic network interfaces",
    },
    CodeEntry {
        code: "eni.security-group-count",
        severities: &[Severity::Warning],
        section: "Network interfaces",
        rule: "more than 5 security groups on one interface (AWS's default quota; 16 at most when raised)",
        source: "Amazon VPC User Guide: Amazon VPC quotas (security groups per network interface)",
    },
];

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let mut holders: BTreeMap<(&str, Ipv4Addr), &str> = BTreeMap::new();
    for interface in &design.network_interfaces {
        let id = interface.id.as_str();
        if let Some(text) = interface.private_ip.as_deref() {
            let invalid = |why: String, hint: &str| {
                Diagnostic::new(
                    codes::ENI_PRIVATE_IP_INVALID,
                    Severity::Error,
                    [id],
                    format!("network interface {id}: private address {text} {why}"),
                    hint,
                )
            };
            match text.parse::<Ipv4Addr>() {
                Err(_) => out.push(invalid(
                    "is not an IPv4 address".to_string(),
                    "write four decimal numbers (10.0.1.20), or clear it to let AWS choose",
                )),
                Ok(address) => {
                    let subnet = design.subnet(&interface.subnet);
                    let network = subnet
                        .and_then(|s| crate::cidr::parse_cidr(&s.cidr).ok())
                        .map(|parsed| parsed.network);
                    if let (Some(subnet), Some(network)) = (subnet, network) {
                        let offset = u32::from(address).wrapping_sub(u32::from(network.network()));
                        let size = 1u64 << (32 - u32::from(network.prefix_len()));
                        if !network.contains(&address) {
                            out.push(invalid(
                                format!("is outside its subnet {} ({})", subnet.id, subnet.cidr),
                                "choose an address inside the subnet's block, or clear it to let AWS choose",
                            ));
                        } else if offset < 4 || u64::from(offset) == size - 1 {
                            out.push(invalid(
                                format!(
                                    "is one of the five addresses AWS keeps in subnet {} ({}: the first four and the last)",
                                    subnet.id, subnet.cidr
                                ),
                                "choose another address of the subnet (from its fifth on), or clear it to let AWS choose",
                            ));
                        } else if let Some(other) =
                            holders.insert((subnet.id.as_str(), address), id)
                        {
                            out.push(Diagnostic::new(
                                codes::ENI_PRIVATE_IP_INVALID,
                                Severity::Error,
                                [other, id],
                                format!(
                                    "network interfaces {other} and {id} both take {text} in subnet {}",
                                    subnet.id
                                ),
                                "give each interface its own address, or clear one to let AWS choose",
                            ));
                        }
                    }
                }
            }
        }
        if interface.security_groups.len() > DEFAULT_SECURITY_GROUPS_PER_INTERFACE {
            out.push(Diagnostic::new(
                codes::ENI_SECURITY_GROUP_COUNT,
                Severity::Warning,
                [id],
                format!(
                    "network interface {id} has {} security groups; AWS allows {DEFAULT_SECURITY_GROUPS_PER_INTERFACE} per interface unless the quota is raised (16 at most)",
                    interface.security_groups.len()
                ),
                "merge the groups' rules into fewer groups, or raise \"Security groups per network interface\" in Service Quotas before deploying",
            ));
        }
    }
}
