#!/usr/bin/env bash
# mvp with a pod block (us-east-1): deletes everything tagged with the design. Exported by Moat.
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

design_filter="Name=tag:moat:design-id,Values=$DESIGN_ID"

echo "network interfaces"
for id in $(aws ec2 describe-network-interfaces --filters "$design_filter" Name=status,Values=available \
  --query 'NetworkInterfaces[].NetworkInterfaceId' --output text); do
  aws ec2 delete-network-interface --network-interface-id "$id"
done

echo "flow logs"
flow_logs=$(aws ec2 describe-flow-logs --filter "$design_filter" --query 'FlowLogs[].FlowLogId' --output text)
if [ -n "$flow_logs" ]; then
  aws ec2 delete-flow-logs --flow-log-ids $flow_logs > /dev/null
fi

echo "instances"
for id in $(aws ec2 describe-instances --filters "$design_filter" Name=instance-state-name,Values=pending,running,stopped \
  --query 'Reservations[].Instances[].InstanceId' --output text); do
  aws ec2 terminate-instances --instance-ids "$id" > /dev/null
  aws ec2 wait instance-terminated --instance-ids "$id"
done

echo "route table associations"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  for association in $(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query 'RouteTables[0].Associations[?Main!=`true`].RouteTableAssociationId' --output text); do
    aws ec2 disassociate-route-table --association-id "$association"
  done
done

echo "routes"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  for destination in $(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query "RouteTables[0].Routes[?GatewayId!='local' && DestinationCidrBlock!=null].DestinationCidrBlock" --output text); do
    aws ec2 delete-route --route-table-id "$table" --destination-cidr-block "$destination"
  done
done

echo "network ACL associations (each subnet goes back to its VPC's default ACL)"
for acl in $(aws ec2 describe-network-acls --filters "$design_filter" --query 'NetworkAcls[].NetworkAclId' --output text); do
  vpc=$(aws ec2 describe-network-acls --network-acl-ids "$acl" --query 'NetworkAcls[0].VpcId' --output text)
  default_acl=$(aws ec2 describe-network-acls --filters Name=vpc-id,Values="$vpc" Name=default,Values=true \
    --query 'NetworkAcls[0].NetworkAclId' --output text)
  for association in $(aws ec2 describe-network-acls --network-acl-ids "$acl" \
    --query 'NetworkAcls[0].Associations[].NetworkAclAssociationId' --output text); do
    aws ec2 replace-network-acl-association --association-id "$association" --network-acl-id "$default_acl" > /dev/null
  done
done

echo "security group rules (groups can only go once no rule names them)"
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

echo "endpoints"
endpoints=$(aws ec2 describe-vpc-endpoints --filters "$design_filter" Name=vpc-endpoint-state,Values=available,pending \
  --query 'VpcEndpoints[].VpcEndpointId' --output text)
if [ -n "$endpoints" ]; then
  aws ec2 delete-vpc-endpoints --vpc-endpoint-ids $endpoints > /dev/null
fi

echo "VPN connections"
for id in $(aws ec2 describe-vpn-connections --filters "$design_filter" Name=state,Values=available,pending \
  --query 'VpnConnections[].VpnConnectionId' --output text); do
  aws ec2 delete-vpn-connection --vpn-connection-id "$id"
done

echo "NAT gateways"
nats=$(aws ec2 describe-nat-gateways --filter "$design_filter" Name=state,Values=pending,available \
  --query 'NatGateways[].NatGatewayId' --output text)
for id in $nats; do
  aws ec2 delete-nat-gateway --nat-gateway-id "$id" > /dev/null
done
if [ -n "$nats" ]; then
  aws ec2 wait nat-gateway-deleted --nat-gateway-ids $nats
fi

echo "Elastic IPs"
for id in $(aws ec2 describe-addresses --filters "$design_filter" --query 'Addresses[].AllocationId' --output text); do
  aws ec2 release-address --allocation-id "$id"
done

echo "network ACLs"
for id in $(aws ec2 describe-network-acls --filters "$design_filter" --query 'NetworkAcls[].NetworkAclId' --output text); do
  aws ec2 delete-network-acl --network-acl-id "$id"
done

echo "route tables (the main one is the VPC's own: only its tags go)"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  main=$(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query 'length(RouteTables[0].Associations[?Main==`true`])' --output text)
  if [ "$main" = 0 ]; then
    aws ec2 delete-route-table --route-table-id "$table"
  else
    aws ec2 delete-tags --resources "$table" --tags Key=moat:design-id Key=moat:logical-id
  fi
done

echo "security groups"
for id in $(aws ec2 describe-security-groups --filters "$design_filter" --query 'SecurityGroups[].GroupId' --output text); do
  aws ec2 delete-security-group --group-id "$id"
done

echo "VPN gateways"
for id in $(aws ec2 describe-vpn-gateways --filters "$design_filter" Name=state,Values=available,pending \
  --query 'VpnGateways[].VpnGatewayId' --output text); do
  for vpc in $(aws ec2 describe-vpn-gateways --vpn-gateway-ids "$id" \
    --query "VpnGateways[0].VpcAttachments[?State=='attached'].VpcId" --output text); do
    aws ec2 detach-vpn-gateway --vpn-gateway-id "$id" --vpc-id "$vpc"
  done
  aws ec2 delete-vpn-gateway --vpn-gateway-id "$id"
done

echo "internet gateways"
for id in $(aws ec2 describe-internet-gateways --filters "$design_filter" --query 'InternetGateways[].InternetGatewayId' --output text); do
  for vpc in $(aws ec2 describe-internet-gateways --internet-gateway-ids "$id" \
    --query 'InternetGateways[0].Attachments[].VpcId' --output text); do
    aws ec2 detach-internet-gateway --internet-gateway-id "$id" --vpc-id "$vpc"
  done
  aws ec2 delete-internet-gateway --internet-gateway-id "$id"
done

echo "subnets"
for id in $(aws ec2 describe-subnets --filters "$design_filter" --query 'Subnets[].SubnetId' --output text); do
  aws ec2 delete-subnet --subnet-id "$id"
done

echo "placement groups"
for name in $(aws ec2 describe-placement-groups --filters "$design_filter" --query 'PlacementGroups[].GroupName' --output text); do
  aws ec2 delete-placement-group --group-name "$name"
done

echo "customer gateways"
for id in $(aws ec2 describe-customer-gateways --filters "$design_filter" Name=state,Values=available,pending \
  --query 'CustomerGateways[].CustomerGatewayId' --output text); do
  aws ec2 delete-customer-gateway --customer-gateway-id "$id"
done

echo "DHCP option set associations (each VPC goes back to AWS's default set)"
for vpc in $(aws ec2 describe-vpcs --filters "$design_filter" --query 'Vpcs[].VpcId' --output text); do
  aws ec2 associate-dhcp-options --dhcp-options-id default --vpc-id "$vpc"
done

echo "DHCP option sets"
for id in $(aws ec2 describe-dhcp-options --filters "$design_filter" --query 'DhcpOptions[].DhcpOptionsId' --output text); do
  aws ec2 delete-dhcp-options --dhcp-options-id "$id"
done

echo "VPCs"
for id in $(aws ec2 describe-vpcs --filters "$design_filter" --query 'Vpcs[].VpcId' --output text); do
  aws ec2 delete-vpc --vpc-id "$id"
done

printf '%s is gone (design id %s)\n' 'mvp with a pod block' "$DESIGN_ID"
