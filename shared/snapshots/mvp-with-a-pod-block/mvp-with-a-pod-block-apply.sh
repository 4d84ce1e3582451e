#!/usr/bin/env bash
# mvp with a pod block (us-east-1): creates the network with the AWS CLI. Exported by Moat.
# Safe to run again: each resource is looked up by its Moat tags before it is created.
set -euo pipefail

REGION="${AWS_REGION:-}"
if [ -z "$REGION" ]; then
  REGION='us-east-1'
fi
DESIGN_ID="${MOAT_DESIGN_ID:-}"
if [ -z "$DESIGN_ID" ]; then
  DESIGN_ID='d-snapshot'
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

# vpc vpc-mvp
VPC_VPC_MVP=$(aws ec2 describe-vpcs --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpc-mvp"]}]' \
  --query 'Vpcs[0].VpcId' --output text)
if ! found "$VPC_VPC_MVP"; then
  VPC_VPC_MVP=$(aws ec2 create-vpc --cidr-block '10.0.0.0/16' \
    --tag-specifications '[{"ResourceType":"vpc","Tags":[{"Key":"Name","Value":"vpc-mvp"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpc-mvp"}]}]' \
    --query 'Vpc.VpcId' --output text)
fi
aws ec2 modify-vpc-attribute --vpc-id "$VPC_VPC_MVP" --enable-dns-support '{"Value":true}'
aws ec2 modify-vpc-attribute --vpc-id "$VPC_VPC_MVP" --enable-dns-hostnames '{"Value":true}'

# vpc_cidr_block vpc-mvp/cidr/100.64.0.0/16
associate_cidr_block "$VPC_VPC_MVP" '100.64.0.0/16'

# subnet subnet-public-a
SUBNET_SUBNET_PUBLIC_A=$(aws ec2 describe-subnets --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["subnet-public-a"]}]' \
  --query 'Subnets[0].SubnetId' --output text)
if ! found "$SUBNET_SUBNET_PUBLIC_A"; then
  SUBNET_SUBNET_PUBLIC_A=$(aws ec2 create-subnet --vpc-id "$VPC_VPC_MVP" --cidr-block '10.0.1.0/24' \
    --availability-zone 'us-east-1a' \
    --tag-specifications '[{"ResourceType":"subnet","Tags":[{"Key":"Name","Value":"subnet-public-a"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"subnet-public-a"}]}]' \
    --query 'Subnet.SubnetId' --output text)
fi
aws ec2 modify-subnet-attribute --subnet-id "$SUBNET_SUBNET_PUBLIC_A" --map-public-ip-on-launch

# subnet subnet-pods-a
SUBNET_SUBNET_PODS_A=$(aws ec2 describe-subnets --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["subnet-pods-a"]}]' \
  --query 'Subnets[0].SubnetId' --output text)
if ! found "$SUBNET_SUBNET_PODS_A"; then
  SUBNET_SUBNET_PODS_A=$(aws ec2 create-subnet --vpc-id "$VPC_VPC_MVP" --cidr-block '100.64.0.0/20' \
    --availability-zone 'us-east-1a' \
    --tag-specifications '[{"ResourceType":"subnet","Tags":[{"Key":"Name","Value":"subnet-pods-a"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"subnet-pods-a"}]}]' \
    --query 'Subnet.SubnetId' --output text)
fi
aws ec2 modify-subnet-attribute --subnet-id "$SUBNET_SUBNET_PODS_A" --no-map-public-ip-on-launch

# internet_gateway igw-mvp
INTERNET_GATEWAY_IGW_MVP=$(aws ec2 describe-internet-gateways --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["igw-mvp"]}]' \
  --query 'InternetGateways[0].InternetGatewayId' --output text)
if ! found "$INTERNET_GATEWAY_IGW_MVP"; then
  INTERNET_GATEWAY_IGW_MVP=$(aws ec2 create-internet-gateway \
    --tag-specifications '[{"ResourceType":"internet-gateway","Tags":[{"Key":"Name","Value":"igw-mvp"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"igw-mvp"}]}]' \
    --query 'InternetGateway.InternetGatewayId' --output text)
fi
if [ "$(aws ec2 describe-internet-gateways --internet-gateway-ids "$INTERNET_GATEWAY_IGW_MVP" \
  --query 'InternetGateways[0].Attachments[0].VpcId' --output text)" != "$VPC_VPC_MVP" ]; then
  aws ec2 attach-internet-gateway --internet-gateway-id "$INTERNET_GATEWAY_IGW_MVP" --vpc-id "$VPC_VPC_MVP"
fi

# security_group sg-notebook
SECURITY_GROUP_SG_NOTEBOOK=$(aws ec2 describe-security-groups --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["sg-notebook"]}]' \
  --query 'SecurityGroups[0].GroupId' --output text)
if ! found "$SECURITY_GROUP_SG_NOTEBOOK"; then
  SECURITY_GROUP_SG_NOTEBOOK=$(aws ec2 create-security-group --group-name 'notebook' --description 'SageMaker notebook: no inbound, all outbound' \
    --vpc-id "$VPC_VPC_MVP" --tag-specifications '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"sg-notebook"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"sg-notebook"}]}]' \
    --query 'GroupId' --output text)
  # The design's egress rules are its own; AWS's default allow-all goes.
  aws ec2 revoke-security-group-egress --group-id "$SECURITY_GROUP_SG_NOTEBOOK" \
    --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null
fi

# route_table rt-main
# The VPC's own main route table, adopted (tagged as the design's).
ROUTE_TABLE_RT_MAIN=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values="$VPC_VPC_MVP" Name=association.main,Values=true \
  --query 'RouteTables[0].RouteTableId' --output text)
aws ec2 create-tags --resources "$ROUTE_TABLE_RT_MAIN" \
  --tags '[{"Key":"Name","Value":"rt-main"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-main"}]'

# route_table rt-public
ROUTE_TABLE_RT_PUBLIC=$(aws ec2 describe-route-tables --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["rt-public"]}]' \
  --query 'RouteTables[0].RouteTableId' --output text)
if ! found "$ROUTE_TABLE_RT_PUBLIC"; then
  ROUTE_TABLE_RT_PUBLIC=$(aws ec2 create-route-table --vpc-id "$VPC_VPC_MVP" \
    --tag-specifications '[{"ResourceType":"route-table","Tags":[{"Key":"Name","Value":"rt-public"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-public"}]}]' \
    --query 'RouteTable.RouteTableId' --output text)
fi

# gateway_endpoint vpce-s3
GATEWAY_ENDPOINT_VPCE_S3=$(aws ec2 describe-vpc-endpoints --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpce-s3"]},{"Name":"vpc-endpoint-state","Values":["available","pending"]}]' \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)
if ! found "$GATEWAY_ENDPOINT_VPCE_S3"; then
  GATEWAY_ENDPOINT_VPCE_S3=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id "$VPC_VPC_MVP" \
    --service-name 'com.amazonaws.us-east-1.s3' --route-table-ids "$ROUTE_TABLE_RT_PUBLIC" \
    --tag-specifications '[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"vpce-s3"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpce-s3"}]}]' \
    --query 'VpcEndpoint.VpcEndpointId' --output text)
fi

# security_group_rule sg-notebook/egress/-1/-1/-1/cidr:0.0.0.0/0
tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-egress \
  --group-id "$SECURITY_GROUP_SG_NOTEBOOK" \
  --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null

# route rt-public/0.0.0.0/0
if ! tolerate RouteAlreadyExists aws ec2 create-route --route-table-id "$ROUTE_TABLE_RT_PUBLIC" \
  --destination-cidr-block '0.0.0.0/0' --gateway-id "$INTERNET_GATEWAY_IGW_MVP" > /dev/null; then exit 1; fi
aws ec2 replace-route --route-table-id "$ROUTE_TABLE_RT_PUBLIC" \
  --destination-cidr-block '0.0.0.0/0' --gateway-id "$INTERNET_GATEWAY_IGW_MVP"

# route_table_association subnet-public-a/route-table
tolerate Resource.AlreadyAssociated aws ec2 associate-route-table \
  --route-table-id "$ROUTE_TABLE_RT_PUBLIC" --subnet-id "$SUBNET_SUBNET_PUBLIC_A" > /dev/null

printf '%s is in place (design id %s)\n' 'mvp with a pod block' "$DESIGN_ID"
