//! An AWS CLI script in the seed article's style, but correct: `set -euo pipefail`, every
//! continuation in place, each id captured and reused, tags on create, and an idempotent
//! re-run (every resource is looked up by its Moat tags before it is created; routes, rules,
//! entries and associations treat "already there" as done). And the matching teardown script,
//! which deletes by the same tags in reverse dependency order.

use crate::plan::resource::*;
use std::collections::HashMap;
use std::fmt::Write;

use serde_json::{Value, json};

use super::UniqueNames;
use super::escape::{comment_text, shell_word as q};
use crate::model::Design;
use crate::plan::{
    DesiredResource, ResourceKey, ResourceKind, ResourceSpec, RulePeer, desired_resources,
};

/// The shell variables holding each resource's id: the upper snake case of kind and logical
/// id (letters, digits and `_` only), made unique by [`UniqueNames`] (`_2`, `_3`, … in plan
/// order) so two logical ids never share one variable.
struct Variables {
    names: HashMap<ResourceKey, String>,
}

impl Variables {
    fn new(resources: &[DesiredResource]) -> Variables {
        let mut taken = UniqueNames::new(&[
            "REGION",
            "DESIGN_ID",
            "ASSOCIATION",
            "AWS_DEFAULT_REGION",
            "AWS_PAGER",
            "PATH",
            "IFS",
        ]);
        let names = resources
            .iter()
            .map(|resource| {
                let wanted = super::snake_case(&format!(
                    "{}_{}",
                    resource.key.kind.name(),
                    resource.key.logical_id
                ))
                .to_uppercase();
                (resource.key.clone(), taken.claim(wanted, "_"))
            })
            .collect();
        Variables { names }
    }

    fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        self.names
            .get(&ResourceKey::new(kind, logical_id))
            .cloned()
            .unwrap_or_else(|| {
                super::snake_case(&format!("{}_{logical_id}_missing", kind.name())).to_uppercase()
            })
    }
}

/// A JSON value as one shell word: design text is data inside single quotes, and [`var`]
/// placeholders become `"${NAME}"` splices of the script's own variables (ids AWS returned).
fn json_word(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::new();
    // Only placeholders hold a NUL ([`data`] replaces the design's own), which JSON writes as
    // `\u0000`: the parts between alternate literal text and variable names.
    for (index, part) in text.split("\\u0000").enumerate() {
        if index % 2 == 1 {
            out.push_str(&format!("\"${{{part}}}\""));
        } else if !part.is_empty() {
            out.push_str(&q(part));
        }
    }
    out
}

/// Design text as a JSON string (NUL, which no argument can hold, as U+FFFD).
/// `--policy-document '<policy>' ` for an endpoint with a policy of its own (one shell word,
/// whatever the policy holds), nothing for AWS's default.
fn policy_argument(policy: &Option<String>) -> String {
    match policy {
        Some(policy) => format!("--policy-document {} \\\n    ", q(policy)),
        None => String::new(),
    }
}

fn data(text: &str) -> Value {
    Value::String(text.replace('\0', "\u{FFFD}"))
}

/// A placeholder for the script variable `name` inside a [`json_word`].
fn splice(name: &str) -> Value {
    Value::String(format!("\0{name}\0"))
}

/// `--tag-specifications` of a new resource: its name, Moat's ownership tags, then the
/// user's in key order.
fn tag_specifications(resource_type: &str, logical_id: &str, user: &crate::model::Tags) -> String {
    let mut tags = vec![
        json!({"Key": "Name", "Value": data(logical_id)}),
        json!({"Key": "moat:design-id", "Value": splice("DESIGN_ID")}),
        json!({"Key": "moat:logical-id", "Value": data(logical_id)}),
    ];
    tags.extend(
        user.iter()
            .map(|(key, value)| json!({"Key": data(key), "Value": data(value)})),
    );
    json_word(&json!([{"ResourceType": resource_type, "Tags": tags}]))
}

/// Describe filters finding a resource by its ownership tags, plus `extra` (name, values).
fn owner_filters(logical_id: &str, extra: &[(&str, &[&str])]) -> String {
    let mut filters = vec![
        json!({"Name": "tag:moat:design-id", "Values": [splice("DESIGN_ID")]}),
        json!({"Name": "tag:moat:logical-id", "Values": [data(logical_id)]}),
    ];
    for (name, values) in extra {
        filters.push(json!({"Name": name, "Values": values}));
    }
    json_word(&Value::Array(filters))
}

/// A JMESPath literal (backquoted JSON) for a design string, to sit inside a single-quoted query.
fn jmespath_literal(text: &str) -> String {
    let json = serde_json::to_string(&data(text)).unwrap_or_default();
    format!("`{}`", json.replace('`', "\\`"))
}

const PRELUDE: &str = r#"set -euo pipefail

REGION="${AWS_REGION:-}"
if [ -z "$REGION" ]; then
  REGION=__REGION__
fi
DESIGN_ID="${MOAT_DESIGN_ID:-}"
if [ -z "$DESIGN_ID" ]; then
  DESIGN_ID=__DESIGN_ID__
fi
# The design id goes into tags and filters: letters, digits, '.', '_' and '-' only.
case "$DESIGN_ID" in
  ''|*[!A-Za-z0-9._-]*)
    echo "the design id must be letters, digits, '.', '_' or '-' (MOAT_DESIGN_ID)" >&2
    exit 2
    ;;
esac
export AWS_DEFAULT_REGION="$REGION"
export AWS_PAGER=""

# Whether a looked-up id is there (the CLI prints None for an empty answer).
found() { [ -n "$1" ] && [ "$1" != "None" ]; }

# Runs a call; an error whose code is one of the given ones means "already done".
tolerate() { # error codes (a|b), then the command
  local codes="$1" output
  shift
  if ! output=$("$@" 2>&1); then
    if printf '%s' "$output" | grep -Eq "($codes)"; then
      return 0
    fi
    printf '%s\n' "$output" >&2
    return 1
  fi
  printf '%s' "$output"
}
"#;

/// The prelude with the design's region and id as quoted words.
fn prelude(design: &Design, design_id: &str) -> String {
    PRELUDE
        .replace("__REGION__", &q(&design.region))
        .replace("__DESIGN_ID__", &q(design_id))
}

/// The script that creates the design, safe to run again.
pub fn apply_script(design: &Design, design_id: &str) -> String {
    let resources = desired_resources(design);
    let variables = Variables::new(&resources);
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env bash");
    let _ = writeln!(
        out,
        "# {} ({}): creates the network with the AWS CLI. Exported by Moat.",
        comment_text(&design.name),
        comment_text(&design.region)
    );
    let _ = writeln!(
        out,
        "# Safe to run again: each resource is looked up by its Moat tags before it is created."
    );
    out.push_str(&prelude(design, design_id));
    out.push_str(
        r#"
# Waits until an endpoint is available (the CLI has no waiter for endpoints).
wait_endpoint() { # endpoint id
  local state
  for _ in $(seq 1 120); do
    state=$(aws ec2 describe-vpc-endpoints --vpc-endpoint-ids "$1" \
      --query 'VpcEndpoints[0].State' --output text)
    case "$state" in
      available|Available) return 0 ;;
      failed|Failed) echo "endpoint $1 failed" >&2; return 1 ;;
    esac
    sleep 2
  done
  echo "endpoint $1 is still $state" >&2
  return 1
}
"#,
    );
    if resources
        .iter()
        .any(|resource| resource.key.kind == ResourceKind::VpcCidrBlock)
    {
        // Compared as fixed text in the shell (grep -F), so no design text enters a query.
        out.push_str(
            r#"
# Whether a VPC holds an associated IPv4 block (vpc id, block).
cidr_block_associated() {
  local blocks
  blocks=$(aws ec2 describe-vpcs --vpc-ids "$1" \
    --query 'Vpcs[0].CidrBlockAssociationSet[].[CidrBlock, CidrBlockState.State]' --output text)
  grep -qxF "$2"$'\t'associated <<< "$blocks"
}

# Associates a secondary block and waits until subnets can be made in it (vpc id, block).
associate_cidr_block() {
  if cidr_block_associated "$1" "$2"; then
    return 0
  fi
  aws ec2 associate-vpc-cidr-block --vpc-id "$1" --cidr-block "$2" > /dev/null
  for _ in $(seq 1 60); do
    cidr_block_associated "$1" "$2" && return 0
    sleep 2
  done
  echo "block $2 of VPC $1 is not associated yet" >&2
  return 1
}
"#,
        );
    }
    for resource in &resources {
        let id = resource.key.logical_id.as_str();
        let own = variables.of(resource.key.kind, id);
        let var =
            |kind: ResourceKind, logical: &str| format!("\"${}\"", variables.of(kind, logical));
        let name_of = |kind: ResourceKind, logical: &str| variables.of(kind, logical);
        let tags = |resource_type: &str| tag_specifications(resource_type, id, &resource.tags);
        let filters = |extra: &[(&str, &[&str])]| owner_filters(id, extra);
        let _ = writeln!(out, "\n# {}", comment_text(&resource.key.to_string()));
        match &resource.spec {
            ResourceSpec::Vpc(VpcSpec {
                cidr_block,
                dns_support,
                dns_hostnames,
                tenancy,
                ..
            }) => {
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-vpcs --filters {} \\\n  --query 'Vpcs[0].VpcId' --output text)",
                    filters(&[])
                );
                let _ = writeln!(
                    out,
                    "if ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpc --cidr-block {}{} \\\n    --tag-specifications {} \\\n    --query 'Vpc.VpcId' --output text)\nfi",
                    q(cidr_block),
                    tenancy
                        .as_deref()
                        .map(|t| format!(" --instance-tenancy {}", q(t)))
                        .unwrap_or_default(),
                    tags("vpc")
                );
                let _ = writeln!(
                    out,
                    "aws ec2 modify-vpc-attribute --vpc-id \"${own}\" --enable-dns-support '{{\"Value\":{dns_support}}}'\naws ec2 modify-vpc-attribute --vpc-id \"${own}\" --enable-dns-hostnames '{{\"Value\":{dns_hostnames}}}'"
                );
            }
            ResourceSpec::CustomerGateway(CustomerGatewaySpec {
                ip_address,
                bgp_asn,
            }) => {
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-customer-gateways --filters {} \\\n  --query 'CustomerGateways[0].CustomerGatewayId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-customer-gateway --type ipsec.1 --ip-address {} --bgp-asn {bgp_asn} \\\n    --tag-specifications {} \\\n    --query 'CustomerGateway.CustomerGatewayId' --output text)\nfi",
                    filters(&[("state", &["available", "pending"])]),
                    q(ip_address),
                    tags("customer-gateway")
                );
            }
            ResourceSpec::PlacementGroup(PlacementGroupSpec { strategy }) => {
                let _ = writeln!(
                    out,
                    "{own}=\"moat-${{DESIGN_ID}}-\"{}\nif ! found \"$(aws ec2 describe-placement-groups --filters {} \\\n  --query 'PlacementGroups[0].GroupName' --output text)\"; then\n  aws ec2 create-placement-group --group-name \"${own}\" --strategy {} \\\n    --tag-specifications {} > /dev/null\nfi",
                    q(id),
                    filters(&[]),
                    q(strategy),
                    tags("placement-group")
                );
            }
            ResourceSpec::Subnet(SubnetSpec {
                vpc,
                cidr_block,
                availability_zone,
                map_public_ip,
            }) => {
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-subnets --filters {} \\\n  --query 'Subnets[0].SubnetId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-subnet --vpc-id {} --cidr-block {} \\\n    --availability-zone {} \\\n    --tag-specifications {} \\\n    --query 'Subnet.SubnetId' --output text)\nfi",
                    filters(&[]),
                    var(ResourceKind::Vpc, vpc),
                    q(cidr_block),
                    q(availability_zone),
                    tags("subnet")
                );
                let flag = if *map_public_ip {
                    "--map-public-ip-on-launch"
                } else {
                    "--no-map-public-ip-on-launch"
                };
                let _ = writeln!(
                    out,
                    "aws ec2 modify-subnet-attribute --subnet-id \"${own}\" {flag}"
                );
            }
            ResourceSpec::InternetGateway(InternetGatewaySpec { vpc }) => {
                let vpc_var = var(ResourceKind::Vpc, vpc);
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-internet-gateways --filters {} \\\n  --query 'InternetGateways[0].InternetGatewayId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-internet-gateway \\\n    --tag-specifications {} \\\n    --query 'InternetGateway.InternetGatewayId' --output text)\nfi\nif [ \"$(aws ec2 describe-internet-gateways --internet-gateway-ids \"${own}\" \\\n  --query 'InternetGateways[0].Attachments[0].VpcId' --output text)\" != {vpc_var} ]; then\n  aws ec2 attach-internet-gateway --internet-gateway-id \"${own}\" --vpc-id {vpc_var}\nfi",
                    filters(&[]),
                    tags("internet-gateway")
                );
            }
            ResourceSpec::VpnGateway(VpnGatewaySpec {
                vpc,
                amazon_side_asn,
            }) => {
                let vpc_var = var(ResourceKind::Vpc, vpc);
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-vpn-gateways --filters {} \\\n  --query 'VpnGateways[0].VpnGatewayId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpn-gateway --type ipsec.1 --amazon-side-asn {amazon_side_asn} \\\n    --tag-specifications {} \\\n    --query 'VpnGateway.VpnGatewayId' --output text)\nfi\nif ! found \"$(aws ec2 describe-vpn-gateways --vpn-gateway-ids \"${own}\" \\\n  --query \"VpnGateways[0].VpcAttachments[?State=='attached'].VpcId | [0]\" --output text)\"; then\n  aws ec2 attach-vpn-gateway --vpn-gateway-id \"${own}\" --vpc-id {vpc_var} > /dev/null\nfi",
                    filters(&[("state", &["available", "pending"])]),
                    tags("vpn-gateway")
                );
            }
            ResourceSpec::SecurityGroup(SecurityGroupSpec {
                vpc,
                name,
                description,
            }) => {
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-security-groups --filters {} \\\n  --query 'SecurityGroups[0].GroupId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-security-group --group-name {} --description {} \\\n    --vpc-id {} --tag-specifications {} \\\n    --query 'GroupId' --output text)\n  # The design's egress rules are its own; AWS's default allow-all goes.\n  aws ec2 revoke-security-group-egress --group-id \"${own}\" \\\n    --ip-permissions '[{{\"IpProtocol\":\"-1\",\"IpRanges\":[{{\"CidrIp\":\"0.0.0.0/0\"}}]}}]' > /dev/null\nfi",
                    filters(&[]),
                    q(name),
                    q(description),
                    var(ResourceKind::Vpc, vpc),
                    tags("security-group")
                );
            }
            ResourceSpec::RouteTable(RouteTableSpec { vpc, main }) => {
                let vpc_var = var(ResourceKind::Vpc, vpc);
                if *main {
                    let _ = writeln!(
                        out,
                        "# The VPC's own main route table, adopted (tagged as the design's).\n{own}=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values={vpc_var} Name=association.main,Values=true \\\n  --query 'RouteTables[0].RouteTableId' --output text)\naws ec2 create-tags --resources \"${own}\" \\\n  --tags {}",
                        json_word(&json!([
                            {"Key": "Name", "Value": data(id)},
                            {"Key": "moat:design-id", "Value": splice("DESIGN_ID")},
                            {"Key": "moat:logical-id", "Value": data(id)},
                        ]))
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "{own}=$(aws ec2 describe-route-tables --filters {} \\\n  --query 'RouteTables[0].RouteTableId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-route-table --vpc-id {vpc_var} \\\n    --tag-specifications {} \\\n    --query 'RouteTable.RouteTableId' --output text)\nfi",
                        filters(&[]),
                        tags("route-table")
                    );
                }
            }
            ResourceSpec::NetworkAcl(NetworkAclSpec { vpc }) => {
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-network-acls --filters {} \\\n  --query 'NetworkAcls[0].NetworkAclId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-network-acl --vpc-id {} \\\n    --tag-specifications {} \\\n    --query 'NetworkAcl.NetworkAclId' --output text)\nfi",
                    filters(&[]),
                    var(ResourceKind::Vpc, vpc),
                    tags("network-acl")
                );
            }
            ResourceSpec::NetworkAclEntry(NetworkAclEntrySpec {
                network_acl,
                rule_number,
                egress,
                protocol,
                from_port,
                to_port,
                cidr,
                allow,
            }) => {
                let direction = if *egress { "--egress" } else { "--ingress" };
                let action = if *allow { "allow" } else { "deny" };
                let ports = match protocol.as_str() {
                    "6" | "17" => format!(" --port-range From={from_port},To={to_port}"),
                    "1" => " --icmp-type-code Code=-1,Type=-1".to_string(),
                    _ => String::new(),
                };
                let acl = var(ResourceKind::NetworkAcl, network_acl);
                let arguments = format!(
                    "--network-acl-id {acl} --rule-number {rule_number} {direction} \\\n  --protocol {} --rule-action {action} --cidr-block {}{ports}",
                    q(protocol),
                    q(cidr)
                );
                let _ = writeln!(
                    out,
                    "if ! tolerate NetworkAclEntryAlreadyExists aws ec2 create-network-acl-entry {arguments} > /dev/null; then exit 1; fi\naws ec2 replace-network-acl-entry {arguments}"
                );
            }
            ResourceSpec::NetworkAclAssociation(NetworkAclAssociationSpec {
                network_acl,
                subnet,
            }) => {
                let subnet_var = var(ResourceKind::Subnet, subnet);
                let _ = writeln!(
                    out,
                    "ASSOCIATION=$(aws ec2 describe-network-acls --filters Name=association.subnet-id,Values={subnet_var} \\\n  --query \"NetworkAcls[0].Associations[?SubnetId=='${}'].NetworkAclAssociationId | [0]\" --output text)\naws ec2 replace-network-acl-association --association-id \"$ASSOCIATION\" \\\n  --network-acl-id {} > /dev/null",
                    name_of(ResourceKind::Subnet, subnet),
                    var(ResourceKind::NetworkAcl, network_acl)
                );
            }
            ResourceSpec::ElasticIp(ElasticIpSpec {}) => {
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-addresses --filters {} \\\n  --query 'Addresses[0].AllocationId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 allocate-address --domain vpc \\\n    --tag-specifications {} \\\n    --query 'AllocationId' --output text)\nfi",
                    filters(&[]),
                    tags("elastic-ip")
                );
            }
            ResourceSpec::NatGateway(NatGatewaySpec { subnet, elastic_ip }) => {
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-nat-gateways --filter {} \\\n  --query 'NatGateways[0].NatGatewayId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-nat-gateway --subnet-id {} {} \\\n    --tag-specifications {} \\\n    --query 'NatGateway.NatGatewayId' --output text)\nfi\naws ec2 wait nat-gateway-available --nat-gateway-ids \"${own}\"",
                    filters(&[("state", &["pending", "available"])]),
                    var(ResourceKind::Subnet, subnet),
                    match elastic_ip {
                        Some(address) =>
                            format!("--allocation-id {}", var(ResourceKind::ElasticIp, address)),
                        None => "--connectivity-type private".to_string(),
                    },
                    tags("natgateway")
                );
            }
            ResourceSpec::VpnConnection(VpnConnectionSpec {
                vpn_gateway,
                customer_gateway,
                static_routes_only,
                static_routes,
            }) => {
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-vpn-connections --filters {} \\\n  --query 'VpnConnections[0].VpnConnectionId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpn-connection --type ipsec.1 \\\n    --customer-gateway-id {} --vpn-gateway-id {} \\\n    --options '{{\"StaticRoutesOnly\":{static_routes_only}}}' \\\n    --tag-specifications {} \\\n    --query 'VpnConnection.VpnConnectionId' --output text)\nfi",
                    filters(&[("state", &["available", "pending"])]),
                    var(ResourceKind::CustomerGateway, customer_gateway),
                    var(ResourceKind::VpnGateway, vpn_gateway),
                    tags("vpn-connection")
                );
                if *static_routes_only {
                    for destination in static_routes {
                        let query = format!(
                            "VpnConnections[0].Routes[?DestinationCidrBlock=={}].DestinationCidrBlock | [0]",
                            jmespath_literal(destination)
                        );
                        let _ = writeln!(
                            out,
                            "if ! found \"$(aws ec2 describe-vpn-connections --vpn-connection-ids \"${own}\" \\\n  --query {} --output text)\"; then\n  aws ec2 create-vpn-connection-route --vpn-connection-id \"${own}\" --destination-cidr-block {}\nfi",
                            q(&query),
                            q(destination)
                        );
                    }
                }
            }
            ResourceSpec::GatewayEndpoint(GatewayEndpointSpec {
                vpc,
                service_name,
                route_tables,
                policy,
            }) => {
                let tables: Vec<String> = route_tables
                    .iter()
                    .map(|t| var(ResourceKind::RouteTable, t))
                    .collect();
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-vpc-endpoints --filters {} \\\n  --query 'VpcEndpoints[0].VpcEndpointId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id {} \\\n    --service-name {} --route-table-ids {} \\\n    {}--tag-specifications {} \\\n    --query 'VpcEndpoint.VpcEndpointId' --output text)\nfi",
                    filters(&[("vpc-endpoint-state", &["available", "pending"])]),
                    var(ResourceKind::Vpc, vpc),
                    q(service_name),
                    tables.join(" "),
                    policy_argument(policy),
                    tags("vpc-endpoint")
                );
            }
            ResourceSpec::InterfaceEndpoint(InterfaceEndpointSpec {
                vpc,
                service_name,
                subnets,
                security_groups,
                private_dns,
                policy,
            }) => {
                let subnets: Vec<String> = subnets
                    .iter()
                    .map(|s| var(ResourceKind::Subnet, s))
                    .collect();
                let groups: Vec<String> = security_groups
                    .iter()
                    .map(|g| var(ResourceKind::SecurityGroup, g))
                    .collect();
                let dns = if *private_dns {
                    "--private-dns-enabled"
                } else {
                    "--no-private-dns-enabled"
                };
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-vpc-endpoints --filters {} \\\n  --query 'VpcEndpoints[0].VpcEndpointId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id {} \\\n    --service-name {} --subnet-ids {} \\\n    --security-group-ids {} {dns} \\\n    {}--tag-specifications {} \\\n    --query 'VpcEndpoint.VpcEndpointId' --output text)\nfi\nwait_endpoint \"${own}\"",
                    filters(&[("vpc-endpoint-state", &["available", "pending"])]),
                    var(ResourceKind::Vpc, vpc),
                    q(service_name),
                    subnets.join(" "),
                    groups.join(" "),
                    policy_argument(policy),
                    tags("vpc-endpoint")
                );
            }
            ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
                security_group,
                egress,
                protocol,
                from_port,
                to_port,
                peer,
                description,
            }) => {
                let mut permission = json!({"IpProtocol": data(protocol)});
                let described = |mut peer: Value| {
                    if let Some(description) = description {
                        peer["Description"] = json!(data(description));
                    }
                    peer
                };
                if crate::model::ec2_protocol_has_ports(protocol) {
                    permission["FromPort"] = json!(from_port);
                    permission["ToPort"] = json!(to_port);
                }
                match peer {
                    RulePeer::Cidr(cidr) => {
                        permission["IpRanges"] = json!([described(json!({"CidrIp": data(cidr)}))]);
                    }
                    RulePeer::SecurityGroup(group) => {
                        permission["UserIdGroupPairs"] = json!([described(json!({
                            "GroupId": splice(&name_of(ResourceKind::SecurityGroup, group))
                        }))]);
                    }
                    RulePeer::PrefixList(list) => {
                        permission["PrefixListIds"] =
                            json!([described(json!({"PrefixListId": data(list)}))]);
                    }
                }
                let direction = if *egress { "egress" } else { "ingress" };
                let _ = writeln!(
                    out,
                    "tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-{direction} \\\n  --group-id {} \\\n  --ip-permissions {} > /dev/null",
                    var(ResourceKind::SecurityGroup, security_group),
                    json_word(&json!([permission]))
                );
            }
            ResourceSpec::Route(RouteSpec {
                route_table,
                destination,
                target,
            }) => {
                // The planner builds routes to route targets only.
                let Some(via) = crate::plan::route_target_of(target.kind) else {
                    continue;
                };
                let target_flag = via.cli_option();
                let arguments = format!(
                    "--route-table-id {} \\\n  --destination-cidr-block {} {target_flag} {}",
                    var(ResourceKind::RouteTable, route_table),
                    q(destination),
                    var(target.kind, &target.logical_id)
                );
                let _ = writeln!(
                    out,
                    "if ! tolerate RouteAlreadyExists aws ec2 create-route {arguments} > /dev/null; then exit 1; fi\naws ec2 replace-route {arguments}"
                );
            }
            ResourceSpec::RouteTableAssociation(RouteTableAssociationSpec {
                route_table,
                subnet,
            }) => {
                let _ = writeln!(
                    out,
                    "tolerate Resource.AlreadyAssociated aws ec2 associate-route-table \\\n  --route-table-id {} --subnet-id {} > /dev/null",
                    var(ResourceKind::RouteTable, route_table),
                    var(ResourceKind::Subnet, subnet)
                );
            }
            ResourceSpec::Instance(InstanceSpec {
                subnet,
                security_groups,
                placement_group,
                instance_type,
                image_id,
                efa,
            }) => {
                let groups: Vec<Value> = security_groups
                    .iter()
                    .map(|g| splice(&name_of(ResourceKind::SecurityGroup, g)))
                    .collect();
                let mut interface = json!({
                    "DeviceIndex": 0,
                    "SubnetId": splice(&name_of(ResourceKind::Subnet, subnet)),
                    "Groups": groups,
                });
                if *efa {
                    interface["InterfaceType"] = json!("efa");
                }
                let placement = placement_group
                    .as_ref()
                    .map(|g| {
                        format!(
                            " \\\n    --placement {}",
                            json_word(&json!({
                                "GroupName": splice(&name_of(ResourceKind::PlacementGroup, g))
                            }))
                        )
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-instances --filters {} \\\n  --query 'Reservations[0].Instances[0].InstanceId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 run-instances --image-id {} --instance-type {} --count 1 \\\n    --network-interfaces {}{placement} \\\n    --metadata-options HttpEndpoint=enabled,HttpTokens=required,HttpPutResponseHopLimit={hops} \\\n    --tag-specifications {} \\\n    --query 'Instances[0].InstanceId' --output text)\nfi",
                    filters(&[("instance-state-name", &["pending", "running"])]),
                    q(image_id),
                    q(instance_type),
                    json_word(&json!([interface])),
                    tags("instance"),
                    hops = crate::plan::INSTANCE_METADATA_HOP_LIMIT
                );
            }
            ResourceSpec::FlowLog(FlowLogSpec {
                vpc,
                destination,
                destination_type,
                traffic_type,
                delivery_role_arn,
                max_aggregation_interval,
            }) => {
                let role = delivery_role_arn
                    .as_ref()
                    .map(|role| format!(" \\\n    --deliver-logs-permission-arn {}", q(role)))
                    .unwrap_or_default();
                // EC2 answers a destination it cannot use with an "unsuccessful" item, not an
                // error: the script stops with its message.
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-flow-logs --filter {} \\\n  --query 'FlowLogs[0].FlowLogId' --output text)\nif ! found \"${own}\"; then\n  created=$(aws ec2 create-flow-logs --resource-type VPC --resource-ids {} \\\n    --traffic-type {} --log-destination-type {} \\\n    --log-destination {} --max-aggregation-interval {max_aggregation_interval}{role} \\\n    --tag-specifications {} \\\n    --query '[FlowLogIds[0], Unsuccessful[0].Error.Message]' --output text)\n  {own}=\"${{created%%$'\\t'*}}\"\n  if ! found \"${own}\"; then\n    printf 'flow logs of %s: %s\\n' {} \"${{created#*$'\\t'}}\" >&2\n    exit 1\n  fi\nfi",
                    filters(&[]),
                    var(ResourceKind::Vpc, vpc),
                    q(traffic_type),
                    q(destination_type),
                    q(destination),
                    tags("vpc-flow-log"),
                    q(vpc)
                );
            }
            ResourceSpec::DhcpOptions(DhcpOptionsSpec {
                domain_name,
                domain_name_servers,
                ntp_servers,
            }) => {
                let mut configurations = Vec::new();
                let values = |items: &[String]| items.iter().map(|i| data(i)).collect::<Vec<_>>();
                if let Some(domain_name) = domain_name {
                    configurations
                        .push(json!({"Key": "domain-name", "Values": [data(domain_name)]}));
                }
                if !domain_name_servers.is_empty() {
                    configurations.push(json!({"Key": "domain-name-servers", "Values": values(domain_name_servers)}));
                }
                if !ntp_servers.is_empty() {
                    configurations
                        .push(json!({"Key": "ntp-servers", "Values": values(ntp_servers)}));
                }
                let _ = writeln!(
                    out,
                    "{own}=$(aws ec2 describe-dhcp-options --filters {} \\\n  --query 'DhcpOptions[0].DhcpOptionsId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-dhcp-options --dhcp-configurations {} \\\n    --tag-specifications {} \\\n    --query 'DhcpOptions.DhcpOptionsId' --output text)\nfi",
                    filters(&[]),
                    json_word(&Value::Array(configurations)),
                    tags("dhcp-options")
                );
            }
            ResourceSpec::DhcpOptionsAssociation(DhcpOptionsAssociationSpec {
                vpc,
                dhcp_options,
            }) => {
                let _ = writeln!(
                    out,
                    "aws ec2 associate-dhcp-options --dhcp-options-id {} --vpc-id {}",
                    var(ResourceKind::DhcpOptions, dhcp_options),
                    var(ResourceKind::Vpc, vpc)
                );
            }
            ResourceSpec::VpcCidrBlock(VpcCidrBlockSpec { vpc, cidr_block }) => {
                let _ = writeln!(
                    out,
                    "associate_cidr_block {} {}",
                    var(ResourceKind::Vpc, vpc),
                    q(cidr_block)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "\nprintf '%s is in place (design id %s)\\n' {} \"$DESIGN_ID\"",
        q(&design.name)
    );
    out
}

/// The script that deletes everything the apply script (or Moat) created for the design,
/// found by its tags, dependents first. Safe to run again.
/// The teardown of one kind, every resource of the design of that kind, in shell; the
/// script runs them in the catalogue's teardown order. Kinds that go with another say so.
fn teardown_block(kind: ResourceKind) -> Option<&'static str> {
    match kind {
        ResourceKind::Vpc => Some(
            r#"echo "VPCs"
for id in $(aws ec2 describe-vpcs --filters "$design_filter" --query 'Vpcs[].VpcId' --output text); do
  aws ec2 delete-vpc --vpc-id "$id"
done
"#,
        ),
        ResourceKind::CustomerGateway => Some(
            r#"echo "customer gateways"
for id in $(aws ec2 describe-customer-gateways --filters "$design_filter" Name=state,Values=available,pending \
  --query 'CustomerGateways[].CustomerGatewayId' --output text); do
  aws ec2 delete-customer-gateway --customer-gateway-id "$id"
done
"#,
        ),
        ResourceKind::PlacementGroup => Some(
            r#"echo "placement groups"
for name in $(aws ec2 describe-placement-groups --filters "$design_filter" --query 'PlacementGroups[].GroupName' --output text); do
  aws ec2 delete-placement-group --group-name "$name"
done
"#,
        ),
        ResourceKind::Subnet => Some(
            r#"echo "subnets"
for id in $(aws ec2 describe-subnets --filters "$design_filter" --query 'Subnets[].SubnetId' --output text); do
  aws ec2 delete-subnet --subnet-id "$id"
done
"#,
        ),
        ResourceKind::InternetGateway => Some(
            r#"echo "internet gateways"
for id in $(aws ec2 describe-internet-gateways --filters "$design_filter" --query 'InternetGateways[].InternetGatewayId' --output text); do
  for vpc in $(aws ec2 describe-internet-gateways --internet-gateway-ids "$id" \
    --query 'InternetGateways[0].Attachments[].VpcId' --output text); do
    aws ec2 detach-internet-gateway --internet-gateway-id "$id" --vpc-id "$vpc"
  done
  aws ec2 delete-internet-gateway --internet-gateway-id "$id"
done
"#,
        ),
        ResourceKind::VpnGateway => Some(
            r#"echo "VPN gateways"
for id in $(aws ec2 describe-vpn-gateways --filters "$design_filter" Name=state,Values=available,pending \
  --query 'VpnGateways[].VpnGatewayId' --output text); do
  for vpc in $(aws ec2 describe-vpn-gateways --vpn-gateway-ids "$id" \
    --query "VpnGateways[0].VpcAttachments[?State=='attached'].VpcId" --output text); do
    aws ec2 detach-vpn-gateway --vpn-gateway-id "$id" --vpc-id "$vpc"
  done
  aws ec2 delete-vpn-gateway --vpn-gateway-id "$id"
done
"#,
        ),
        ResourceKind::SecurityGroup => Some(
            r#"echo "security groups"
for id in $(aws ec2 describe-security-groups --filters "$design_filter" --query 'SecurityGroups[].GroupId' --output text); do
  aws ec2 delete-security-group --group-id "$id"
done
"#,
        ),
        ResourceKind::RouteTable => Some(
            r#"echo "route tables (the main one is the VPC's own: only its tags go)"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  main=$(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query 'length(RouteTables[0].Associations[?Main==`true`])' --output text)
  if [ "$main" = 0 ]; then
    aws ec2 delete-route-table --route-table-id "$table"
  else
    aws ec2 delete-tags --resources "$table" --tags Key=moat:design-id Key=moat:logical-id
  fi
done
"#,
        ),
        ResourceKind::NetworkAcl => Some(
            r#"echo "network ACLs"
for id in $(aws ec2 describe-network-acls --filters "$design_filter" --query 'NetworkAcls[].NetworkAclId' --output text); do
  aws ec2 delete-network-acl --network-acl-id "$id"
done
"#,
        ),
        ResourceKind::ElasticIp => Some(
            r#"echo "Elastic IPs"
for id in $(aws ec2 describe-addresses --filters "$design_filter" --query 'Addresses[].AllocationId' --output text); do
  aws ec2 release-address --allocation-id "$id"
done
"#,
        ),
        ResourceKind::NatGateway => Some(
            r#"echo "NAT gateways"
nats=$(aws ec2 describe-nat-gateways --filter "$design_filter" Name=state,Values=pending,available \
  --query 'NatGateways[].NatGatewayId' --output text)
for id in $nats; do
  aws ec2 delete-nat-gateway --nat-gateway-id "$id" > /dev/null
done
if [ -n "$nats" ]; then
  aws ec2 wait nat-gateway-deleted --nat-gateway-ids $nats
fi
"#,
        ),
        ResourceKind::VpnConnection => Some(
            r#"echo "VPN connections"
for id in $(aws ec2 describe-vpn-connections --filters "$design_filter" Name=state,Values=available,pending \
  --query 'VpnConnections[].VpnConnectionId' --output text); do
  aws ec2 delete-vpn-connection --vpn-connection-id "$id"
done
"#,
        ),
        // One call deletes both kinds of endpoint: the interface endpoints' block.
        ResourceKind::GatewayEndpoint => None,
        ResourceKind::InterfaceEndpoint => Some(
            r#"echo "endpoints"
endpoints=$(aws ec2 describe-vpc-endpoints --filters "$design_filter" Name=vpc-endpoint-state,Values=available,pending \
  --query 'VpcEndpoints[].VpcEndpointId' --output text)
if [ -n "$endpoints" ]; then
  aws ec2 delete-vpc-endpoints --vpc-endpoint-ids $endpoints > /dev/null
fi
"#,
        ),
        ResourceKind::SecurityGroupRule => Some(
            r#"echo "security group rules (groups can only go once no rule names them)"
for group in $(aws ec2 describe-security-groups --filters "$design_filter" --query 'SecurityGroups[].GroupId' --output text); do
  ingress=$(aws ec2 describe-security-groups --group-ids "$group" --query 'SecurityGroups[0].IpPermissions' --output json)
  egress=$(aws ec2 describe-security-groups --group-ids "$group" --query 'SecurityGroups[0].IpPermissionsEgress' --output json)
  if [ "$ingress" != "[]" ]; then
    aws ec2 revoke-security-group-ingress --group-id "$group" --ip-permissions "$ingress" > /dev/null
  fi
  if [ "$egress" != "[]" ]; then
    aws ec2 revoke-security-group-egress --group-id "$group" --ip-permissions "$egress" > /dev/null
  fi
done
"#,
        ),
        // Entries go with their ACL (the default ACL's are AWS's).
        ResourceKind::NetworkAclEntry => None,
        ResourceKind::NetworkAclAssociation => Some(
            r#"echo "network ACL associations (each subnet goes back to its VPC's default ACL)"
for acl in $(aws ec2 describe-network-acls --filters "$design_filter" --query 'NetworkAcls[].NetworkAclId' --output text); do
  vpc=$(aws ec2 describe-network-acls --network-acl-ids "$acl" --query 'NetworkAcls[0].VpcId' --output text)
  default_acl=$(aws ec2 describe-network-acls --filters Name=vpc-id,Values="$vpc" Name=default,Values=true \
    --query 'NetworkAcls[0].NetworkAclId' --output text)
  for association in $(aws ec2 describe-network-acls --network-acl-ids "$acl" \
    --query 'NetworkAcls[0].Associations[].NetworkAclAssociationId' --output text); do
    aws ec2 replace-network-acl-association --association-id "$association" --network-acl-id "$default_acl" > /dev/null
  done
done
"#,
        ),
        ResourceKind::Route => Some(
            r#"echo "routes"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  for destination in $(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query "RouteTables[0].Routes[?GatewayId!='local' && DestinationCidrBlock!=null].DestinationCidrBlock" --output text); do
    aws ec2 delete-route --route-table-id "$table" --destination-cidr-block "$destination"
  done
done
"#,
        ),
        ResourceKind::RouteTableAssociation => Some(
            r#"echo "route table associations"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  for association in $(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query 'RouteTables[0].Associations[?Main!=`true`].RouteTableAssociationId' --output text); do
    aws ec2 disassociate-route-table --association-id "$association"
  done
done
"#,
        ),
        ResourceKind::Instance => Some(
            r#"echo "instances"
for id in $(aws ec2 describe-instances --filters "$design_filter" Name=instance-state-name,Values=pending,running,stopped \
  --query 'Reservations[].Instances[].InstanceId' --output text); do
  aws ec2 terminate-instances --instance-ids "$id" > /dev/null
  aws ec2 wait instance-terminated --instance-ids "$id"
done
"#,
        ),
        // Deleting a VPC releases its secondary blocks.
        ResourceKind::VpcCidrBlock => None,
        ResourceKind::DhcpOptionsAssociation => Some(
            r#"echo "DHCP option set associations (each VPC goes back to AWS's default set)"
for vpc in $(aws ec2 describe-vpcs --filters "$design_filter" --query 'Vpcs[].VpcId' --output text); do
  aws ec2 associate-dhcp-options --dhcp-options-id default --vpc-id "$vpc"
done
"#,
        ),
        ResourceKind::DhcpOptions => Some(
            r#"echo "DHCP option sets"
for id in $(aws ec2 describe-dhcp-options --filters "$design_filter" --query 'DhcpOptions[].DhcpOptionsId' --output text); do
  aws ec2 delete-dhcp-options --dhcp-options-id "$id"
done
"#,
        ),
        ResourceKind::FlowLog => Some(
            r#"echo "flow logs"
flow_logs=$(aws ec2 describe-flow-logs --filter "$design_filter" --query 'FlowLogs[].FlowLogId' --output text)
if [ -n "$flow_logs" ]; then
  aws ec2 delete-flow-logs --flow-log-ids $flow_logs > /dev/null
fi
"#,
        ),
    }
}

pub fn teardown_script(design: &Design, design_id: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env bash");
    let _ = writeln!(
        out,
        "# {} ({}): deletes everything tagged with the design. Exported by Moat.",
        comment_text(&design.name),
        comment_text(&design.region)
    );
    out.push_str(&prelude(design, design_id));
    out.push_str("\ndesign_filter=\"Name=tag:moat:design-id,Values=$DESIGN_ID\"\n");
    // Generated from the catalogue's rank: the reverse of creation.
    for kind in crate::plan::catalog::teardown_order() {
        if let Some(block) = teardown_block(kind) {
            out.push('\n');
            out.push_str(block);
        }
    }
    let _ = writeln!(
        out,
        "\nprintf '%s is gone (design id %s)\\n' {} \"$DESIGN_ID\"",
        q(&design.name)
    );
    out
}
