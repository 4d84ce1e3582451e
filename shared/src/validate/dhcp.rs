//! DHCP option set rules (reference § DHCP options). Source: Amazon VPC User Guide, "DHCP option
//! sets in Amazon VPC": a set holds at least one option; up to four domain name servers (IP
//! addresses or `AmazonProvidedDNS`) and four NTP servers (IP addresses); the domain name is
//! one or more DNS names separated by spaces; a VPC is associated with one set at a time; and
//! instances resolve the private DNS names of interface endpoints only through the VPC's own
//! resolver (AmazonProvidedDNS, or a DNS server that forwards to it).

use std::collections::BTreeMap;

use super::catalogue::CodeEntry;
use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};
use crate::model::{AMAZON_PROVIDED_DNS, DhcpOptions, EndpointType, MAX_DHCP_SERVERS};

/// This section's codes, in the catalogue (`super::CATALOGUE`).
pub const CODES: &[CodeEntry] = &[
    CodeEntry {
        code: "dhcp.empty",
        severities: &[Severity::Error],
        section: "DHCP options",
        rule: "a DHCP option set sets at least one option (domain name, DNS servers or NTP servers)",
        source: "Amazon VPC User Guide: DHCP option sets in Amazon VPC",
    },
    CodeEntry {
        code: "dhcp.server-count",
        severities: &[Severity::Error],
        section: "DHCP options",
        rule: "at most 4 DNS servers and 4 NTP servers per set",
        source: "Amazon VPC User Guide: DHCP option sets in Amazon VPC",
    },
    CodeEntry {
        code: "dhcp.server-invalid",
        severities: &[Severity::Error],
        section: "DHCP options",
        rule: "DNS servers are IP addresses or `AmazonProvidedDNS`; NTP servers are IP addresses",
        source: "Amazon VPC User Guide: DHCP option sets in Amazon VPC",
    },
    CodeEntry {
        code: "dhcp.domain-name-invalid",
        severities: &[Severity::Error],
        section: "DHCP options",
        rule: "the domain name is one or more DNS names separated by spaces",
        source: "Amazon VPC User Guide: DHCP option sets in Amazon VPC",
    },
    CodeEntry {
        code: "dhcp.vpc-multiple",
        severities: &[Severity::Error],
        section: "DHCP options",
        rule: "a VPC is associated with one DHCP option set at a time",
        source: "Amazon VPC User Guide: DHCP option sets in Amazon VPC",
    },
    CodeEntry {
        code: "dhcp.private-dns-unresolved",
        severities: &[Severity::Warning],
        section: "DHCP options",
        rule: "a set without `AmazonProvidedDNS` on a VPC whose interface endpoints use private DNS: their names resolve only if the DNS servers forward to the VPC's resolver",
        source: "Amazon VPC User Guide: DHCP option sets in Amazon VPC",
    },
];

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    for options in &design.dhcp_options {
        check_set(options, out);
    }
    // A VPC has one set at a time.
    let mut sets_of_vpc: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for options in &design.dhcp_options {
        for vpc in &options.vpcs {
            sets_of_vpc
                .entry(vpc.as_str())
                .or_default()
                .push(options.id.as_str());
        }
    }
    for (vpc, sets) in &sets_of_vpc {
        if sets.len() > 1 {
            let mut objects = vec![*vpc];
            objects.extend(sets.iter().copied());
            out.push(Diagnostic::new(
                codes::DHCP_VPC_MULTIPLE,
                Severity::Error,
                objects,
                format!(
                    "{vpc} is associated with {} DHCP option sets ({}); a VPC has one at a time",
                    sets.len(),
                    sets.join(", ")
                ),
                "keep the VPC in one set's VPC list and remove it from the others",
            ));
        }
    }
    // Private DNS of interface endpoints needs the VPC's resolver.
    for options in design.dhcp_options.iter().filter(|o| !o.keeps_amazon_dns()) {
        for vpc in &options.vpcs {
            let endpoints: Vec<&str> = design
                .endpoints
                .iter()
                .filter(|e| {
                    e.vpc == *vpc && e.endpoint_type == EndpointType::Interface && e.private_dns
                })
                .map(|e| e.id.as_str())
                .collect();
            if endpoints.is_empty() {
                continue;
            }
            let mut objects = vec![options.id.as_str(), vpc.as_str()];
            objects.extend(endpoints.iter().copied());
            out.push(Diagnostic::new(
                codes::DHCP_PRIVATE_DNS_UNRESOLVED,
                Severity::Warning,
                objects,
                format!(
                    "{} gives {vpc}'s instances only the DNS servers {}, so the private DNS names of {} resolve only if those servers forward to the VPC's resolver",
                    options.id,
                    options.domain_name_servers.join(", "),
                    endpoints.join(", ")
                ),
                "put AmazonProvidedDNS first in the DNS servers, or forward the endpoints' zones from your DNS servers to the VPC's resolver (its CIDR base + 2)",
            ));
        }
    }
}

fn check_set(options: &DhcpOptions, out: &mut Vec<Diagnostic>) {
    let id = options.id.as_str();
    let domain_name = options.domain_name.as_deref().unwrap_or_default();
    if domain_name.trim().is_empty()
        && options.domain_name_servers.is_empty()
        && options.ntp_servers.is_empty()
    {
        out.push(Diagnostic::new(
            codes::DHCP_EMPTY,
            Severity::Error,
            [id],
            format!("DHCP option set {id} sets no option; AWS refuses an empty set"),
            "set a domain name, DNS servers (AmazonProvidedDNS for the VPC's own) or NTP servers (169.254.169.123 for Amazon Time Sync)",
        ));
    }
    for (what, servers) in [
        ("DNS servers", &options.domain_name_servers),
        ("NTP servers", &options.ntp_servers),
    ] {
        if servers.len() > MAX_DHCP_SERVERS {
            out.push(Diagnostic::new(
                codes::DHCP_SERVER_COUNT,
                Severity::Error,
                [id],
                format!(
                    "DHCP option set {id} names {} {what}; AWS takes at most {MAX_DHCP_SERVERS}",
                    servers.len()
                ),
                format!("keep {MAX_DHCP_SERVERS} {what} at most"),
            ));
        }
    }
    for server in &options.domain_name_servers {
        if server != AMAZON_PROVIDED_DNS && server.parse::<std::net::IpAddr>().is_err() {
            out.push(Diagnostic::new(
                codes::DHCP_SERVER_INVALID,
                Severity::Error,
                [id],
                format!("DHCP option set {id} names the DNS server \"{server}\", which is neither an IP address nor AmazonProvidedDNS"),
                "name DNS servers by IP address (10.0.0.2), or AmazonProvidedDNS for the VPC's own resolver",
            ));
        }
    }
    for server in &options.ntp_servers {
        if server.parse::<std::net::IpAddr>().is_err() {
            out.push(Diagnostic::new(
                codes::DHCP_SERVER_INVALID,
                Severity::Error,
                [id],
                format!("DHCP option set {id} names the NTP server \"{server}\", which is not an IP address"),
                "name NTP servers by IP address: 169.254.169.123 is the Amazon Time Sync Service",
            ));
        }
    }
    if options.domain_name.is_some() && !is_domain_name_list(domain_name) {
        out.push(Diagnostic::new(
            codes::DHCP_DOMAIN_NAME_INVALID,
            Severity::Error,
            [id],
            format!("DHCP option set {id} has the domain name \"{domain_name}\", which is not a DNS name"),
            "use labels of letters, digits and hyphens joined by dots (corp.example.com), several separated by spaces; or leave it unset",
        ));
    }
}

/// One or more DNS names separated by single spaces: labels of 1–63 letters, digits and
/// hyphens (not at either end), joined by dots, 253 characters at most each.
fn is_domain_name_list(text: &str) -> bool {
    !text.is_empty()
        && text.split(' ').all(|name| {
            let name = name.strip_suffix('.').unwrap_or(name);
            !name.is_empty()
                && name.len() <= 253
                && name.split('.').all(|label| {
                    (1..=63).contains(&label.len())
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                })
        })
}

#[cfg(test)]
mod tests {
    use super::is_domain_name_list;

    #[test]
    fn domain_names_are_dns_names_separated_by_spaces() {
        for good in [
            "ec2.internal",
            "corp.example.com",
            "a.example b.example",
            "x-1.y.",
        ] {
            assert!(is_domain_name_list(good), "{good}");
        }
        for bad in [
            "",
            " ",
            "-a.example",
            "a..b",
            "a_b.example",
            "a.example  b",
            "ex ample;",
        ] {
            assert!(!is_domain_name_list(bad), "{bad}");
        }
    }
}
