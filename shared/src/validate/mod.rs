//! Validation: `validate(&Design) -> Vec<Diagnostic>`. It never fails and never panics; it
//! reports every problem at once, each with a stable code of [`catalogue`] (Moat's public
//! contract, published as `shared/reference/diagnostics.md`), a severity, the ids involved, a message with the values, and a hint.
//!
//! Each rule lives in the module of its reference section, documented once with its AWS source.
//! Passes are linear or `n log n` in the number of objects (overlaps by sort-and-sweep).

mod addressing;
mod audit;
pub mod catalogue;
mod compute;
mod context;
mod dhcp;
mod endpoint_policy;
mod gateways;
pub mod identity;
mod network_interface;
mod quotas;
mod references;
mod routing;
mod security;
mod tags;

use crate::model::Design;

pub use compute::{EFA_INSTANCE_TYPES, PRIVATE_SAGEMAKER_INTERFACE_SERVICES};
pub use context::ValidationContext;
pub(crate) use context::object_vpcs;

pub use crate::diagnostic::{Diagnostic, Severity};

/// The catalogue of codes, section by section (see [`catalogue`]): a rule module of a kind
/// of its own declares its section's codes beside its rules (`dhcp::CODES`).
pub const CATALOGUE: &[&[catalogue::CodeEntry]] = &[
    catalogue::ADDRESSING,
    catalogue::ROUTING,
    catalogue::GATEWAYS_AND_ENDPOINTS,
    catalogue::SECURITY_GROUPS_AND_NETWORK_ACLS,
    catalogue::COMPUTE_FOR_ML,
    catalogue::QUOTAS,
    catalogue::TAGS,
    dhcp::CODES,
    network_interface::CODES,
    catalogue::MOAT_OWN,
];

/// Diagnostic codes. The reference's codes are a public contract: never change their meaning.
pub mod codes {
    // Addressing
    pub const CIDR_INVALID: &str = "cidr.invalid";
    pub const CIDR_NOT_CANONICAL: &str = "cidr.not-canonical";
    pub const VPC_CIDR_SIZE: &str = "vpc.cidr-size";
    pub const VPC_CIDR_OVERLAP: &str = "vpc.cidr-overlap";
    pub const VPC_SECONDARY_CIDR_RESTRICTED: &str = "vpc.secondary-cidr-restricted";
    pub const VPC_RESERVED_RANGE: &str = "vpc.reserved-range";
    pub const VPC_CIDR_BLOCK_QUOTA: &str = "vpc.cidr-block-quota";
    pub const SUBNET_CIDR_SIZE: &str = "subnet.cidr-size";
    pub const SUBNET_OUTSIDE_VPC: &str = "subnet.outside-vpc";
    pub const SUBNET_OVERLAP: &str = "subnet.overlap";
    pub const SUBNET_CAPACITY: &str = "subnet.capacity";
    pub const SUBNET_AZ_UNKNOWN: &str = "subnet.az-unknown";
    pub const VPN_ONPREM_OVERLAP: &str = "vpn.onprem-overlap";
    // Routing
    pub const ROUTE_DUPLICATE_DESTINATION: &str = "route.duplicate-destination";
    pub const ROUTE_TARGET_MISSING: &str = "route.target-missing";
    pub const ROUTE_TARGET_OTHER_VPC: &str = "route.target-other-vpc";
    pub const ROUTE_RESERVED_DESTINATION: &str = "route.reserved-destination";
    pub const ROUTE_MORE_SPECIFIC_THAN_LOCAL: &str = "route.more-specific-than-local";
    pub const ROUTE_NAT_NOT_PUBLIC: &str = "route.nat-not-public";
    pub const SUBNET_ROUTE_TABLE_COUNT: &str = "subnet.route-table-count";
    pub const SUBNET_INTENT_MISMATCH: &str = "subnet.intent-mismatch";
    pub const ROUTE_TABLE_LIMIT: &str = "route.table-limit";
    pub const NAT_CROSS_AZ: &str = "nat.cross-az";
    // Gateways and endpoints
    pub const IGW_MULTIPLE: &str = "igw.multiple";
    pub const VGW_MULTIPLE: &str = "vgw.multiple";
    pub const ENDPOINT_GATEWAY_SERVICE: &str = "endpoint.gateway-service";
    pub const ENDPOINT_GATEWAY_NO_ROUTE_TABLE: &str = "endpoint.gateway-no-route-table";
    pub const ENDPOINT_INTERFACE_AZ_DUPLICATE: &str = "endpoint.interface-az-duplicate";
    pub const ENDPOINT_INTERFACE_NO_SECURITY_GROUP: &str = "endpoint.interface-no-security-group";
    pub const ENDPOINT_INTERFACE_HTTPS_BLOCKED: &str = "endpoint.interface-https-blocked";
    pub const ENDPOINT_PRIVATE_DNS_NEEDS_VPC_DNS: &str = "endpoint.private-dns-needs-vpc-dns";
    pub const ENDPOINT_DUPLICATE_SERVICE: &str = "endpoint.duplicate-service";
    pub const ENDPOINT_POLICY_INVALID: &str = "endpoint.policy-invalid";
    pub const ENDPOINT_POLICY_FULL_ACCESS: &str = "endpoint.policy-full-access";
    pub const ENDPOINT_POLICY_DENIES_SERVICE: &str = "endpoint.policy-denies-service";
    // Security groups and network ACLs
    pub const SG_UNKNOWN_REFERENCE: &str = "sg.unknown-reference";
    pub const SG_REFERENCE_OTHER_VPC: &str = "sg.reference-other-vpc";
    pub const SG_RULE_LIMIT: &str = "sg.rule-limit";
    pub const SG_PER_INTERFACE_LIMIT: &str = "sg.per-interface-limit";
    pub const SG_OPEN_ADMIN_PORT: &str = "sg.open-admin-port";
    pub const SG_EFA_SELF_RULE: &str = "sg.efa-self-rule";
    pub const NACL_RULE_NUMBER: &str = "nacl.rule-number";
    pub const NACL_RULE_LIMIT: &str = "nacl.rule-limit";
    pub const NACL_STATELESS_RETURN: &str = "nacl.stateless-return";
    pub const NACL_SUBNET_MULTIPLE: &str = "nacl.subnet-multiple";
    // Compute for ML
    pub const PLACEMENT_CLUSTER_MULTI_AZ: &str = "placement.cluster-multi-az";
    pub const EFA_UNSUPPORTED_TYPE: &str = "efa.unsupported-type";
    pub const EFA_MULTI_SUBNET: &str = "efa.multi-subnet";
    pub const ML_PRIVATE_TRAINING_NEEDS_ENDPOINTS: &str = "ml.private-training-needs-endpoints";
    pub const ML_S3_THROUGH_NAT: &str = "ml.s3-through-nat";
    pub const ML_TRAINING_IN_PUBLIC_SUBNET: &str = "ml.training-in-public-subnet";
    // Quotas
    pub const QUOTA_VPCS: &str = "quota.vpcs";
    pub const QUOTA_ELASTIC_IPS: &str = "quota.elastic-ips";
    pub const QUOTA_NAT_PER_AZ: &str = "quota.nat-per-az";
    pub const QUOTA_INTERFACE_ENDPOINTS: &str = "quota.interface-endpoints";
    pub const QUOTA_SUBNETS: &str = "quota.subnets";
    pub const QUOTA_ROUTE_TABLES: &str = "quota.route-tables";
    // DHCP options
    pub const DHCP_EMPTY: &str = "dhcp.empty";
    pub const DHCP_SERVER_COUNT: &str = "dhcp.server-count";
    pub const DHCP_SERVER_INVALID: &str = "dhcp.server-invalid";
    pub const DHCP_DOMAIN_NAME_INVALID: &str = "dhcp.domain-name-invalid";
    pub const DHCP_VPC_MULTIPLE: &str = "dhcp.vpc-multiple";
    pub const DHCP_PRIVATE_DNS_UNRESOLVED: &str = "dhcp.private-dns-unresolved";
    // Network interfaces
    pub const ENI_PRIVATE_IP_INVALID: &str = "eni.private-ip-invalid";
    pub const ENI_SECURITY_GROUP_COUNT: &str = "eni.security-group-count";
    // Tags
    pub const TAG_RESERVED_KEY: &str = "tag.reserved-key";
    pub const TAG_LIMIT: &str = "tag.limit";
    pub const TAG_INVALID: &str = "tag.invalid";
    // Moat's own, beyond the reference.
    /// A reference names an object that does not exist (or is of the wrong kind).
    pub const REFERENCE_UNKNOWN: &str = "reference.unknown";
    /// A reference crosses VPCs where AWS needs one VPC (association, endpoint subnet, …).
    pub const REFERENCE_OTHER_VPC: &str = "reference.other-vpc";
    /// Two objects share one id.
    pub const ID_DUPLICATE: &str = "id.duplicate";
    /// A VPC has more than one main route table.
    pub const ROUTE_MAIN_MULTIPLE: &str = "route.main-multiple";
    /// A security group rule names no peer, or more than one.
    pub const SG_RULE_PEER: &str = "sg.rule-peer";
    /// A VPC records no flow logs (info; checkov CKV2_AWS_11).
    pub const VPC_FLOW_LOGS_OFF: &str = "vpc.flow-logs-off";
    /// A flow log's destination is neither an S3 bucket ARN nor a CloudWatch Logs group ARN.
    pub const FLOWLOG_DESTINATION_INVALID: &str = "flowlog.destination-invalid";
    /// A CloudWatch Logs flow log without a delivery role, or an S3 one with a role.
    pub const FLOWLOG_DELIVERY_ROLE: &str = "flowlog.delivery-role";
    /// A flow log's aggregation interval is not 60 or 600 seconds.
    pub const FLOWLOG_AGGREGATION_INTERVAL: &str = "flowlog.aggregation-interval";
    /// A subnet gives instances public addresses on launch (warning when nothing there needs
    /// them, info when workloads do; checkov CKV_AWS_130).
    pub const SUBNET_PUBLIC_IP_ON_LAUNCH: &str = "subnet.public-ip-on-launch";
    /// A security group is attached to nothing (warning), or only to workloads Moat does not
    /// start (info; checkov CKV2_AWS_5).
    pub const SG_UNATTACHED: &str = "sg.unattached";
    /// An object id outside `[a-z][a-z0-9-]*` (at most 64 characters).
    pub const ID_INVALID: &str = "id.invalid";
    /// A string holds control or invisible characters.
    pub const TEXT_INVALID: &str = "text.invalid";
    /// The region is not an AWS region in AWS's spelling.
    pub const REGION_UNKNOWN: &str = "region.unknown";
    /// A security group name or description AWS would refuse.
    pub const SG_NAME_INVALID: &str = "sg.name-invalid";
    /// A rule or ACL entry names TCP, UDP or ICMP by number (6, 17, 1), which Moat reads as a
    /// protocol of every port.
    pub const RULE_PROTOCOL_NUMBER_NAMED: &str = "rule.protocol-number-named";
    /// A network ACL entry's description (kept in the design only) is too long.
    pub const NACL_DESCRIPTION_TOO_LONG: &str = "nacl.description-too-long";
    /// A workload's hours a month (for the cost) exceed a month's.
    pub const WORKLOAD_HOURS_PER_MONTH: &str = "workload.hours-per-month";

    /// Every code of the AWS rules' reference sections of [`super::catalogue`].
    pub const REFERENCE: &[&str] = &[
        CIDR_INVALID,
        CIDR_NOT_CANONICAL,
        VPC_CIDR_SIZE,
        VPC_CIDR_OVERLAP,
        VPC_SECONDARY_CIDR_RESTRICTED,
        VPC_RESERVED_RANGE,
        VPC_CIDR_BLOCK_QUOTA,
        SUBNET_CIDR_SIZE,
        SUBNET_OUTSIDE_VPC,
        SUBNET_OVERLAP,
        SUBNET_CAPACITY,
        SUBNET_AZ_UNKNOWN,
        VPN_ONPREM_OVERLAP,
        ROUTE_DUPLICATE_DESTINATION,
        ROUTE_TARGET_MISSING,
        ROUTE_TARGET_OTHER_VPC,
        ROUTE_RESERVED_DESTINATION,
        ROUTE_MORE_SPECIFIC_THAN_LOCAL,
        ROUTE_NAT_NOT_PUBLIC,
        SUBNET_ROUTE_TABLE_COUNT,
        SUBNET_INTENT_MISMATCH,
        ROUTE_TABLE_LIMIT,
        NAT_CROSS_AZ,
        IGW_MULTIPLE,
        VGW_MULTIPLE,
        ENDPOINT_GATEWAY_SERVICE,
        ENDPOINT_GATEWAY_NO_ROUTE_TABLE,
        ENDPOINT_INTERFACE_AZ_DUPLICATE,
        ENDPOINT_INTERFACE_NO_SECURITY_GROUP,
        ENDPOINT_INTERFACE_HTTPS_BLOCKED,
        ENDPOINT_PRIVATE_DNS_NEEDS_VPC_DNS,
        ENDPOINT_DUPLICATE_SERVICE,
        ENDPOINT_POLICY_INVALID,
        ENDPOINT_POLICY_FULL_ACCESS,
        ENDPOINT_POLICY_DENIES_SERVICE,
        SG_UNKNOWN_REFERENCE,
        SG_REFERENCE_OTHER_VPC,
        SG_RULE_LIMIT,
        SG_PER_INTERFACE_LIMIT,
        SG_OPEN_ADMIN_PORT,
        SG_EFA_SELF_RULE,
        NACL_RULE_NUMBER,
        NACL_RULE_LIMIT,
        NACL_STATELESS_RETURN,
        NACL_SUBNET_MULTIPLE,
        PLACEMENT_CLUSTER_MULTI_AZ,
        EFA_UNSUPPORTED_TYPE,
        EFA_MULTI_SUBNET,
        ML_PRIVATE_TRAINING_NEEDS_ENDPOINTS,
        ML_S3_THROUGH_NAT,
        ML_TRAINING_IN_PUBLIC_SUBNET,
        QUOTA_VPCS,
        QUOTA_ELASTIC_IPS,
        QUOTA_NAT_PER_AZ,
        QUOTA_INTERFACE_ENDPOINTS,
        QUOTA_SUBNETS,
        QUOTA_ROUTE_TABLES,
        DHCP_EMPTY,
        DHCP_SERVER_COUNT,
        DHCP_SERVER_INVALID,
        DHCP_DOMAIN_NAME_INVALID,
        DHCP_VPC_MULTIPLE,
        DHCP_PRIVATE_DNS_UNRESOLVED,
        ENI_PRIVATE_IP_INVALID,
        ENI_SECURITY_GROUP_COUNT,
        TAG_RESERVED_KEY,
        TAG_LIMIT,
        TAG_INVALID,
    ];

    /// Moat's own codes (the "Moat's own" section of the catalogue).
    pub const MOAT_OWN: &[&str] = &[
        REFERENCE_UNKNOWN,
        REFERENCE_OTHER_VPC,
        ID_DUPLICATE,
        ROUTE_MAIN_MULTIPLE,
        SG_RULE_PEER,
        VPC_FLOW_LOGS_OFF,
        FLOWLOG_DESTINATION_INVALID,
        FLOWLOG_DELIVERY_ROLE,
        FLOWLOG_AGGREGATION_INTERVAL,
        SUBNET_PUBLIC_IP_ON_LAUNCH,
        SG_UNATTACHED,
        ID_INVALID,
        TEXT_INVALID,
        REGION_UNKNOWN,
        SG_NAME_INVALID,
        RULE_PROTOCOL_NUMBER_NAMED,
        NACL_DESCRIPTION_TOO_LONG,
        WORKLOAD_HOURS_PER_MONTH,
        crate::limits::codes::OBJECTS,
        crate::limits::codes::INSTANCE_COUNT,
        crate::limits::codes::RULES,
        crate::limits::codes::ACL_ENTRIES,
        crate::limits::codes::ROUTES,
        crate::limits::codes::CIDR_BLOCKS,
        crate::limits::codes::REFERENCES,
        crate::limits::codes::FLOWS,
        crate::limits::codes::LAYOUT,
        crate::limits::codes::TEXT,
    ];
}

/// Every check over a design, in a stable order: by severity (errors first), then code, then ids.
pub fn validate(design: &Design) -> Vec<Diagnostic> {
    let context = ValidationContext::new(design);
    // Serialised once: the text limits and the text checks walk the same value.
    let document = serde_json::to_value(design).unwrap_or_default();
    let mut diagnostics = crate::limits::diagnostics_with_document(design, &document);
    identity::check(design, &document, &mut diagnostics);
    references::check(design, &mut diagnostics);
    addressing::check(&context, &mut diagnostics);
    routing::check(&context, &mut diagnostics);
    gateways::check(&context, &mut diagnostics);
    endpoint_policy::check(&context, &mut diagnostics);
    security::check(&context, &mut diagnostics);
    compute::check(&context, &mut diagnostics);
    quotas::check(&context, &mut diagnostics);
    dhcp::check(&context, &mut diagnostics);
    network_interface::check(&context, &mut diagnostics);
    tags::check(&context, &mut diagnostics);
    audit::check(&context, &mut diagnostics);
    diagnostics
        .sort_by(|a, b| (a.severity, &a.code, &a.objects).cmp(&(b.severity, &b.code, &b.objects)));
    diagnostics
}

/// Counts of diagnostics by severity: `(errors, warnings, infos)`.
pub fn count_by_severity(diagnostics: &[Diagnostic]) -> (usize, usize, usize) {
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    )
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod rule_cases;
