//! The catalogue of diagnostic codes: for every code validation can report, its section, the
//! severities it is reported with, the rule in words and the AWS source of the rule. It is the
//! public contract (tools read these codes from `moat validate --format json`; a code never
//! changes meaning once shipped), kept in the repository and drift-tested: the tests check it
//! lists exactly the codes of [`super::codes`], that every rule case is reported with a
//! severity listed here, and that `shared/reference/diagnostics.md` is generated from it.
//!
//! The catalogue is [`super::CATALOGUE`], section by section: the sections here, and the
//! section of each kind of its own beside its rules (`validate/dhcp.rs`'s `CODES`), so a new
//! kind's codes are written in its own module.

use super::Severity;

/// One code of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeEntry {
    pub code: &'static str,
    /// The severities it is reported with (most codes have one).
    pub severities: &'static [Severity],
    /// The section of the reference it belongs to.
    pub section: &'static str,
    /// What the rule demands, in words.
    pub rule: &'static str,
    /// Where AWS states the rule (or why it is Moat's own).
    pub source: &'static str,
}

/// The codes of the "Addressing" section.
pub const ADDRESSING: &[CodeEntry] = &[
    CodeEntry {
        code: "cidr.invalid",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "not an IPv4 CIDR (`a.b.c.d/n`)",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "cidr.not-canonical",
        severities: &[Severity::Warning],
        section: "Addressing",
        rule: "host bits set (`10.0.1.5/24`); AWS stores `10.0.1.0/24`; offer the fix",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "vpc.cidr-size",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "every VPC CIDR block is /16 to /28",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "vpc.cidr-overlap",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "two CIDR blocks of one VPC overlap",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "vpc.secondary-cidr-restricted",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "secondary block breaks the association table: no mixing RFC 1918 ranges with each other (10/8, 172.16/12, 192.168/16) when the primary is in one of them; if any block is in 10.0.0.0/15 no block may be 10.0.0.0/16; 198.19.0.0/16 restricted; 172.31.0.0/16 restricted when the primary is in 172.16/12; a secondary may not equal or be larger than an existing route destination",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "vpc.reserved-range",
        severities: &[Severity::Error, Severity::Warning],
        section: "Addressing",
        rule: "169.254.0.0/16 is never allowed (error); 172.17.0.0/16 clashes with Docker and SageMaker (warning)",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "vpc.cidr-block-quota",
        severities: &[Severity::Warning],
        section: "Addressing",
        rule: "more than 5 IPv4 blocks in one VPC: AWS refuses the sixth association unless the quota is raised (to at most 50)",
        source: "Amazon VPC User Guide: Amazon VPC quotas (IPv4 CIDR blocks per VPC)",
    },
    CodeEntry {
        code: "subnet.cidr-size",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "/16 to /28",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "subnet.outside-vpc",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "a subnet lies inside exactly one of its VPC's CIDR blocks",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "subnet.overlap",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "no two subnets of one VPC overlap",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "subnet.capacity",
        severities: &[Severity::Error, Severity::Warning],
        section: "Addressing",
        rule: "usable = 2^(32-n) − 5 (first four and the last address are AWS's). Error when the interfaces placed in it (instances × count, interface-endpoint ENIs, NAT gateways) exceed it; warning above 80 %",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "subnet.az-unknown",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "the AZ belongs to the design's region (a region name used as an AZ is a classic mistake)",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
    CodeEntry {
        code: "vpn.onprem-overlap",
        severities: &[Severity::Error],
        section: "Addressing",
        rule: "on-premises CIDRs behind a customer gateway overlap a VPC CIDR",
        source: "Amazon VPC User Guide: VPC CIDR blocks; Subnet sizing",
    },
];

/// The codes of the "Routing" section.
pub const ROUTING: &[CodeEntry] = &[
    CodeEntry {
        code: "route.duplicate-destination",
        severities: &[Severity::Error],
        section: "Routing",
        rule: "one route per destination per table",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "route.target-missing",
        severities: &[Severity::Error],
        section: "Routing",
        rule: "the target exists in the design",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "route.target-other-vpc",
        severities: &[Severity::Error],
        section: "Routing",
        rule: "the target belongs to the table's VPC",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "route.reserved-destination",
        severities: &[Severity::Error],
        section: "Routing",
        rule: "no destination inside 169.254.168.0/22",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "route.more-specific-than-local",
        severities: &[Severity::Error],
        section: "Routing",
        rule: "a destination inside the VPC CIDR must equal a whole subnet CIDR and target a NAT gateway or ENI",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "route.nat-not-public",
        severities: &[Severity::Error],
        section: "Routing",
        rule: "a public NAT gateway sits in a subnet whose table routes 0.0.0.0/0 to an internet gateway",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "subnet.route-table-count",
        severities: &[Severity::Error],
        section: "Routing",
        rule: "a subnet is associated with at most one route table (else the main one)",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "subnet.intent-mismatch",
        severities: &[Severity::Error, Severity::Warning],
        section: "Routing",
        rule: "a subnet marked private has a route to an internet gateway (error); one marked public has none (warning)",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "route.table-limit",
        severities: &[Severity::Warning],
        section: "Routing",
        rule: "more than 50 routes in a table (default quota)",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
    CodeEntry {
        code: "nat.cross-az",
        severities: &[Severity::Warning],
        section: "Routing",
        rule: "a private subnet uses a NAT gateway in another AZ: cross-AZ data charges and a shared failure domain",
        source: "Amazon VPC User Guide: Route tables; NAT gateways",
    },
];

/// The codes of the "Gateways and endpoints" section.
pub const GATEWAYS_AND_ENDPOINTS: &[CodeEntry] = &[
    CodeEntry {
        code: "igw.multiple",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "at most one internet gateway per VPC",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "vgw.multiple",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "at most one virtual private gateway attached per VPC",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "endpoint.gateway-service",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "gateway endpoints exist only for S3 and DynamoDB",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "endpoint.gateway-no-route-table",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "a gateway endpoint is associated with at least one route table of its VPC",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "endpoint.interface-az-duplicate",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "an interface endpoint takes at most one subnet per AZ",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "endpoint.interface-no-security-group",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "an interface endpoint has at least one security group",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "endpoint.interface-https-blocked",
        severities: &[Severity::Warning],
        section: "Gateways and endpoints",
        rule: "its security groups do not allow TCP 443 from the subnets that use it",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "endpoint.private-dns-needs-vpc-dns",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "private DNS needs the VPC's DNS support and DNS hostnames on",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "endpoint.duplicate-service",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "two interface endpoints with private DNS for one service in one VPC",
        source: "Amazon VPC User Guide: Internet gateways; AWS PrivateLink: Gateway endpoints, Interface endpoints",
    },
    CodeEntry {
        code: "endpoint.policy-invalid",
        severities: &[Severity::Error],
        section: "Gateways and endpoints",
        rule: "an endpoint policy is a JSON policy document of at most 20,480 characters whose statements each have an Effect and an Action",
        source: "AWS PrivateLink: Control access to VPC endpoints using endpoint policies",
    },
    CodeEntry {
        code: "endpoint.policy-full-access",
        severities: &[Severity::Info],
        section: "Gateways and endpoints",
        rule: "an endpoint without a policy (or with AWS's full-access one) lets anyone reach any resource of the service, in any account",
        source: "AWS PrivateLink: Control access to VPC endpoints using endpoint policies",
    },
    CodeEntry {
        code: "endpoint.policy-denies-service",
        severities: &[Severity::Warning],
        section: "Gateways and endpoints",
        rule: "an endpoint policy that allows no action of the endpoint's own service denies every call through it, and the design's flows to it",
        source: "AWS PrivateLink: Control access to VPC endpoints using endpoint policies",
    },
];

/// The codes of the "Security groups and network ACLs" section.
pub const SECURITY_GROUPS_AND_NETWORK_ACLS: &[CodeEntry] = &[
    CodeEntry {
        code: "sg.unknown-reference",
        severities: &[Severity::Error],
        section: "Security groups and network ACLs",
        rule: "a rule's source/destination group exists",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "sg.reference-other-vpc",
        severities: &[Severity::Error],
        section: "Security groups and network ACLs",
        rule: "referenced groups are in the same VPC",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "sg.rule-limit",
        severities: &[Severity::Error],
        section: "Security groups and network ACLs",
        rule: "at most 60 inbound and 60 outbound rules per group",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "sg.per-interface-limit",
        severities: &[Severity::Error],
        section: "Security groups and network ACLs",
        rule: "at most 5 security groups on one network interface",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "sg.open-admin-port",
        severities: &[Severity::Warning],
        section: "Security groups and network ACLs",
        rule: "TCP 22 or 3389 open to 0.0.0.0/0",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "sg.efa-self-rule",
        severities: &[Severity::Error],
        section: "Security groups and network ACLs",
        rule: "every EFA instance's groups allow all traffic from AND to the group itself (an egress rule to 0.0.0.0/0 does not cover it; NCCL fails without it)",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "nacl.rule-number",
        severities: &[Severity::Error],
        section: "Security groups and network ACLs",
        rule: "rule numbers 1 to 32766, unique per direction (32767 is the fixed deny)",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "nacl.rule-limit",
        severities: &[Severity::Warning],
        section: "Security groups and network ACLs",
        rule: "more than 20 rules per direction (default quota)",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "nacl.stateless-return",
        severities: &[Severity::Warning],
        section: "Security groups and network ACLs",
        rule: "ACLs are stateless: traffic allowed one way whose return on ephemeral ports 1024-65535 is denied",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
    CodeEntry {
        code: "nacl.subnet-multiple",
        severities: &[Severity::Error],
        section: "Security groups and network ACLs",
        rule: "a subnet is associated with at most one network ACL",
        source: "Amazon VPC User Guide: Security groups; Network ACLs; Amazon VPC quotas",
    },
];

/// The codes of the "Compute for ML" section.
pub const COMPUTE_FOR_ML: &[CodeEntry] = &[
    CodeEntry {
        code: "placement.cluster-multi-az",
        severities: &[Severity::Error],
        section: "Compute for ML",
        rule: "a cluster placement group lives in one AZ",
        source: "EC2 User Guide: Placement groups; Elastic Fabric Adapter. SageMaker Developer Guide: VPC endpoints",
    },
    CodeEntry {
        code: "efa.unsupported-type",
        severities: &[Severity::Error],
        section: "Compute for ML",
        rule: "the instance type supports EFA (p4d.24xlarge, p4de.24xlarge, p5.48xlarge, p5e.48xlarge, p5en.48xlarge, trn1.32xlarge, trn1n.32xlarge, trn2.48xlarge, g5.48xlarge, g6.48xlarge, c5n.18xlarge, hpc6a.48xlarge, …; keep the list in one table with its source)",
        source: "EC2 User Guide: Placement groups; Elastic Fabric Adapter. SageMaker Developer Guide: VPC endpoints",
    },
    CodeEntry {
        code: "efa.multi-subnet",
        severities: &[Severity::Warning],
        section: "Compute for ML",
        rule: "EFA OS-bypass traffic is not routed: the nodes of one training cluster share one subnet",
        source: "EC2 User Guide: Placement groups; Elastic Fabric Adapter. SageMaker Developer Guide: VPC endpoints",
    },
    CodeEntry {
        code: "ml.private-training-needs-endpoints",
        severities: &[Severity::Warning],
        section: "Compute for ML",
        rule: "private compute with no NAT that uses SageMaker needs interface endpoints for sagemaker.api, sagemaker.runtime, sts, logs, ecr.api, ecr.dkr and a gateway endpoint for S3",
        source: "EC2 User Guide: Placement groups; Elastic Fabric Adapter. SageMaker Developer Guide: VPC endpoints",
    },
    CodeEntry {
        code: "ml.s3-through-nat",
        severities: &[Severity::Warning],
        section: "Compute for ML",
        rule: "a private subnet reaches S3 or DynamoDB only through a NAT gateway ($0.045/GB processing); a gateway endpoint is free",
        source: "EC2 User Guide: Placement groups; Elastic Fabric Adapter. SageMaker Developer Guide: VPC endpoints",
    },
    CodeEntry {
        code: "ml.training-in-public-subnet",
        severities: &[Severity::Warning],
        section: "Compute for ML",
        rule: "GPU training nodes in a subnet routed to an internet gateway",
        source: "EC2 User Guide: Placement groups; Elastic Fabric Adapter. SageMaker Developer Guide: VPC endpoints",
    },
];

/// The codes of the "Quotas" section.
pub const QUOTAS: &[CodeEntry] = &[
    CodeEntry {
        code: "quota.vpcs",
        severities: &[Severity::Warning],
        section: "Quotas",
        rule: "at most 5 VPCs per region (default quota)",
        source: "Amazon VPC User Guide: Amazon VPC quotas",
    },
    CodeEntry {
        code: "quota.elastic-ips",
        severities: &[Severity::Warning],
        section: "Quotas",
        rule: "at most 5 Elastic IPs per region (default quota)",
        source: "Amazon VPC User Guide: Amazon VPC quotas",
    },
    CodeEntry {
        code: "quota.nat-per-az",
        severities: &[Severity::Warning],
        section: "Quotas",
        rule: "at most 5 NAT gateways per availability zone (default quota)",
        source: "Amazon VPC User Guide: Amazon VPC quotas",
    },
    CodeEntry {
        code: "quota.interface-endpoints",
        severities: &[Severity::Warning],
        section: "Quotas",
        rule: "at most 50 interface endpoints per VPC (default quota)",
        source: "Amazon VPC User Guide: Amazon VPC quotas",
    },
    CodeEntry {
        code: "quota.subnets",
        severities: &[Severity::Warning],
        section: "Quotas",
        rule: "at most 200 subnets per VPC (default quota)",
        source: "Amazon VPC User Guide: Amazon VPC quotas",
    },
    CodeEntry {
        code: "quota.route-tables",
        severities: &[Severity::Warning],
        section: "Quotas",
        rule: "at most 200 route tables per VPC (default quota)",
        source: "Amazon VPC User Guide: Amazon VPC quotas",
    },
];

/// The codes of the "Tags" section.
pub const TAGS: &[CodeEntry] = &[
    CodeEntry {
        code: "tag.reserved-key",
        severities: &[Severity::Error],
        section: "Tags",
        rule: "a user tag's key is not `Name`, `moat:…` (Moat's own) or `aws:…` (AWS's)",
        source: "Amazon EC2 User Guide: Tag your Amazon EC2 resources",
    },
    CodeEntry {
        code: "tag.limit",
        severities: &[Severity::Error],
        section: "Tags",
        rule: "at most 46 user tags per object: AWS keeps 50 per resource and Moat sets 4",
        source: "Amazon EC2 User Guide: Tag your Amazon EC2 resources",
    },
    CodeEntry {
        code: "tag.invalid",
        severities: &[Severity::Error],
        section: "Tags",
        rule: "tag keys are 1 to 128 characters, values up to 256",
        source: "Amazon EC2 User Guide: Tag your Amazon EC2 resources",
    },
];

/// The codes of the "Moat's own" section.
pub const MOAT_OWN: &[CodeEntry] = &[
    CodeEntry {
        code: "reference.unknown",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a reference names an object of the design of an allowed kind",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "reference.other-vpc",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a reference stays in one VPC where AWS needs one (association, endpoint subnet, route table)",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "id.duplicate",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "no two objects share one id",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "route.main-multiple",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a VPC has one main route table",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "sg.rule-peer",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a security group rule names exactly one peer: cidr, security_group or prefix_list",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "vpc.flow-logs-off",
        severities: &[Severity::Info],
        section: "Moat's own",
        rule: "a VPC records flow logs (checkov CKV2_AWS_11)",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "flowlog.destination-invalid",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a flow log goes to an S3 bucket ARN or a CloudWatch Logs log-group ARN",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "flowlog.delivery-role",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a CloudWatch Logs flow log has one literal delivery role ARN; an S3 one has none",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "flowlog.aggregation-interval",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a flow log aggregates over 60 or 600 seconds",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "subnet.public-ip-on-launch",
        severities: &[Severity::Warning, Severity::Info],
        section: "Moat's own",
        rule: "a subnet hands out public addresses on launch only where workloads need them (checkov CKV_AWS_130)",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "sg.unattached",
        severities: &[Severity::Warning, Severity::Info],
        section: "Moat's own",
        rule: "a security group is attached to something Moat creates (checkov CKV2_AWS_5)",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "id.invalid",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "an object id is `[a-z][a-z0-9-]*`, at most 64 characters",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "text.invalid",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "no string holds control or invisible characters",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "region.unknown",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "the region is an AWS region, in AWS's spelling",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "sg.name-invalid",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a security group's name and description, and its rules' descriptions, are what AWS accepts (255 characters of its set; no `sg-` prefix for a name)",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "rule.protocol-number-named",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a security group rule or network ACL entry writes TCP, UDP and ICMP by name (`tcp`, `udp`, `icmp`), not as 6, 17 or 1: a protocol by number matches every port, so `6` with ports 443 to 443 would open all of TCP",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "nacl.description-too-long",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a network ACL entry's description, kept in the design only (AWS keeps none on an entry), is at most 255 characters",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "workload.hours-per-month",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "a workload's hours a month, which the compute cost multiplies by, are at most 744 (31 days)",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.objects",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 10,000 objects in one design",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.instance-count",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 1,000 instances per workload and 5,000 in all",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.rules",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 1,000 rules per security group and direction",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.acl-entries",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 40 entries per network ACL and direction",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.routes",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 1,000 routes per route table",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.cidr-blocks",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 50 CIDR blocks per VPC",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.references",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 1,000 entries in one list of references",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.flows",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 10,000 expected flows",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.layout",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "canvas boxes lie within ±100,000 units and are at most that large",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
    CodeEntry {
        code: "limit.text",
        severities: &[Severity::Error],
        section: "Moat's own",
        rule: "at most 1,024 characters in any one string",
        source: "Moat: the work one design may ask for, the document's own consistency, and audit findings (checkov)",
    },
];

/// The catalogue as a Markdown document (`shared/reference/diagnostics.md`).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\nGenerated from `shared/src/validate/catalogue.rs` (a test keeps this file equal to it). \
         A code never changes meaning once shipped.\n",
    );
    let mut section = "";
    for entry in super::CATALOGUE.iter().flat_map(|section| section.iter()) {
        if entry.section != section {
            section = entry.section;
            out.push_str(&format!(
                "\n## {section}\n\nSource: {}.\n\n| code | severity | rule |\n|---|---|---|\n",
                entry.source
            ));
        }
        let severities: Vec<&str> = entry.severities.iter().map(|s| s.as_str()).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            entry.code,
            severities.join(" / "),
            entry.rule.replace('|', "\\|")
        ));
    }
    out
}
