//! A VPC's secondary IPv4 blocks: associated (and waited on, so a subnet in one can be made),
//! disassociated, dry-run, and read back from the VPC's association set. A block cannot
//! change: another block is another association (the plan replaces it).

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::VpcCidrBlockStateCode;
use shared::plan::{ResourceKind as K, cidr_block_logical_id};

use super::calls::*;
use super::inventory::Inventory;
use super::{Creating, Ec2Network};
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

/// The association of `cidr_block` with `vpc_id` and its state, if the VPC has one.
async fn association_of(
    client: &Client,
    vpc_id: &str,
    cidr_block: &str,
) -> Result<Option<(String, Option<VpcCidrBlockStateCode>)>, AwsError> {
    let answer = client
        .describe_vpcs()
        .vpc_ids(vpc_id)
        .send()
        .await
        .map_err(|e| service_error("DescribeVpcs", e))?;
    Ok(answer
        .vpcs()
        .first()
        .into_iter()
        .flat_map(|vpc| vpc.cidr_block_association_set())
        .filter(|association| association.cidr_block() == Some(cidr_block))
        .filter(|association| {
            !matches!(
                association.cidr_block_state().and_then(|s| s.state()),
                Some(VpcCidrBlockStateCode::Disassociated | VpcCidrBlockStateCode::Failed)
            )
        })
        .find_map(|association| {
            let id = association.association_id()?.to_string();
            Some((
                id,
                association
                    .cidr_block_state()
                    .and_then(|s| s.state())
                    .cloned(),
            ))
        }))
}

pub(super) async fn create(
    creating: Creating<'_>,
    vpc: &str,
    cidr_block: &str,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        ids,
        ..
    } = creating;
    let vpc_id = ids.get(K::Vpc, vpc)?;
    // A retried apply finds the block it associated before (associations carry no tags).
    let association_id = match association_of(client, vpc_id, cidr_block).await? {
        Some((id, _)) => id,
        None => client
            .associate_vpc_cidr_block()
            .vpc_id(vpc_id)
            .cidr_block(cidr_block)
            .send()
            .await
            .map_err(|e| service_error("AssociateVpcCidrBlock", e))?
            .cidr_block_association()
            .and_then(|association| association.association_id())
            .map(str::to_string)
            .ok_or(AwsError::IncompleteAnswer {
                operation: "AssociateVpcCidrBlock",
                missing: "an association id",
            })?,
    };
    network.wait_associated(client, vpc_id, cidr_block).await?;
    Ok(association_id)
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .disassociate_vpc_cidr_block()
        .association_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DisassociateVpcCidrBlock", e))
}

/// EC2's AssociateVpcCidrBlock and DisassociateVpcCidrBlock take no `DryRun`: the preflight
/// cannot ask, so it assumes the permission (the exported IAM policy grants both) and a missing
/// one fails the step itself, with AWS's own error.
pub(super) async fn dry_run(_client: &Client, _deleting: bool) -> Result<(), AwsError> {
    Ok(())
}

/// The secondary blocks of the design's VPCs, from the association sets the VPCs' read saw
/// (the primary block is the VPC's own attribute).
pub(super) fn read(inventory: &mut Inventory, vpcs: &[aws_sdk_ec2::types::Vpc], design_id: &str) {
    for vpc in vpcs {
        let Some(logical_id) = owned_by(vpc.tags(), design_id) else {
            continue;
        };
        for association in vpc.cidr_block_association_set() {
            let (Some(block), Some(association_id)) =
                (association.cidr_block(), association.association_id())
            else {
                continue;
            };
            let live = matches!(
                association.cidr_block_state().and_then(|s| s.state()),
                Some(VpcCidrBlockStateCode::Associated | VpcCidrBlockStateCode::Associating)
            );
            if !live || Some(block) == vpc.cidr_block() {
                continue;
            }
            inventory.add(
                K::VpcCidrBlock,
                &cidr_block_logical_id(logical_id, block),
                association_id,
                pairs([
                    ("vpc", logical_id.to_string()),
                    ("cidr_block", block.to_string()),
                ]),
            );
        }
    }
}

impl Ec2Network {
    /// Waits until the block is associated: before that, a subnet in it is refused
    /// (`InvalidSubnet.Range`).
    async fn wait_associated(
        &self,
        client: &Client,
        vpc_id: &str,
        cidr_block: &str,
    ) -> Result<(), AwsError> {
        self.wait_for("DescribeVpcs", || async {
            match association_of(client, vpc_id, cidr_block).await? {
                Some((_, Some(VpcCidrBlockStateCode::Associated))) => Ok(Some(())),
                Some(_) => Ok(None),
                None => Err(AwsError::Service {
                    endpoint: None,
                    request_id: Default::default(),
                    status: Default::default(),
                    operation: "AssociateVpcCidrBlock",
                    code: "Moat.CidrBlockNotAssociated".into(),
                    message: format!("block {cidr_block} of VPC {vpc_id} failed to associate"),
                }),
            }
        })
        .await
    }
}
