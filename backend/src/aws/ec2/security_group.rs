//! A security group and its rules (each rule a resource of its own, found through its group).

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{IpPermission, IpRange, PrefixListId, UserIdGroupPair};
use shared::plan::{
    ObservedResource, ResourceKey, ResourceKind, ResourceKind as K, RulePeer,
    security_group_rule_id,
};

use super::Creating;
use super::calls::*;
use super::inventory::Inventory;
use crate::aws::sdk::service_error;
use crate::aws::{AwsError, ResolvedIds};

pub(super) async fn create(
    creating: Creating<'_>,
    vpc: &str,
    name: &str,
    description: &str,
) -> Result<String, AwsError> {
    let Creating {
        client,
        ids,
        tags,
        existing,
        ..
    } = creating;
    let group_id = match existing {
        Some(id) => id,
        None => client
            .create_security_group()
            .group_name(name)
            .description(description)
            .vpc_id(ids.get(K::Vpc, vpc)?)
            .tag_specifications(tag_specification(K::SecurityGroup, tags))
            .send()
            .await
            .map_err(|e| service_error("CreateSecurityGroup", e))?
            .group_id()
            .ok_or(missing("CreateSecurityGroup", "a group id"))?
            .to_string(),
    };
    // A new group allows all egress; the design's egress rules are its own steps
    // (as Terraform does), so the default rule goes.
    let revoked = client
        .revoke_security_group_egress()
        .group_id(&group_id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .map_err(|e| service_error("RevokeSecurityGroupEgress", e));
    match revoked {
        Err(error) if already_gone(&error) => {}
        other => {
            other?;
        }
    }
    Ok(group_id)
}

/// One rule as the plan states it: its group and peer by logical id.
pub(super) struct Rule<'a> {
    pub security_group: &'a str,
    pub egress: bool,
    pub protocol: &'a str,
    pub from_port: i32,
    pub to_port: i32,
    pub peer: &'a RulePeer,
    pub description: Option<&'a str>,
}

impl Rule<'_> {
    /// Its group's AWS id and EC2's permission for it, with `description`.
    fn resolved<'i>(
        &self,
        ids: &'i ResolvedIds,
        description: Option<&str>,
    ) -> Result<(&'i str, IpPermission), AwsError> {
        let group_id = ids.get(K::SecurityGroup, self.security_group)?;
        let peer_group_id = match self.peer {
            RulePeer::SecurityGroup(peer_group) => Some(ids.get(K::SecurityGroup, peer_group)?),
            RulePeer::Cidr(_) | RulePeer::PrefixList(_) => None,
        };
        let permission = permission(
            self.protocol,
            self.from_port,
            self.to_port,
            self.peer,
            peer_group_id,
            description,
        );
        Ok((group_id, permission))
    }
}

pub(super) async fn create_rule(
    creating: Creating<'_>,
    rule: Rule<'_>,
) -> Result<String, AwsError> {
    let Creating {
        client, ids, tags, ..
    } = creating;
    let (group_id, permission) = rule.resolved(ids, rule.description)?;
    let egress = rule.egress;
    let authorized = if egress {
        client
            .authorize_security_group_egress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error("AuthorizeSecurityGroupEgress", e))
    } else {
        client
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error("AuthorizeSecurityGroupIngress", e))
    };
    match authorized {
        Err(error) if already_exists(&error) => {}
        other => other?,
    }
    Ok(format!("{group_id}:{}", tags.logical_id))
}

/// A rule's description, changed in place (none removes it).
pub(super) async fn update_rule_description(
    client: &Client,
    ids: &ResolvedIds,
    rule: Rule<'_>,
    aws_id: &str,
) -> Result<String, AwsError> {
    // EC2 removes a description when the request leaves it out.
    let (group_id, permission) =
        rule.resolved(ids, rule.description.filter(|text| !text.is_empty()))?;
    let egress = rule.egress;
    if egress {
        client
            .update_security_group_rule_descriptions_egress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error("UpdateSecurityGroupRuleDescriptionsEgress", e))?;
    } else {
        client
            .update_security_group_rule_descriptions_ingress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error("UpdateSecurityGroupRuleDescriptionsIngress", e))?;
    }
    Ok(aws_id.to_string())
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_security_group()
        .group_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteSecurityGroup", e))
}

pub(super) async fn delete_rule(
    client: &Client,
    observed: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let hidden = |name: &str| observed.get(name).cloned().unwrap_or_default();

    let peer = match hidden("_peer_type").as_str() {
        "sg" => RulePeer::SecurityGroup(hidden("_peer")),
        "pl" => RulePeer::PrefixList(hidden("_peer")),
        _ => RulePeer::Cidr(hidden("_peer")),
    };
    let peer_group = match &peer {
        RulePeer::SecurityGroup(group) => Some(group.as_str()),
        _ => None,
    };
    let permission = permission(
        &hidden("_protocol"),
        hidden("_from_port").parse().unwrap_or(-1),
        hidden("_to_port").parse().unwrap_or(-1),
        &peer,
        peer_group,
        None,
    );
    let group_id = hidden("_group_id");
    if hidden("_egress") == "true" {
        client
            .revoke_security_group_egress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error("RevokeSecurityGroupEgress", e))
    } else {
        client
            .revoke_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error("RevokeSecurityGroupIngress", e))
    }
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    let placeholder = "moat-dry-run";
    if deleting {
        send_dry_run!(
            client.delete_security_group().group_id("sg-00000000"),
            "DeleteSecurityGroup"
        )
    } else {
        send_dry_run!(
            client
                .create_security_group()
                .group_name(placeholder)
                .description(placeholder)
                .vpc_id("vpc-00000000"),
            "CreateSecurityGroup"
        )
    }
}

pub(super) async fn dry_run_rule(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .revoke_security_group_ingress()
                .group_id("sg-00000000"),
            "RevokeSecurityGroupIngress"
        )
    } else {
        send_dry_run!(
            client
                .authorize_security_group_ingress()
                .group_id("sg-00000000"),
            "AuthorizeSecurityGroupIngress"
        )
    }
}

pub(super) async fn read(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    let wants = |kind: ResourceKind| kinds.contains(&kind);
    let mut group_rows = Vec::new();
    if wants(K::SecurityGroup) {
        let groups = with_retries(|| async {
            client
                .describe_security_groups()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeSecurityGroups", e))
        })
        .await?;
        for group in groups.security_groups() {
            let (Some(logical_id), Some(id)) =
                (owned_by(group.tags(), design_id), group.group_id())
            else {
                continue;
            };
            let vpc = inventory.logical_of(group.vpc_id().unwrap_or_default());
            inventory.add(
                K::SecurityGroup,
                logical_id,
                id,
                pairs([
                    ("vpc", vpc),
                    ("name", group.group_name().unwrap_or_default().to_string()),
                ]),
            );
            group_rows.push((logical_id.to_string(), id.to_string(), group.clone()));
        }
    }
    // Rules, once every group's logical id is known (rules name their peers).
    for (group_logical, group_id, group) in &group_rows {
        for (egress, permissions) in [
            (false, group.ip_permissions()),
            (true, group.ip_permissions_egress()),
        ] {
            for permission in permissions {
                // EC2 may name the protocol (`tcp`) or number it (`6`); the plan numbers it.
                let protocol = match permission.ip_protocol().unwrap_or("-1") {
                    "icmpv6" => "58".to_string(),
                    other => shared::model::Protocol::from_ec2(other)
                        .map(|protocol| protocol.ec2_number())
                        .unwrap_or_else(|| other.to_string()),
                };
                let (from_port, to_port) = if !shared::model::ec2_protocol_has_ports(&protocol) {
                    (-1, -1)
                } else {
                    (
                        permission.from_port().unwrap_or(-1),
                        permission.to_port().unwrap_or(-1),
                    )
                };
                // Each peer with the description EC2 keeps on it.
                let mut peers: Vec<(RulePeer, String, &str, Option<&str>)> = Vec::new();
                for range in permission.ip_ranges() {
                    let cidr = range.cidr_ip().unwrap_or_default().to_string();
                    peers.push((
                        RulePeer::Cidr(cidr.clone()),
                        cidr,
                        "cidr",
                        range.description(),
                    ));
                }
                for range in permission.ipv6_ranges() {
                    let cidr = range.cidr_ipv6().unwrap_or_default().to_string();
                    peers.push((
                        RulePeer::Cidr(cidr.clone()),
                        cidr,
                        "cidr",
                        range.description(),
                    ));
                }
                for pair in permission.user_id_group_pairs() {
                    let peer_id = pair.group_id().unwrap_or_default().to_string();
                    let peer_logical = inventory.logical_of(&peer_id);
                    peers.push((
                        RulePeer::SecurityGroup(peer_logical),
                        peer_id,
                        "sg",
                        pair.description(),
                    ));
                }
                for list in permission.prefix_list_ids() {
                    let list_id = list.prefix_list_id().unwrap_or_default().to_string();
                    peers.push((
                        RulePeer::PrefixList(list_id.clone()),
                        list_id,
                        "pl",
                        list.description(),
                    ));
                }
                for (peer, peer_aws, peer_type, description) in peers {
                    let rule_id = security_group_rule_id(
                        group_logical,
                        egress,
                        &protocol,
                        from_port,
                        to_port,
                        &peer,
                    );
                    let mut attributes = pairs([
                        ("_group_id", group_id.clone()),
                        ("_egress", egress.to_string()),
                        ("_protocol", protocol.clone()),
                        ("_from_port", from_port.to_string()),
                        ("_to_port", to_port.to_string()),
                        ("_peer_type", peer_type.to_string()),
                        ("_peer", peer_aws),
                    ]);
                    if let Some(text) = description.filter(|text| !text.is_empty()) {
                        attributes.insert("description".to_string(), text.to_string());
                    }
                    inventory.observed.push(ObservedResource {
                        key: ResourceKey::new(K::SecurityGroupRule, rule_id.clone()),
                        aws_id: format!("{group_id}:{rule_id}"),
                        attributes,
                    });
                }
            }
        }
    }
    Ok(())
}

fn permission(
    protocol: &str,
    from_port: i32,
    to_port: i32,
    peer: &RulePeer,
    peer_group_id: Option<&str>,
    description: Option<&str>,
) -> IpPermission {
    let mut builder = IpPermission::builder().ip_protocol(protocol);
    // A protocol by number carries the planned -1..-1: AWS ignores ports for it, and moto
    // answers HTTP 500 to a rule without them.
    if protocol != "-1" {
        builder = builder.from_port(from_port).to_port(to_port);
    }
    match peer {
        RulePeer::Cidr(cidr) => builder
            .ip_ranges(
                IpRange::builder()
                    .cidr_ip(cidr)
                    .set_description(description.map(str::to_string))
                    .build(),
            )
            .build(),
        RulePeer::SecurityGroup(_) => builder
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(peer_group_id.unwrap_or_default())
                    .set_description(description.map(str::to_string))
                    .build(),
            )
            .build(),
        RulePeer::PrefixList(list) => builder
            .prefix_list_ids(
                PrefixListId::builder()
                    .prefix_list_id(list)
                    .set_description(description.map(str::to_string))
                    .build(),
            )
            .build(),
    }
}
