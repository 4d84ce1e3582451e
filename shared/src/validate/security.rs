//! Security group and network ACL rules (reference § Security groups and network ACLs).
//! Sources: Amazon VPC User Guide, "Security group rules" and "Amazon VPC quotas" (60 rules
//! per direction, 5 groups per interface), "Network ACLs" (rule numbers 1–32766, stateless,
//! 20 rules per direction, one ACL per subnet); EC2 User Guide, "Elastic Fabric Adapter"
//! (an EFA's security group must allow all traffic to and from itself).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::addressing::check_cidr_text;
use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};
use crate::cidr;
use crate::model::{NetworkAclEntry, Protocol, RuleAction, SecurityGroupRule};

const RULES_PER_DIRECTION: usize = 60;
const GROUPS_PER_INTERFACE: usize = 5;
const NACL_RULES_PER_DIRECTION: usize = 20;
const HIGHEST_NACL_RULE_NUMBER: u32 = 32766;

/// Where traffic comes from, as a security group sees it.
pub struct TrafficSource<'a> {
    /// An address of the sender, if known.
    pub address: Option<Ipv4Addr>,
    /// The sender's security groups.
    pub security_groups: &'a [String],
}

/// Whether a rule's protocol and port range cover `protocol`/`port`.
pub fn rule_covers(
    rule_protocol: Protocol,
    from_port: i32,
    to_port: i32,
    protocol: Protocol,
    port: u16,
) -> bool {
    match rule_protocol {
        Protocol::All => true,
        Protocol::Icmp => protocol == Protocol::Icmp,
        Protocol::Number(number) => protocol == Protocol::Number(number),
        rule => {
            rule == protocol
                && (from_port == -1 || (i32::from(port) >= from_port && i32::from(port) <= to_port))
        }
    }
}

fn peer_matches(rule: &SecurityGroupRule, owner_group: &str, source: &TrafficSource<'_>) -> bool {
    if let Some(text) = &rule.cidr {
        return match (cidr::parse_cidr(text), source.address) {
            (Ok(parsed), Some(address)) => parsed.network.contains(&address),
            _ => false,
        };
    }
    if let Some(group) = &rule.security_group {
        let group = if group.is_empty() {
            owner_group
        } else {
            group.as_str()
        };
        return source.security_groups.iter().any(|member| member == group);
    }
    false
}

/// Whether security group `group_id` admits `protocol`/`port` from `source`.
pub fn ingress_allows(
    context: &ValidationContext<'_>,
    group_id: &str,
    protocol: Protocol,
    port: u16,
    source: &TrafficSource<'_>,
) -> bool {
    let Some(&index) = context.security_group_index.get(group_id) else {
        return false;
    };
    context.design.security_groups[index]
        .ingress
        .iter()
        .any(|rule| {
            rule_covers(rule.protocol, rule.from_port, rule.to_port, protocol, port)
                && peer_matches(rule, group_id, source)
        })
}

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    check_security_groups(context, out);
    check_group_attachments(context, out);
    check_efa_self_rules(context, out);
    check_network_acls(context, out);
    check_protocol_numbers(context, out);
    check_entry_descriptions(context, out);
}

/// `rule.protocol-number-named`: 6, 17 and 1 are written `tcp`, `udp` and `icmp`. A protocol
/// by number matches every port, so `6` from 443 to 443 would read as all of TCP.
fn check_protocol_numbers(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let named = |protocol: Protocol| match protocol {
        Protocol::Number(6) => Some("tcp"),
        Protocol::Number(17) => Some("udp"),
        Protocol::Number(1) => Some("icmp"),
        Protocol::Tcp | Protocol::Udp | Protocol::Icmp | Protocol::All | Protocol::Number(_) => {
            None
        }
    };
    let design = context.design;
    for group in &design.security_groups {
        for (direction, rules) in [("ingress", &group.ingress), ("egress", &group.egress)] {
            for (position, rule) in rules.iter().enumerate() {
                let Some(name) = named(rule.protocol) else {
                    continue;
                };
                out.push(Diagnostic::new(
                    codes::RULE_PROTOCOL_NUMBER_NAMED,
                    Severity::Error,
                    [&group.id],
                    format!(
                        "security group {} {direction} rule {} gives its protocol as {} ({name}): a protocol by number matches every port",
                        group.id,
                        position + 1,
                        rule.protocol.ec2_number(),
                    ),
                    format!("write the protocol as {name}, so its ports {} to {} apply", rule.from_port, rule.to_port),
                ));
            }
        }
    }
    for acl in &design.network_acls {
        for entry in &acl.entries {
            let Some(name) = named(entry.protocol) else {
                continue;
            };
            out.push(Diagnostic::new(
                codes::RULE_PROTOCOL_NUMBER_NAMED,
                Severity::Error,
                [&acl.id],
                format!(
                    "network ACL {} entry {} gives its protocol as {} ({name}): a protocol by number matches every port",
                    acl.id,
                    entry.rule_number,
                    entry.protocol.ec2_number(),
                ),
                format!("write the protocol as {name}, so its ports {} to {} apply", entry.from_port, entry.to_port),
            ));
        }
    }
}

/// `nacl.description-too-long`: an entry's description stays in the design, bounded as a
/// security group rule's is.
fn check_entry_descriptions(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    use crate::model::MAX_ENTRY_DESCRIPTION_CHARACTERS;
    for acl in &context.design.network_acls {
        for entry in &acl.entries {
            let Some(description) = &entry.description else {
                continue;
            };
            let length = description.chars().count();
            if length <= MAX_ENTRY_DESCRIPTION_CHARACTERS {
                continue;
            }
            out.push(Diagnostic::new(
                codes::NACL_DESCRIPTION_TOO_LONG,
                Severity::Error,
                [&acl.id],
                format!(
                    "network ACL {} entry {}'s description is {length} characters; Moat keeps at most {MAX_ENTRY_DESCRIPTION_CHARACTERS}",
                    acl.id, entry.rule_number
                ),
                "shorten the description; longer notes belong in the design's documentation",
            ));
        }
    }
}

fn check_security_groups(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    for group in &design.security_groups {
        for (direction, rules) in [("ingress", &group.ingress), ("egress", &group.egress)] {
            if rules.len() > RULES_PER_DIRECTION {
                out.push(Diagnostic::new(
                    codes::SG_RULE_LIMIT,
                    Severity::Error,
                    [&group.id],
                    format!("security group {} has {} {direction} rules; AWS allows {RULES_PER_DIRECTION}", group.id, rules.len()),
                    "merge rules into wider port ranges or CIDRs, or split the group",
                ));
            }
            for (position, rule) in rules.iter().enumerate() {
                let peers = [
                    rule.cidr.is_some(),
                    rule.security_group.is_some(),
                    rule.prefix_list.is_some(),
                ]
                .iter()
                .filter(|set| **set)
                .count();
                if peers != 1 {
                    out.push(Diagnostic::new(
                        codes::SG_RULE_PEER,
                        Severity::Error,
                        [&group.id],
                        format!("security group {} {direction}[{position}] names {peers} peers; a rule has exactly one of cidr, security_group or prefix_list", group.id),
                        "keep exactly one peer per rule; write two rules for two peers",
                    ));
                }
                if let Some(text) = &rule.cidr {
                    let network = check_cidr_text(
                        &group.id,
                        format_args!("{direction}[{position}].cidr"),
                        text,
                        out,
                    );
                    let admin_port = [22u16, 3389].into_iter().find(|port| {
                        rule_covers(
                            rule.protocol,
                            rule.from_port,
                            rule.to_port,
                            Protocol::Tcp,
                            *port,
                        )
                    });
                    if direction == "ingress"
                        && network.is_some_and(|n| n.prefix_len() == 0)
                        && let Some(port) = admin_port
                    {
                        out.push(Diagnostic::new(
                            codes::SG_OPEN_ADMIN_PORT,
                            Severity::Warning,
                            [&group.id],
                            format!("security group {} opens TCP {port} to the whole internet (0.0.0.0/0) in {direction}[{position}]", group.id),
                            "allow it from your office or bastion range only, or use SSM Session Manager instead",
                        ));
                    }
                }
                if let Some(referenced) = &rule.security_group {
                    match context.security_group_index.get(referenced.as_str()) {
                        // Unknown: reported by the reference check.
                        None => {}
                        Some(&index) if design.security_groups[index].vpc != group.vpc => out.push(Diagnostic::new(
                            codes::SG_REFERENCE_OTHER_VPC,
                            Severity::Error,
                            [group.id.as_str(), referenced.as_str()],
                            format!(
                                "security group {} (VPC {}) {direction}[{position}] references {referenced} of VPC {}",
                                group.id, group.vpc, design.security_groups[index].vpc
                            ),
                            "reference a group of the same VPC, or use the other VPC's CIDR",
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
    }
}

fn check_group_attachments(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let attachments = design
        .workloads
        .iter()
        .map(|w| (w.id.as_str(), &w.security_groups, context.vpc_of(&w.id)))
        .chain(
            design
                .endpoints
                .iter()
                .map(|e| (e.id.as_str(), &e.security_groups, Some(e.vpc.as_str()))),
        );
    for (owner, groups, owner_vpc) in attachments {
        if groups.len() > GROUPS_PER_INTERFACE {
            out.push(Diagnostic::new(
                codes::SG_PER_INTERFACE_LIMIT,
                Severity::Error,
                [owner],
                format!("{owner} has {} security groups; a network interface takes at most {GROUPS_PER_INTERFACE}", groups.len()),
                "merge groups so at most five remain",
            ));
        }
        for group in groups.iter() {
            match context.security_group_index.get(group.as_str()) {
                // Unknown: reported by the reference check.
                None => {}
                Some(&index)
                    if owner_vpc.is_some_and(|vpc| vpc != design.security_groups[index].vpc) =>
                {
                    out.push(Diagnostic::new(
                        codes::SG_REFERENCE_OTHER_VPC,
                        Severity::Error,
                        [owner, group.as_str()],
                        format!(
                            "{owner} uses security group {group}, which belongs to another VPC"
                        ),
                        "use a group of the same VPC",
                    ))
                }
                Some(_) => {}
            }
        }
    }
}

/// A group allows all traffic from and to itself (NCCL over EFA needs both directions).
fn self_referencing_both_ways(context: &ValidationContext<'_>, group_id: &str) -> bool {
    let Some(&index) = context.security_group_index.get(group_id) else {
        return false;
    };
    let group = &context.design.security_groups[index];
    let is_self_all = |rule: &SecurityGroupRule| {
        rule.protocol == Protocol::All && rule.security_group.as_deref() == Some(group_id)
    };
    group.ingress.iter().any(is_self_all) && group.egress.iter().any(is_self_all)
}

fn check_efa_self_rules(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    for workload in context.design.workloads.iter().filter(|w| w.efa) {
        if !workload
            .security_groups
            .iter()
            .any(|group| self_referencing_both_ways(context, group))
        {
            let mut objects = vec![workload.id.as_str()];
            objects.extend(workload.security_groups.iter().map(String::as_str));
            let hint = match workload.security_groups.first() {
                Some(group) => format!(
                    "add to {group}: ingress all traffic from {group} and egress all traffic to {group}"
                ),
                None => {
                    "attach a security group that allows all traffic from and to itself".to_string()
                }
            };
            out.push(Diagnostic::new(
                codes::SG_EFA_SELF_RULE,
                Severity::Error,
                objects,
                format!(
                    "EFA workload {}: none of its security groups allows all traffic both from and to itself; NCCL over EFA fails without it",
                    workload.id
                ),
                hint,
            ));
        }
    }
}

/// The first matching entry decides (lowest rule number); no match is the fixed deny.
fn acl_allows(entries: &[&NetworkAclEntry], protocol: Protocol, port: u16, peer: Ipv4Addr) -> bool {
    entries
        .iter()
        .find(|entry| {
            rule_covers(
                entry.protocol,
                entry.from_port,
                entry.to_port,
                protocol,
                port,
            ) && cidr::parse_cidr(&entry.cidr).is_ok_and(|parsed| parsed.network.contains(&peer))
        })
        .is_some_and(|entry| entry.action == RuleAction::Allow)
}

fn check_network_acls(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let mut acls_of_subnet: HashMap<&str, Vec<&str>> = HashMap::default();
    for acl in &design.network_acls {
        for subnet in &acl.subnets {
            acls_of_subnet
                .entry(subnet.as_str())
                .or_default()
                .push(acl.id.as_str());
        }
        for egress in [false, true] {
            let direction = if egress { "outbound" } else { "inbound" };
            let entries: Vec<&NetworkAclEntry> =
                acl.entries.iter().filter(|e| e.egress == egress).collect();
            let mut numbers = HashSet::default();
            for entry in &entries {
                if entry.rule_number == 0 || entry.rule_number > HIGHEST_NACL_RULE_NUMBER {
                    out.push(Diagnostic::new(
                        codes::NACL_RULE_NUMBER,
                        Severity::Error,
                        [&acl.id],
                        format!("network ACL {} has {direction} rule number {}; numbers run from 1 to {HIGHEST_NACL_RULE_NUMBER}", acl.id, entry.rule_number),
                        "renumber it between 1 and 32766 (32767 is the fixed deny-all)",
                    ));
                } else if !numbers.insert(entry.rule_number) {
                    out.push(Diagnostic::new(
                        codes::NACL_RULE_NUMBER,
                        Severity::Error,
                        [&acl.id],
                        format!("network ACL {} has two {direction} rules numbered {}", acl.id, entry.rule_number),
                        "give each rule of a direction its own number, leaving gaps (100, 110, …) for later",
                    ));
                }
                check_cidr_text(
                    &acl.id,
                    format_args!("entries[rule {}].cidr", entry.rule_number),
                    &entry.cidr,
                    out,
                );
            }
            if entries.len() > NACL_RULES_PER_DIRECTION {
                out.push(Diagnostic::new(
                    codes::NACL_RULE_LIMIT,
                    Severity::Warning,
                    [&acl.id],
                    format!("network ACL {} has {} {direction} rules; the default quota is {NACL_RULES_PER_DIRECTION}", acl.id, entries.len()),
                    "summarise rules, or request a quota increase",
                ));
            }
        }
        check_stateless_return(acl, out);
    }
    let mut crowded: Vec<_> = acls_of_subnet
        .into_iter()
        .filter(|(_, acls)| acls.len() > 1)
        .collect();
    crowded.sort();
    for (subnet, acls) in crowded {
        let mut objects = vec![subnet];
        objects.extend(&acls);
        out.push(Diagnostic::new(
            codes::NACL_SUBNET_MULTIPLE,
            Severity::Error,
            objects,
            format!(
                "subnet {subnet} is associated with {} network ACLs ({}); a subnet has one",
                acls.len(),
                acls.join(", ")
            ),
            format!("keep {} and remove the others", acls[0]),
        ));
    }
}

/// ACLs are stateless: every allowed TCP/UDP flow needs its return on ephemeral ports
/// (1024–65535) allowed in the other direction.
fn check_stateless_return(acl: &crate::model::NetworkAcl, out: &mut Vec<Diagnostic>) {
    let mut ordered: Vec<&NetworkAclEntry> = acl.entries.iter().collect();
    ordered.sort_by_key(|entry| entry.rule_number);
    let direction_entries = |egress: bool| -> Vec<&NetworkAclEntry> {
        ordered
            .iter()
            .copied()
            .filter(|e| e.egress == egress)
            .collect()
    };
    let inbound = direction_entries(false);
    let outbound = direction_entries(true);
    for entry in &ordered {
        // ICMP and protocols by number have no ports, so no ephemeral return range to open.
        if entry.action != RuleAction::Allow
            || matches!(entry.protocol, Protocol::Icmp | Protocol::Number(_))
        {
            continue;
        }
        let Ok(parsed) = cidr::parse_cidr(&entry.cidr) else {
            continue;
        };
        let peer: Ipv4Net = parsed.network;
        let (return_entries, return_direction) = if entry.egress {
            (&inbound, "inbound")
        } else {
            (&outbound, "outbound")
        };
        let protocols: &[Protocol] = match entry.protocol {
            Protocol::All | Protocol::Tcp => &[Protocol::Tcp],
            Protocol::Udp | Protocol::Icmp | Protocol::Number(_) => &[Protocol::Udp],
        };
        let blocked = protocols.iter().find_map(|protocol| {
            [1024u16, 32768, 49152, 65535]
                .into_iter()
                .find(|port| !acl_allows(return_entries, *protocol, *port, peer.network()))
                .map(|port| (*protocol, port))
        });
        if let Some((protocol, port)) = blocked {
            out.push(Diagnostic::new(
                codes::NACL_STATELESS_RETURN,
                Severity::Warning,
                [&acl.id],
                format!(
                    "network ACL {} allows {} rule {} ({:?} {}–{} {}), but the {return_direction} return traffic to ephemeral port {port}/{protocol:?} is denied",
                    acl.id,
                    if entry.egress { "outbound" } else { "inbound" },
                    entry.rule_number,
                    entry.protocol,
                    entry.from_port,
                    entry.to_port,
                    entry.cidr
                ),
                format!("add an {return_direction} allow rule for ports 1024-65535 with {}", entry.cidr),
            ));
            return;
        }
    }
}
