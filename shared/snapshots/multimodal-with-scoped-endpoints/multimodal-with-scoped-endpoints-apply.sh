#!/usr/bin/env bash
# multimodal with scoped endpoints (us-east-1): creates the network with the AWS CLI. Exported by Moat.
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

# vpc vpc-multimodal
VPC_VPC_MULTIMODAL=$(aws ec2 describe-vpcs --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpc-multimodal"]}]' \
  --query 'Vpcs[0].VpcId' --output text)
if ! found "$VPC_VPC_MULTIMODAL"; then
  VPC_VPC_MULTIMODAL=$(aws ec2 create-vpc --cidr-block '10.0.0.0/16' \
    --tag-specifications '[{"ResourceType":"vpc","Tags":[{"Key":"Name","Value":"vpc-multimodal"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpc-multimodal"}]}]' \
    --query 'Vpc.VpcId' --output text)
fi
aws ec2 modify-vpc-attribute --vpc-id "$VPC_VPC_MULTIMODAL" --enable-dns-support '{"Value":true}'
aws ec2 modify-vpc-attribute --vpc-id "$VPC_VPC_MULTIMODAL" --enable-dns-hostnames '{"Value":true}'

# subnet subnet-public-a
SUBNET_SUBNET_PUBLIC_A=$(aws ec2 describe-subnets --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["subnet-public-a"]}]' \
  --query 'Subnets[0].SubnetId' --output text)
if ! found "$SUBNET_SUBNET_PUBLIC_A"; then
  SUBNET_SUBNET_PUBLIC_A=$(aws ec2 create-subnet --vpc-id "$VPC_VPC_MULTIMODAL" --cidr-block '10.0.1.0/24' \
    --availability-zone 'us-east-1a' \
    --tag-specifications '[{"ResourceType":"subnet","Tags":[{"Key":"Name","Value":"subnet-public-a"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"subnet-public-a"}]}]' \
    --query 'Subnet.SubnetId' --output text)
fi
aws ec2 modify-subnet-attribute --subnet-id "$SUBNET_SUBNET_PUBLIC_A" --no-map-public-ip-on-launch

# subnet subnet-private-a
SUBNET_SUBNET_PRIVATE_A=$(aws ec2 describe-subnets --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["subnet-private-a"]}]' \
  --query 'Subnets[0].SubnetId' --output text)
if ! found "$SUBNET_SUBNET_PRIVATE_A"; then
  SUBNET_SUBNET_PRIVATE_A=$(aws ec2 create-subnet --vpc-id "$VPC_VPC_MULTIMODAL" --cidr-block '10.0.2.0/24' \
    --availability-zone 'us-east-1a' \
    --tag-specifications '[{"ResourceType":"subnet","Tags":[{"Key":"Name","Value":"subnet-private-a"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"subnet-private-a"}]}]' \
    --query 'Subnet.SubnetId' --output text)
fi
aws ec2 modify-subnet-attribute --subnet-id "$SUBNET_SUBNET_PRIVATE_A" --no-map-public-ip-on-launch

# internet_gateway igw-multimodal
INTERNET_GATEWAY_IGW_MULTIMODAL=$(aws ec2 describe-internet-gateways --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["igw-multimodal"]}]' \
  --query 'InternetGateways[0].InternetGatewayId' --output text)
if ! found "$INTERNET_GATEWAY_IGW_MULTIMODAL"; then
  INTERNET_GATEWAY_IGW_MULTIMODAL=$(aws ec2 create-internet-gateway \
    --tag-specifications '[{"ResourceType":"internet-gateway","Tags":[{"Key":"Name","Value":"igw-multimodal"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"igw-multimodal"}]}]' \
    --query 'InternetGateway.InternetGatewayId' --output text)
fi
if [ "$(aws ec2 describe-internet-gateways --internet-gateway-ids "$INTERNET_GATEWAY_IGW_MULTIMODAL" \
  --query 'InternetGateways[0].Attachments[0].VpcId' --output text)" != "$VPC_VPC_MULTIMODAL" ]; then
  aws ec2 attach-internet-gateway --internet-gateway-id "$INTERNET_GATEWAY_IGW_MULTIMODAL" --vpc-id "$VPC_VPC_MULTIMODAL"
fi

# security_group sg-endpoints
SECURITY_GROUP_SG_ENDPOINTS=$(aws ec2 describe-security-groups --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["sg-endpoints"]}]' \
  --query 'SecurityGroups[0].GroupId' --output text)
if ! found "$SECURITY_GROUP_SG_ENDPOINTS"; then
  SECURITY_GROUP_SG_ENDPOINTS=$(aws ec2 create-security-group --group-name 'endpoints' --description 'Interface endpoints: HTTPS from the training instances' \
    --vpc-id "$VPC_VPC_MULTIMODAL" --tag-specifications '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"sg-endpoints"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"sg-endpoints"}]}]' \
    --query 'GroupId' --output text)
  # The design's egress rules are its own; AWS's default allow-all goes.
  aws ec2 revoke-security-group-egress --group-id "$SECURITY_GROUP_SG_ENDPOINTS" \
    --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null
fi

# security_group sg-training
SECURITY_GROUP_SG_TRAINING=$(aws ec2 describe-security-groups --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["sg-training"]}]' \
  --query 'SecurityGroups[0].GroupId' --output text)
if ! found "$SECURITY_GROUP_SG_TRAINING"; then
  SECURITY_GROUP_SG_TRAINING=$(aws ec2 create-security-group --group-name 'training' --description 'SageMaker instances: no inbound, all outbound' \
    --vpc-id "$VPC_VPC_MULTIMODAL" --tag-specifications '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"sg-training"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"sg-training"}]}]' \
    --query 'GroupId' --output text)
  # The design's egress rules are its own; AWS's default allow-all goes.
  aws ec2 revoke-security-group-egress --group-id "$SECURITY_GROUP_SG_TRAINING" \
    --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null
fi

# route_table rt-main
# The VPC's own main route table, adopted (tagged as the design's).
ROUTE_TABLE_RT_MAIN=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values="$VPC_VPC_MULTIMODAL" Name=association.main,Values=true \
  --query 'RouteTables[0].RouteTableId' --output text)
aws ec2 create-tags --resources "$ROUTE_TABLE_RT_MAIN" \
  --tags '[{"Key":"Name","Value":"rt-main"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-main"}]'

# route_table rt-public
ROUTE_TABLE_RT_PUBLIC=$(aws ec2 describe-route-tables --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["rt-public"]}]' \
  --query 'RouteTables[0].RouteTableId' --output text)
if ! found "$ROUTE_TABLE_RT_PUBLIC"; then
  ROUTE_TABLE_RT_PUBLIC=$(aws ec2 create-route-table --vpc-id "$VPC_VPC_MULTIMODAL" \
    --tag-specifications '[{"ResourceType":"route-table","Tags":[{"Key":"Name","Value":"rt-public"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-public"}]}]' \
    --query 'RouteTable.RouteTableId' --output text)
fi

# route_table rt-private
ROUTE_TABLE_RT_PRIVATE=$(aws ec2 describe-route-tables --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["rt-private"]}]' \
  --query 'RouteTables[0].RouteTableId' --output text)
if ! found "$ROUTE_TABLE_RT_PRIVATE"; then
  ROUTE_TABLE_RT_PRIVATE=$(aws ec2 create-route-table --vpc-id "$VPC_VPC_MULTIMODAL" \
    --tag-specifications '[{"ResourceType":"route-table","Tags":[{"Key":"Name","Value":"rt-private"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-private"}]}]' \
    --query 'RouteTable.RouteTableId' --output text)
fi

# elastic_ip nat-a/eip
ELASTIC_IP_NAT_A_EIP=$(aws ec2 describe-addresses --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["nat-a/eip"]}]' \
  --query 'Addresses[0].AllocationId' --output text)
if ! found "$ELASTIC_IP_NAT_A_EIP"; then
  ELASTIC_IP_NAT_A_EIP=$(aws ec2 allocate-address --domain vpc \
    --tag-specifications '[{"ResourceType":"elastic-ip","Tags":[{"Key":"Name","Value":"nat-a/eip"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"nat-a/eip"}]}]' \
    --query 'AllocationId' --output text)
fi

# nat_gateway nat-a
NAT_GATEWAY_NAT_A=$(aws ec2 describe-nat-gateways --filter '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["nat-a"]},{"Name":"state","Values":["pending","available"]}]' \
  --query 'NatGateways[0].NatGatewayId' --output text)
if ! found "$NAT_GATEWAY_NAT_A"; then
  NAT_GATEWAY_NAT_A=$(aws ec2 create-nat-gateway --subnet-id "$SUBNET_SUBNET_PUBLIC_A" --allocation-id "$ELASTIC_IP_NAT_A_EIP" \
    --tag-specifications '[{"ResourceType":"natgateway","Tags":[{"Key":"Name","Value":"nat-a"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"nat-a"}]}]' \
    --query 'NatGateway.NatGatewayId' --output text)
fi
aws ec2 wait nat-gateway-available --nat-gateway-ids "$NAT_GATEWAY_NAT_A"

# gateway_endpoint vpce-s3
GATEWAY_ENDPOINT_VPCE_S3=$(aws ec2 describe-vpc-endpoints --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpce-s3"]},{"Name":"vpc-endpoint-state","Values":["available","pending"]}]' \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)
if ! found "$GATEWAY_ENDPOINT_VPCE_S3"; then
  GATEWAY_ENDPOINT_VPCE_S3=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id "$VPC_VPC_MULTIMODAL" \
    --service-name 'com.amazonaws.us-east-1.s3' --route-table-ids "$ROUTE_TABLE_RT_PRIVATE" \
    --policy-document '{"Statement":[{"Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Effect":"Allow","Principal":"*","Resource":["arn:aws:s3:::it'\''s-$(touch /tmp/pwned)","arn:aws:s3:::it'\''s-$(touch /tmp/pwned)/${aws:username}/*"]}],"Version":"2012-10-17"}' \
    --tag-specifications '[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"vpce-s3"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpce-s3"}]}]' \
    --query 'VpcEndpoint.VpcEndpointId' --output text)
fi

# interface_endpoint vpce-sagemaker-api
INTERFACE_ENDPOINT_VPCE_SAGEMAKER_API=$(aws ec2 describe-vpc-endpoints --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpce-sagemaker-api"]},{"Name":"vpc-endpoint-state","Values":["available","pending"]}]' \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)
if ! found "$INTERFACE_ENDPOINT_VPCE_SAGEMAKER_API"; then
  INTERFACE_ENDPOINT_VPCE_SAGEMAKER_API=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id "$VPC_VPC_MULTIMODAL" \
    --service-name 'com.amazonaws.us-east-1.sagemaker.api' --subnet-ids "$SUBNET_SUBNET_PRIVATE_A" \
    --security-group-ids "$SECURITY_GROUP_SG_ENDPOINTS" --private-dns-enabled \
    --tag-specifications '[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"vpce-sagemaker-api"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpce-sagemaker-api"}]}]' \
    --query 'VpcEndpoint.VpcEndpointId' --output text)
fi
wait_endpoint "$INTERFACE_ENDPOINT_VPCE_SAGEMAKER_API"

# interface_endpoint vpce-sagemaker-runtime
INTERFACE_ENDPOINT_VPCE_SAGEMAKER_RUNTIME=$(aws ec2 describe-vpc-endpoints --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpce-sagemaker-runtime"]},{"Name":"vpc-endpoint-state","Values":["available","pending"]}]' \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)
if ! found "$INTERFACE_ENDPOINT_VPCE_SAGEMAKER_RUNTIME"; then
  INTERFACE_ENDPOINT_VPCE_SAGEMAKER_RUNTIME=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id "$VPC_VPC_MULTIMODAL" \
    --service-name 'com.amazonaws.us-east-1.sagemaker.runtime' --subnet-ids "$SUBNET_SUBNET_PRIVATE_A" \
    --security-group-ids "$SECURITY_GROUP_SG_ENDPOINTS" --private-dns-enabled \
    --tag-specifications '[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"vpce-sagemaker-runtime"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpce-sagemaker-runtime"}]}]' \
    --query 'VpcEndpoint.VpcEndpointId' --output text)
fi
wait_endpoint "$INTERFACE_ENDPOINT_VPCE_SAGEMAKER_RUNTIME"

# interface_endpoint vpce-rekognition
INTERFACE_ENDPOINT_VPCE_REKOGNITION=$(aws ec2 describe-vpc-endpoints --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpce-rekognition"]},{"Name":"vpc-endpoint-state","Values":["available","pending"]}]' \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)
if ! found "$INTERFACE_ENDPOINT_VPCE_REKOGNITION"; then
  INTERFACE_ENDPOINT_VPCE_REKOGNITION=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id "$VPC_VPC_MULTIMODAL" \
    --service-name 'com.amazonaws.us-east-1.rekognition' --subnet-ids "$SUBNET_SUBNET_PRIVATE_A" \
    --security-group-ids "$SECURITY_GROUP_SG_ENDPOINTS" --private-dns-enabled \
    --tag-specifications '[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"vpce-rekognition"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpce-rekognition"}]}]' \
    --query 'VpcEndpoint.VpcEndpointId' --output text)
fi
wait_endpoint "$INTERFACE_ENDPOINT_VPCE_REKOGNITION"

# security_group_rule sg-endpoints/ingress/6/443/443/sg:sg-training
tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-ingress \
  --group-id "$SECURITY_GROUP_SG_ENDPOINTS" \
  --ip-permissions '[{"FromPort":443,"IpProtocol":"6","ToPort":443,"UserIdGroupPairs":[{"GroupId":"'"${SECURITY_GROUP_SG_TRAINING}"'"}]}]' > /dev/null

# security_group_rule sg-endpoints/egress/-1/-1/-1/cidr:0.0.0.0/0
tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-egress \
  --group-id "$SECURITY_GROUP_SG_ENDPOINTS" \
  --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null

# security_group_rule sg-training/egress/-1/-1/-1/cidr:0.0.0.0/0
tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-egress \
  --group-id "$SECURITY_GROUP_SG_TRAINING" \
  --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null

# route rt-public/0.0.0.0/0
if ! tolerate RouteAlreadyExists aws ec2 create-route --route-table-id "$ROUTE_TABLE_RT_PUBLIC" \
  --destination-cidr-block '0.0.0.0/0' --gateway-id "$INTERNET_GATEWAY_IGW_MULTIMODAL" > /dev/null; then exit 1; fi
aws ec2 replace-route --route-table-id "$ROUTE_TABLE_RT_PUBLIC" \
  --destination-cidr-block '0.0.0.0/0' --gateway-id "$INTERNET_GATEWAY_IGW_MULTIMODAL"

# route_table_association subnet-public-a/route-table
tolerate Resource.AlreadyAssociated aws ec2 associate-route-table \
  --route-table-id "$ROUTE_TABLE_RT_PUBLIC" --subnet-id "$SUBNET_SUBNET_PUBLIC_A" > /dev/null

# route rt-private/0.0.0.0/0
if ! tolerate RouteAlreadyExists aws ec2 create-route --route-table-id "$ROUTE_TABLE_RT_PRIVATE" \
  --destination-cidr-block '0.0.0.0/0' --nat-gateway-id "$NAT_GATEWAY_NAT_A" > /dev/null; then exit 1; fi
aws ec2 replace-route --route-table-id "$ROUTE_TABLE_RT_PRIVATE" \
  --destination-cidr-block '0.0.0.0/0' --nat-gateway-id "$NAT_GATEWAY_NAT_A"

# route_table_association subnet-private-a/route-table
tolerate Resource.AlreadyAssociated aws ec2 associate-route-table \
  --route-table-id "$ROUTE_TABLE_RT_PRIVATE" --subnet-id "$SUBNET_SUBNET_PRIVATE_A" > /dev/null

printf '%s is in place (design id %s)\n' 'multimodal with scoped endpoints' "$DESIGN_ID"
