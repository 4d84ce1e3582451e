//! An internet gateway, attached to its VPC.
//!
//! Each resource kind: what creating one needs, its row of the resource catalogue, and the
//! attributes the planner compares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Resource;
use crate::plan::catalog::{NO_ATTRIBUTES, ResourceFacts};
use crate::plan::*;

/// An internet gateway, attached to its VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InternetGatewaySpec {
    pub vpc: String,
}

impl Resource for InternetGatewaySpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "internet_gateway",
        rank: 7,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::InternetGateway",
        terraform_type: "aws_internet_gateway",
        ec2_resource_type: "internet-gateway",
        create_actions: &[
            "ec2:CreateInternetGateway",
            "ec2:AttachInternetGateway",
            "ec2:CreateTags",
        ],
        delete_actions: &["ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"],
        read_actions: &["ec2:DescribeInternetGateways"],
        not_found_code: Some("InvalidInternetGatewayID.NotFound"),
        aws_id_prefix: Some("igw-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let InternetGatewaySpec { vpc } = self;
        attributes([("vpc", vpc.clone())])
    }
}
