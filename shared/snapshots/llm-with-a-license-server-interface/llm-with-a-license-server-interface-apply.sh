#!/usr/bin/env bash
# llm with a license server interface (us-east-1): creates the network with the AWS CLI. Exported by Moat.
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

# vpc vpc-llm
VPC_VPC_LLM=$(aws ec2 describe-vpcs --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpc-llm"]}]' \
  --query 'Vpcs[0].VpcId' --output text)
if ! found "$VPC_VPC_LLM"; then
  VPC_VPC_LLM=$(aws ec2 create-vpc --cidr-block '10.0.0.0/16' \
    --tag-specifications '[{"ResourceType":"vpc","Tags":[{"Key":"Name","Value":"vpc-llm"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpc-llm"}]}]' \
    --query 'Vpc.VpcId' --output text)
fi
aws ec2 modify-vpc-attribute --vpc-id "$VPC_VPC_LLM" --enable-dns-support '{"Value":true}'
aws ec2 modify-vpc-attribute --vpc-id "$VPC_VPC_LLM" --enable-dns-hostnames '{"Value":true}'

# placement_group pg-llm
PLACEMENT_GROUP_PG_LLM="moat-${DESIGN_ID}-"'pg-llm'
if ! found "$(aws ec2 describe-placement-groups --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["pg-llm"]}]' \
  --query 'PlacementGroups[0].GroupName' --output text)"; then
  aws ec2 create-placement-group --group-name "$PLACEMENT_GROUP_PG_LLM" --strategy 'cluster' \
    --tag-specifications '[{"ResourceType":"placement-group","Tags":[{"Key":"Name","Value":"pg-llm"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"pg-llm"}]}]' > /dev/null
fi

# subnet subnet-training-a
SUBNET_SUBNET_TRAINING_A=$(aws ec2 describe-subnets --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["subnet-training-a"]}]' \
  --query 'Subnets[0].SubnetId' --output text)
if ! found "$SUBNET_SUBNET_TRAINING_A"; then
  SUBNET_SUBNET_TRAINING_A=$(aws ec2 create-subnet --vpc-id "$VPC_VPC_LLM" --cidr-block '10.0.16.0/20' \
    --availability-zone 'us-east-1a' \
    --tag-specifications '[{"ResourceType":"subnet","Tags":[{"Key":"Name","Value":"subnet-training-a"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"subnet-training-a"}]}]' \
    --query 'Subnet.SubnetId' --output text)
fi
aws ec2 modify-subnet-attribute --subnet-id "$SUBNET_SUBNET_TRAINING_A" --no-map-public-ip-on-launch

# security_group sg-efa
SECURITY_GROUP_SG_EFA=$(aws ec2 describe-security-groups --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["sg-efa"]}]' \
  --query 'SecurityGroups[0].GroupId' --output text)
if ! found "$SECURITY_GROUP_SG_EFA"; then
  SECURITY_GROUP_SG_EFA=$(aws ec2 create-security-group --group-name 'llm-training-sg' --description 'EFA and NCCL: all traffic to and from itself; HTTPS out for S3' \
    --vpc-id "$VPC_VPC_LLM" --tag-specifications '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"sg-efa"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"sg-efa"}]}]' \
    --query 'GroupId' --output text)
  # The design's egress rules are its own; AWS's default allow-all goes.
  aws ec2 revoke-security-group-egress --group-id "$SECURITY_GROUP_SG_EFA" \
    --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null
fi

# route_table rt-main
# The VPC's own main route table, adopted (tagged as the design's).
ROUTE_TABLE_RT_MAIN=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values="$VPC_VPC_LLM" Name=association.main,Values=true \
  --query 'RouteTables[0].RouteTableId' --output text)
aws ec2 create-tags --resources "$ROUTE_TABLE_RT_MAIN" \
  --tags '[{"Key":"Name","Value":"rt-main"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-main"}]'

# route_table rt-training
ROUTE_TABLE_RT_TRAINING=$(aws ec2 describe-route-tables --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["rt-training"]}]' \
  --query 'RouteTables[0].RouteTableId' --output text)
if ! found "$ROUTE_TABLE_RT_TRAINING"; then
  ROUTE_TABLE_RT_TRAINING=$(aws ec2 create-route-table --vpc-id "$VPC_VPC_LLM" \
    --tag-specifications '[{"ResourceType":"route-table","Tags":[{"Key":"Name","Value":"rt-training"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-training"}]}]' \
    --query 'RouteTable.RouteTableId' --output text)
fi

# network_acl acl-training
NETWORK_ACL_ACL_TRAINING=$(aws ec2 describe-network-acls --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["acl-training"]}]' \
  --query 'NetworkAcls[0].NetworkAclId' --output text)
if ! found "$NETWORK_ACL_ACL_TRAINING"; then
  NETWORK_ACL_ACL_TRAINING=$(aws ec2 create-network-acl --vpc-id "$VPC_VPC_LLM" \
    --tag-specifications '[{"ResourceType":"network-acl","Tags":[{"Key":"Name","Value":"acl-training"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"acl-training"}]}]' \
    --query 'NetworkAcl.NetworkAclId' --output text)
fi

# network_acl_entry acl-training/ingress/100
if ! tolerate NetworkAclEntryAlreadyExists aws ec2 create-network-acl-entry --network-acl-id "$NETWORK_ACL_ACL_TRAINING" --rule-number 100 --ingress \
  --protocol '-1' --rule-action allow --cidr-block '10.0.0.0/16' > /dev/null; then exit 1; fi
aws ec2 replace-network-acl-entry --network-acl-id "$NETWORK_ACL_ACL_TRAINING" --rule-number 100 --ingress \
  --protocol '-1' --rule-action allow --cidr-block '10.0.0.0/16'

# network_acl_entry acl-training/ingress/110
if ! tolerate NetworkAclEntryAlreadyExists aws ec2 create-network-acl-entry --network-acl-id "$NETWORK_ACL_ACL_TRAINING" --rule-number 110 --ingress \
  --protocol '6' --rule-action allow --cidr-block '0.0.0.0/0' --port-range From=1024,To=65535 > /dev/null; then exit 1; fi
aws ec2 replace-network-acl-entry --network-acl-id "$NETWORK_ACL_ACL_TRAINING" --rule-number 110 --ingress \
  --protocol '6' --rule-action allow --cidr-block '0.0.0.0/0' --port-range From=1024,To=65535

# network_acl_entry acl-training/egress/100
if ! tolerate NetworkAclEntryAlreadyExists aws ec2 create-network-acl-entry --network-acl-id "$NETWORK_ACL_ACL_TRAINING" --rule-number 100 --egress \
  --protocol '-1' --rule-action allow --cidr-block '0.0.0.0/0' > /dev/null; then exit 1; fi
aws ec2 replace-network-acl-entry --network-acl-id "$NETWORK_ACL_ACL_TRAINING" --rule-number 100 --egress \
  --protocol '-1' --rule-action allow --cidr-block '0.0.0.0/0'

# network_acl_association subnet-training-a/network-acl
ASSOCIATION=$(aws ec2 describe-network-acls --filters Name=association.subnet-id,Values="$SUBNET_SUBNET_TRAINING_A" \
  --query "NetworkAcls[0].Associations[?SubnetId=='$SUBNET_SUBNET_TRAINING_A'].NetworkAclAssociationId | [0]" --output text)
aws ec2 replace-network-acl-association --association-id "$ASSOCIATION" \
  --network-acl-id "$NETWORK_ACL_ACL_TRAINING" > /dev/null

# gateway_endpoint vpce-s3
GATEWAY_ENDPOINT_VPCE_S3=$(aws ec2 describe-vpc-endpoints --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpce-s3"]},{"Name":"vpc-endpoint-state","Values":["available","pending"]}]' \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)
if ! found "$GATEWAY_ENDPOINT_VPCE_S3"; then
  GATEWAY_ENDPOINT_VPCE_S3=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id "$VPC_VPC_LLM" \
    --service-name 'com.amazonaws.us-east-1.s3' --route-table-ids "$ROUTE_TABLE_RT_TRAINING" \
    --tag-specifications '[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"vpce-s3"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpce-s3"}]}]' \
    --query 'VpcEndpoint.VpcEndpointId' --output text)
fi

# security_group_rule sg-efa/ingress/-1/-1/-1/sg:sg-efa
tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-ingress \
  --group-id "$SECURITY_GROUP_SG_EFA" \
  --ip-permissions '[{"IpProtocol":"-1","UserIdGroupPairs":[{"GroupId":"'"${SECURITY_GROUP_SG_EFA}"'"}]}]' > /dev/null

# security_group_rule sg-efa/egress/-1/-1/-1/sg:sg-efa
tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-egress \
  --group-id "$SECURITY_GROUP_SG_EFA" \
  --ip-permissions '[{"IpProtocol":"-1","UserIdGroupPairs":[{"GroupId":"'"${SECURITY_GROUP_SG_EFA}"'"}]}]' > /dev/null

# security_group_rule sg-efa/egress/6/443/443/cidr:0.0.0.0/0
tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-egress \
  --group-id "$SECURITY_GROUP_SG_EFA" \
  --ip-permissions '[{"FromPort":443,"IpProtocol":"6","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"ToPort":443}]' > /dev/null

# route_table_association subnet-training-a/route-table
tolerate Resource.AlreadyAssociated aws ec2 associate-route-table \
  --route-table-id "$ROUTE_TABLE_RT_TRAINING" --subnet-id "$SUBNET_SUBNET_TRAINING_A" > /dev/null

# network_interface eni-license
NETWORK_INTERFACE_ENI_LICENSE=$(aws ec2 describe-network-interfaces --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["eni-license"]}]' \
  --query 'NetworkInterfaces[0].NetworkInterfaceId' --output text)
if ! found "$NETWORK_INTERFACE_ENI_LICENSE"; then
  NETWORK_INTERFACE_ENI_LICENSE=$(aws ec2 create-network-interface --subnet-id "$SUBNET_SUBNET_TRAINING_A" --groups "$SECURITY_GROUP_SG_EFA" --private-ip-address '10.0.16.10' \
    --description 'license server: it'\''s $(touch /tmp/pwned) ${var.x} "q"' \
    --tag-specifications '[{"ResourceType":"network-interface","Tags":[{"Key":"Name","Value":"eni-license"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"eni-license"},{"Key":"team","Value":"ml-platform"}]}]' \
    --query 'NetworkInterface.NetworkInterfaceId' --output text)
fi

printf '%s is in place (design id %s)\n' 'llm with a license server interface' "$DESIGN_ID"
