#!/usr/bin/env bash
# tabular with corporate dns (us-east-1): creates the network with the AWS CLI. Exported by Moat.
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

# vpc vpc-tabular
VPC_VPC_TABULAR=$(aws ec2 describe-vpcs --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpc-tabular"]}]' \
  --query 'Vpcs[0].VpcId' --output text)
if ! found "$VPC_VPC_TABULAR"; then
  VPC_VPC_TABULAR=$(aws ec2 create-vpc --cidr-block '10.0.0.0/16' \
    --tag-specifications '[{"ResourceType":"vpc","Tags":[{"Key":"Name","Value":"vpc-tabular"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpc-tabular"}]}]' \
    --query 'Vpc.VpcId' --output text)
fi
aws ec2 modify-vpc-attribute --vpc-id "$VPC_VPC_TABULAR" --enable-dns-support '{"Value":true}'
aws ec2 modify-vpc-attribute --vpc-id "$VPC_VPC_TABULAR" --enable-dns-hostnames '{"Value":true}'

# dhcp_options dhcp-corp
DHCP_OPTIONS_DHCP_CORP=$(aws ec2 describe-dhcp-options --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["dhcp-corp"]}]' \
  --query 'DhcpOptions[0].DhcpOptionsId' --output text)
if ! found "$DHCP_OPTIONS_DHCP_CORP"; then
  DHCP_OPTIONS_DHCP_CORP=$(aws ec2 create-dhcp-options --dhcp-configurations '[{"Key":"domain-name","Values":["corp.example.com"]},{"Key":"domain-name-servers","Values":["AmazonProvidedDNS","10.20.0.53"]},{"Key":"ntp-servers","Values":["169.254.169.123"]}]' \
    --tag-specifications '[{"ResourceType":"dhcp-options","Tags":[{"Key":"Name","Value":"dhcp-corp"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"dhcp-corp"}]}]' \
    --query 'DhcpOptions.DhcpOptionsId' --output text)
fi

# dhcp_options_association vpc-tabular/dhcp-options
aws ec2 associate-dhcp-options --dhcp-options-id "$DHCP_OPTIONS_DHCP_CORP" --vpc-id "$VPC_VPC_TABULAR"

# customer_gateway cgw-datacenter
CUSTOMER_GATEWAY_CGW_DATACENTER=$(aws ec2 describe-customer-gateways --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["cgw-datacenter"]},{"Name":"state","Values":["available","pending"]}]' \
  --query 'CustomerGateways[0].CustomerGatewayId' --output text)
if ! found "$CUSTOMER_GATEWAY_CGW_DATACENTER"; then
  CUSTOMER_GATEWAY_CGW_DATACENTER=$(aws ec2 create-customer-gateway --type ipsec.1 --ip-address '203.0.113.10' --bgp-asn 65000 \
    --tag-specifications '[{"ResourceType":"customer-gateway","Tags":[{"Key":"Name","Value":"cgw-datacenter"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"cgw-datacenter"}]}]' \
    --query 'CustomerGateway.CustomerGatewayId' --output text)
fi

# subnet subnet-private-a
SUBNET_SUBNET_PRIVATE_A=$(aws ec2 describe-subnets --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["subnet-private-a"]}]' \
  --query 'Subnets[0].SubnetId' --output text)
if ! found "$SUBNET_SUBNET_PRIVATE_A"; then
  SUBNET_SUBNET_PRIVATE_A=$(aws ec2 create-subnet --vpc-id "$VPC_VPC_TABULAR" --cidr-block '10.0.2.0/24' \
    --availability-zone 'us-east-1a' \
    --tag-specifications '[{"ResourceType":"subnet","Tags":[{"Key":"Name","Value":"subnet-private-a"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"subnet-private-a"}]}]' \
    --query 'Subnet.SubnetId' --output text)
fi
aws ec2 modify-subnet-attribute --subnet-id "$SUBNET_SUBNET_PRIVATE_A" --no-map-public-ip-on-launch

# vpn_gateway vgw-tabular
VPN_GATEWAY_VGW_TABULAR=$(aws ec2 describe-vpn-gateways --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vgw-tabular"]},{"Name":"state","Values":["available","pending"]}]' \
  --query 'VpnGateways[0].VpnGatewayId' --output text)
if ! found "$VPN_GATEWAY_VGW_TABULAR"; then
  VPN_GATEWAY_VGW_TABULAR=$(aws ec2 create-vpn-gateway --type ipsec.1 --amazon-side-asn 64512 \
    --tag-specifications '[{"ResourceType":"vpn-gateway","Tags":[{"Key":"Name","Value":"vgw-tabular"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vgw-tabular"}]}]' \
    --query 'VpnGateway.VpnGatewayId' --output text)
fi
if ! found "$(aws ec2 describe-vpn-gateways --vpn-gateway-ids "$VPN_GATEWAY_VGW_TABULAR" \
  --query "VpnGateways[0].VpcAttachments[?State=='attached'].VpcId | [0]" --output text)"; then
  aws ec2 attach-vpn-gateway --vpn-gateway-id "$VPN_GATEWAY_VGW_TABULAR" --vpc-id "$VPC_VPC_TABULAR" > /dev/null
fi

# security_group sg-batch
SECURITY_GROUP_SG_BATCH=$(aws ec2 describe-security-groups --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["sg-batch"]}]' \
  --query 'SecurityGroups[0].GroupId' --output text)
if ! found "$SECURITY_GROUP_SG_BATCH"; then
  SECURITY_GROUP_SG_BATCH=$(aws ec2 create-security-group --group-name 'batch' --description 'Batch workers: no inbound, all outbound' \
    --vpc-id "$VPC_VPC_TABULAR" --tag-specifications '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"sg-batch"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"sg-batch"}]}]' \
    --query 'GroupId' --output text)
  # The design's egress rules are its own; AWS's default allow-all goes.
  aws ec2 revoke-security-group-egress --group-id "$SECURITY_GROUP_SG_BATCH" \
    --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null
fi

# route_table rt-main
# The VPC's own main route table, adopted (tagged as the design's).
ROUTE_TABLE_RT_MAIN=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values="$VPC_VPC_TABULAR" Name=association.main,Values=true \
  --query 'RouteTables[0].RouteTableId' --output text)
aws ec2 create-tags --resources "$ROUTE_TABLE_RT_MAIN" \
  --tags '[{"Key":"Name","Value":"rt-main"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-main"}]'

# route_table rt-private
ROUTE_TABLE_RT_PRIVATE=$(aws ec2 describe-route-tables --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["rt-private"]}]' \
  --query 'RouteTables[0].RouteTableId' --output text)
if ! found "$ROUTE_TABLE_RT_PRIVATE"; then
  ROUTE_TABLE_RT_PRIVATE=$(aws ec2 create-route-table --vpc-id "$VPC_VPC_TABULAR" \
    --tag-specifications '[{"ResourceType":"route-table","Tags":[{"Key":"Name","Value":"rt-private"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"rt-private"}]}]' \
    --query 'RouteTable.RouteTableId' --output text)
fi

# vpn_connection vpn-datacenter
VPN_CONNECTION_VPN_DATACENTER=$(aws ec2 describe-vpn-connections --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpn-datacenter"]},{"Name":"state","Values":["available","pending"]}]' \
  --query 'VpnConnections[0].VpnConnectionId' --output text)
if ! found "$VPN_CONNECTION_VPN_DATACENTER"; then
  VPN_CONNECTION_VPN_DATACENTER=$(aws ec2 create-vpn-connection --type ipsec.1 \
    --customer-gateway-id "$CUSTOMER_GATEWAY_CGW_DATACENTER" --vpn-gateway-id "$VPN_GATEWAY_VGW_TABULAR" \
    --options '{"StaticRoutesOnly":true}' \
    --tag-specifications '[{"ResourceType":"vpn-connection","Tags":[{"Key":"Name","Value":"vpn-datacenter"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpn-datacenter"}]}]' \
    --query 'VpnConnection.VpnConnectionId' --output text)
fi
if ! found "$(aws ec2 describe-vpn-connections --vpn-connection-ids "$VPN_CONNECTION_VPN_DATACENTER" \
  --query 'VpnConnections[0].Routes[?DestinationCidrBlock==`"192.168.0.0/16"`].DestinationCidrBlock | [0]' --output text)"; then
  aws ec2 create-vpn-connection-route --vpn-connection-id "$VPN_CONNECTION_VPN_DATACENTER" --destination-cidr-block '192.168.0.0/16'
fi

# gateway_endpoint vpce-s3
GATEWAY_ENDPOINT_VPCE_S3=$(aws ec2 describe-vpc-endpoints --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpce-s3"]},{"Name":"vpc-endpoint-state","Values":["available","pending"]}]' \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)
if ! found "$GATEWAY_ENDPOINT_VPCE_S3"; then
  GATEWAY_ENDPOINT_VPCE_S3=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id "$VPC_VPC_TABULAR" \
    --service-name 'com.amazonaws.us-east-1.s3' --route-table-ids "$ROUTE_TABLE_RT_PRIVATE" \
    --tag-specifications '[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"vpce-s3"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpce-s3"}]}]' \
    --query 'VpcEndpoint.VpcEndpointId' --output text)
fi

# gateway_endpoint vpce-dynamodb
GATEWAY_ENDPOINT_VPCE_DYNAMODB=$(aws ec2 describe-vpc-endpoints --filters '[{"Name":"tag:moat:design-id","Values":["'"${DESIGN_ID}"'"]},{"Name":"tag:moat:logical-id","Values":["vpce-dynamodb"]},{"Name":"vpc-endpoint-state","Values":["available","pending"]}]' \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)
if ! found "$GATEWAY_ENDPOINT_VPCE_DYNAMODB"; then
  GATEWAY_ENDPOINT_VPCE_DYNAMODB=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id "$VPC_VPC_TABULAR" \
    --service-name 'com.amazonaws.us-east-1.dynamodb' --route-table-ids "$ROUTE_TABLE_RT_PRIVATE" \
    --tag-specifications '[{"ResourceType":"vpc-endpoint","Tags":[{"Key":"Name","Value":"vpce-dynamodb"},{"Key":"moat:design-id","Value":"'"${DESIGN_ID}"'"},{"Key":"moat:logical-id","Value":"vpce-dynamodb"}]}]' \
    --query 'VpcEndpoint.VpcEndpointId' --output text)
fi

# security_group_rule sg-batch/egress/-1/-1/-1/cidr:0.0.0.0/0
tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-egress \
  --group-id "$SECURITY_GROUP_SG_BATCH" \
  --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' > /dev/null

# route rt-private/192.168.0.0/16
if ! tolerate RouteAlreadyExists aws ec2 create-route --route-table-id "$ROUTE_TABLE_RT_PRIVATE" \
  --destination-cidr-block '192.168.0.0/16' --gateway-id "$VPN_GATEWAY_VGW_TABULAR" > /dev/null; then exit 1; fi
aws ec2 replace-route --route-table-id "$ROUTE_TABLE_RT_PRIVATE" \
  --destination-cidr-block '192.168.0.0/16' --gateway-id "$VPN_GATEWAY_VGW_TABULAR"

# route_table_association subnet-private-a/route-table
tolerate Resource.AlreadyAssociated aws ec2 associate-route-table \
  --route-table-id "$ROUTE_TABLE_RT_PRIVATE" --subnet-id "$SUBNET_SUBNET_PRIVATE_A" > /dev/null

printf '%s is in place (design id %s)\n' 'tabular with corporate dns' "$DESIGN_ID"
