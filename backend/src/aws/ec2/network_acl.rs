//! A network ACL, its entries and its subnet associations (a subnet goes back to its VPC's default ACL).

use std::collections::{BTreeMap, HashMap};

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, PortRange, RuleAction};
use shared::plan::{ObservedResource, ResourceKey, ResourceKind, ResourceKind as K};

use super::calls::*;
use super::inventory::Inventory;
use super::{Creating, Ec2Network};
use crate::aws::sdk::service_error;
use crate::aws::{AwsError, ResolvedIds};

pub(super) async fn create(creating: Creating<'_>, vpc: &str) -> Result<String, AwsError> {
    let Creating {
        client,
        ids,
        tags,
        existing,
        ..
    } = creating;
    // Found by its tags on a retry: nothing else to do for it.
    if let Some(id) = existing {
        return Ok(id);
    }
    Ok(client
        .create_network_acl()
        .vpc_id(ids.get(K::Vpc, vpc)?)
        .tag_specifications(tag_specification(K::NetworkAcl, tags))
        .send()
        .await
        .map_err(|e| service_error("CreateNetworkAcl", e))?
        .network_acl()
        .and_then(|a| a.network_acl_id())
        .ok_or(missing("CreateNetworkAcl", "an ACL id"))?
        .to_string())
}

pub(super) async fn create_entry(
    creating: Creating<'_>,
    network_acl: &str,
    entry: &Entry<'_>,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        ids,
        ..
    } = creating;
    let acl_id = ids.get(K::NetworkAcl, network_acl)?;
    let created = network.put_acl_entry(client, acl_id, entry, false).await;
    match created {
        Err(error) if already_exists(&error) => {
            network.put_acl_entry(client, acl_id, entry, true).await?;
        }
        other => other?,
    }
    Ok(format!(
        "{acl_id}:{}:{}",
        egress_word(entry.egress),
        entry.rule_number
    ))
}

pub(super) async fn create_association(
    creating: Creating<'_>,
    network_acl: &str,
    subnet: &str,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        ids,
        ..
    } = creating;
    let subnet_id = ids.get(K::Subnet, subnet)?;
    let (association_id, _) = network.acl_association_of(client, subnet_id).await?;
    Ok(client
        .replace_network_acl_association()
        .association_id(association_id)
        .network_acl_id(ids.get(K::NetworkAcl, network_acl)?)
        .send()
        .await
        .map_err(|e| service_error("ReplaceNetworkAclAssociation", e))?
        .new_association_id()
        .ok_or(missing("ReplaceNetworkAclAssociation", "an association id"))?
        .to_string())
}

pub(super) async fn update_association(
    client: &Client,
    network_acl: &str,
    ids: &ResolvedIds,
    aws_id: &str,
) -> Result<String, AwsError> {
    Ok(client
        .replace_network_acl_association()
        .association_id(aws_id)
        .network_acl_id(ids.get(K::NetworkAcl, network_acl)?)
        .send()
        .await
        .map_err(|e| service_error("ReplaceNetworkAclAssociation", e))?
        .new_association_id()
        .ok_or(missing("ReplaceNetworkAclAssociation", "an association id"))?
        .to_string())
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_network_acl()
        .network_acl_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteNetworkAcl", e))
}

pub(super) async fn delete_entry(
    client: &Client,
    observed: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let hidden = |name: &str| observed.get(name).cloned().unwrap_or_default();
    client
        .delete_network_acl_entry()
        .network_acl_id(hidden("_acl_id"))
        .rule_number(hidden("_rule_number").parse().unwrap_or_default())
        .egress(hidden("_egress") == "true")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteNetworkAclEntry", e))
}

pub(super) async fn delete_association(
    client: &Client,
    aws_id: &str,
    observed: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let hidden = |name: &str| observed.get(name).cloned().unwrap_or_default();

    // A subnet always has an ACL: it goes back to the VPC's default one.
    let default_acl = hidden("_default_acl_id");
    client
        .replace_network_acl_association()
        .association_id(aws_id)
        .network_acl_id(default_acl)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("ReplaceNetworkAclAssociation", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client.delete_network_acl().network_acl_id("acl-00000000"),
            "DeleteNetworkAcl"
        )
    } else {
        send_dry_run!(
            client.create_network_acl().vpc_id("vpc-00000000"),
            "CreateNetworkAcl"
        )
    }
}

pub(super) async fn dry_run_entry(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .delete_network_acl_entry()
                .network_acl_id("acl-00000000")
                .rule_number(100)
                .egress(false),
            "DeleteNetworkAclEntry"
        )
    } else {
        send_dry_run!(
            client
                .create_network_acl_entry()
                .network_acl_id("acl-00000000")
                .rule_number(100)
                .egress(false)
                .protocol("-1")
                .rule_action(RuleAction::Allow)
                .cidr_block("0.0.0.0/0"),
            "CreateNetworkAclEntry"
        )
    }
}

pub(super) async fn dry_run_association(client: &Client) -> Result<(), AwsError> {
    send_dry_run!(
        client
            .replace_network_acl_association()
            .association_id("aclassoc-00000000")
            .network_acl_id("acl-00000000"),
        "ReplaceNetworkAclAssociation"
    )
}

pub(super) async fn read(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    let wants = |kind: ResourceKind| kinds.contains(&kind);
    if wants(K::NetworkAcl) {
        let acls = with_retries(|| async {
            client
                .describe_network_acls()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeNetworkAcls", e))
        })
        .await?;
        for acl in acls.network_acls() {
            let (Some(logical_id), Some(id)) =
                (owned_by(acl.tags(), design_id), acl.network_acl_id())
            else {
                continue;
            };
            let vpc = inventory.logical_of(acl.vpc_id().unwrap_or_default());
            inventory.add(K::NetworkAcl, logical_id, id, pairs([("vpc", vpc)]));
            inventory
                .network_acls
                .push((logical_id.to_string(), id.to_string(), acl.clone()));
        }
    }
    Ok(())
}

pub(super) async fn read_contents(
    inventory: &mut Inventory,
    client: &Client,
) -> Result<(), AwsError> {
    let acl_rows = std::mem::take(&mut inventory.network_acls);
    if !acl_rows.is_empty() {
        // The VPCs' default ACLs, where a subnet goes back to when its association goes.
        let mut default_acls: HashMap<String, String> = HashMap::new();
        let acls = with_retries(|| async {
            client
                .describe_network_acls()
                .filters(Filter::builder().name("default").values("true").build())
                .send()
                .await
                .map_err(|e| service_error("DescribeNetworkAcls", e))
        })
        .await?;
        for acl in acls.network_acls() {
            if let (Some(vpc_id), Some(id)) = (acl.vpc_id(), acl.network_acl_id()) {
                default_acls.insert(vpc_id.to_string(), id.to_string());
            }
        }
        for (acl_logical, acl_id, acl) in &acl_rows {
            for entry in acl.entries() {
                let rule_number = entry.rule_number().unwrap_or_default();
                if rule_number >= 32_767 {
                    continue;
                }
                let egress = entry.egress().unwrap_or(false);
                let (from_port, to_port) = entry
                    .port_range()
                    .map(|r| (r.from().unwrap_or(-1), r.to().unwrap_or(-1)))
                    .unwrap_or((-1, -1));
                let protocol = entry.protocol().unwrap_or("-1").to_string();
                let (from_port, to_port) = match protocol.as_str() {
                    "-1" => (-1, -1),
                    "1" => entry
                        .icmp_type_code()
                        .map(|c| (c.r#type().unwrap_or(-1), c.code().unwrap_or(-1)))
                        .unwrap_or((-1, -1)),
                    _ => (from_port, to_port),
                };
                inventory.observed.push(ObservedResource {
                    key: ResourceKey::new(
                        K::NetworkAclEntry,
                        format!("{acl_logical}/{}/{rule_number}", egress_word(egress)),
                    ),
                    aws_id: format!("{acl_id}:{}:{rule_number}", egress_word(egress)),
                    attributes: pairs([
                        ("protocol", protocol),
                        ("ports", format!("{from_port}-{to_port}")),
                        ("cidr", entry.cidr_block().unwrap_or_default().to_string()),
                        (
                            "allow",
                            (entry.rule_action() == Some(&RuleAction::Allow)).to_string(),
                        ),
                        ("_acl_id", acl_id.clone()),
                        ("_rule_number", rule_number.to_string()),
                        ("_egress", egress.to_string()),
                    ]),
                });
            }
            let default_acl = default_acls
                .get(acl.vpc_id().unwrap_or_default())
                .cloned()
                .unwrap_or_default();
            for association in acl.associations() {
                let (Some(subnet_id), Some(association_id)) = (
                    association.subnet_id(),
                    association.network_acl_association_id(),
                ) else {
                    continue;
                };
                let Some((_, subnet_logical)) = inventory.logical.get(subnet_id) else {
                    continue;
                };
                inventory.observed.push(ObservedResource {
                    key: ResourceKey::new(
                        K::NetworkAclAssociation,
                        format!("{subnet_logical}/network-acl"),
                    ),
                    aws_id: association_id.to_string(),
                    attributes: pairs([
                        ("network_acl", acl_logical.clone()),
                        ("_default_acl_id", default_acl.clone()),
                    ]),
                });
            }
        }
    }
    Ok(())
}

/// One entry of a network ACL, as the planner states it.
#[derive(Clone, Copy)]
pub(super) struct Entry<'a> {
    pub(super) rule_number: u32,
    pub(super) egress: bool,
    /// IANA number as a string, `-1` for all.
    pub(super) protocol: &'a str,
    pub(super) from_port: i32,
    pub(super) to_port: i32,
    pub(super) cidr: &'a str,
    pub(super) allow: bool,
}

impl Ec2Network {
    async fn put_acl_entry(
        &self,
        client: &Client,
        acl_id: &str,
        entry: &Entry<'_>,
        replace: bool,
    ) -> Result<(), AwsError> {
        let Entry {
            rule_number,
            egress,
            protocol,
            from_port,
            to_port,
            cidr,
            allow,
        } = *entry;
        let action = if allow {
            RuleAction::Allow
        } else {
            RuleAction::Deny
        };
        let rule_number = i32::try_from(rule_number).unwrap_or(i32::MAX);
        // Ports for TCP and UDP, every ICMP type and code for ICMP (which EC2 requires), and
        // nothing for all protocols: as the three code exports write them.
        let ports = matches!(protocol, "6" | "17")
            .then(|| PortRange::builder().from(from_port).to(to_port).build());
        let icmp = (protocol == "1").then(|| {
            aws_sdk_ec2::types::IcmpTypeCode::builder()
                .r#type(-1)
                .code(-1)
                .build()
        });
        if replace {
            client
                .replace_network_acl_entry()
                .network_acl_id(acl_id)
                .rule_number(rule_number)
                .egress(egress)
                .protocol(protocol)
                .rule_action(action)
                .cidr_block(cidr)
                .set_port_range(ports)
                .set_icmp_type_code(icmp)
                .send()
                .await
                .map_err(|e| service_error("ReplaceNetworkAclEntry", e))?;
        } else {
            client
                .create_network_acl_entry()
                .network_acl_id(acl_id)
                .rule_number(rule_number)
                .egress(egress)
                .protocol(protocol)
                .rule_action(action)
                .cidr_block(cidr)
                .set_port_range(ports)
                .set_icmp_type_code(icmp)
                .send()
                .await
                .map_err(|e| service_error("CreateNetworkAclEntry", e))?;
        }
        Ok(())
    }
    /// The subnet's network ACL association (every subnet has one) and its ACL.
    async fn acl_association_of(
        &self,
        client: &Client,
        subnet_id: &str,
    ) -> Result<(String, String), AwsError> {
        let acls = with_retries(|| async {
            client
                .describe_network_acls()
                .filters(
                    Filter::builder()
                        .name("association.subnet-id")
                        .values(subnet_id)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| service_error("DescribeNetworkAcls", e))
        })
        .await?;
        acls.network_acls()
            .iter()
            .find_map(|acl| {
                acl.associations()
                    .iter()
                    .find(|a| a.subnet_id() == Some(subnet_id))
                    .and_then(|a| a.network_acl_association_id())
                    .map(|a| {
                        (
                            a.to_string(),
                            acl.network_acl_id().unwrap_or_default().to_string(),
                        )
                    })
            })
            .ok_or(AwsError::Service {
                endpoint: None,
                request_id: Default::default(),
                status: Default::default(),
                operation: "DescribeNetworkAcls",
                code: "InvalidAssociationID.NotFound".into(),
                message: format!("no network ACL association for {subnet_id} yet"),
            })
    }
}

fn egress_word(egress: bool) -> &'static str {
    if egress { "egress" } else { "ingress" }
}
