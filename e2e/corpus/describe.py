"""Describes a VPC by content, not by ids, as two sorted lists of lines in JSON: `lines`
(addressing, gateways, route tables and routes, endpoints with their policies, groups and
rules with descriptions, network ACL entries, DHCP options, flow logs) and `tags` (the user's
tags, without Name and the reserved moat: and aws: keys). Objects are named by what they are:
a subnet by its block, a route table by the blocks it serves, a NAT gateway by its subnet's
block, a group by its name. Equal meaning is equal text: a port range on an all-protocol ACL
entry, AWS's full-access endpoint policy and a DHCP set with the region's defaults read as
their defaults; a flow log's CloudWatch group by name.

  describe.py ENDPOINT VPC_ID REGION"""
import json, sys
import boto3

endpoint, vpc_id, region = sys.argv[1], sys.argv[2], sys.argv[3]
ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint,
                   aws_access_key_id="testing", aws_secret_access_key="testing")
f = [{"Name": "vpc-id", "Values": [vpc_id]}]
lines, tags = set(), set()
vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
blocks = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet", [])
          if a.get("CidrBlockState", {}).get("State") in (None, "associated", "associating")]
lines.add(f"vpc primary={vpc['CidrBlock']} blocks={sorted(blocks)} tenancy={vpc.get('InstanceTenancy')}")
for attribute in ("enableDnsSupport", "enableDnsHostnames"):
    value = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
    key = attribute[0].upper() + attribute[1:]
    lines.add(f"vpc {attribute}={value[key]['Value']}")

def user_tags(key, resource):
    for t in resource.get("Tags", []):
        if not t["Key"].startswith(("moat:", "aws:")) and t["Key"] != "Name":
            tags.add(f"tag {key} {t['Key']}={t['Value']}")

user_tags("vpc", vpc)
subnet_cidr = {}
for s in ec2.describe_subnets(Filters=f)["Subnets"]:
    subnet_cidr[s["SubnetId"]] = s["CidrBlock"]
    lines.add(f"subnet {s['CidrBlock']} {s['AvailabilityZone']} public_ip={s.get('MapPublicIpOnLaunch', False)}")
    user_tags(f"subnet {s['CidrBlock']}", s)
for g in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]:
    lines.add("internet-gateway")
    user_tags("internet-gateway", g)
nat_key = {}
for n in ec2.describe_nat_gateways(Filters=f)["NatGateways"]:
    if n.get("State") in ("deleted", "deleting", "failed"):
        continue
    key = f"nat@{subnet_cidr.get(n['SubnetId'])}"
    nat_key[n["NatGatewayId"]] = key
    lines.add(f"{key} {n.get('ConnectivityType', 'public')}")
    user_tags(key, n)
for g in ec2.describe_vpn_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["VpnGateways"]:
    if g.get("State") in ("deleted", "deleting"):
        continue
    lines.add(f"vpn-gateway asn={g.get('AmazonSideAsn')}")
groups = {g["GroupId"]: g for g in ec2.describe_security_groups(Filters=f)["SecurityGroups"]}
group_name = {i: g["GroupName"] for i, g in groups.items()}
tables = ec2.describe_route_tables(Filters=f)["RouteTables"]
table_key = {}
for t in tables:
    main = any(a.get("Main") for a in t.get("Associations", []))
    cidrs = sorted(subnet_cidr.get(a["SubnetId"], "?") for a in t.get("Associations", []) if a.get("SubnetId"))
    table_key[t["RouteTableId"]] = f"table[{'main;' if main else ''}{','.join(cidrs)}]"
for t in tables:
    key = table_key[t["RouteTableId"]]
    lines.add(key)
    user_tags(key, t)
    for r in t.get("Routes", []):
        destination = r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock") or r.get("DestinationPrefixListId")
        if r.get("DestinationPrefixListId") or r.get("GatewayId", "").startswith("vpce-"):
            continue  # an endpoint's own route, made by the endpoint
        if r.get("GatewayId") == "local":
            target = "local"
        elif r.get("GatewayId", "").startswith("igw-"):
            target = "internet-gateway"
        elif r.get("GatewayId", "").startswith("vgw-"):
            target = "vpn-gateway"
        elif r.get("NatGatewayId"):
            target = nat_key.get(r["NatGatewayId"], "nat?")
        else:
            target = "other:" + ",".join(sorted(k for k in r if k.endswith("Id")))
        lines.add(f"route {key} {destination} -> {target}")
for e in ec2.describe_vpc_endpoints(Filters=f)["VpcEndpoints"]:
    if e.get("State", "").lower() in ("deleted", "deleting", "failed"):
        continue
    policy = e.get("PolicyDocument")
    try:
        document = json.loads(policy) if policy else None
    except ValueError:
        document = policy
    full = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    if document is None or (isinstance(document, dict) and document.get("Statement") in ([full], full)):
        policy = "default"
    else:
        policy = json.dumps(document, sort_keys=True, separators=(",", ":"))
    lines.add(" ".join([
        f"endpoint {e['VpcEndpointType'].lower()} {e['ServiceName']}",
        f"tables={sorted(table_key.get(t, '?') for t in e.get('RouteTableIds', []))}",
        f"subnets={sorted(subnet_cidr.get(s, '?') for s in e.get('SubnetIds', []))}",
        f"groups={sorted(group_name.get(g['GroupId'], '?') for g in e.get('Groups', []))}",
        f"private_dns={bool(e.get('PrivateDnsEnabled')) if e['VpcEndpointType'].lower() == 'interface' else '-'}",
        f"policy={policy}",
    ]))
for g in groups.values():
    if g["GroupName"] == "default":
        continue
    name = g["GroupName"]
    lines.add(f"group {name} description={g.get('Description')}")
    user_tags(f"group {name}", g)
    for direction, permissions in (("in", g.get("IpPermissions", [])), ("out", g.get("IpPermissionsEgress", []))):
        for p in permissions:
            ports = f"{p.get('FromPort', -1)}-{p.get('ToPort', -1)}" if p.get("IpProtocol") != "-1" else "all"
            peers = [(r["CidrIp"], r.get("Description")) for r in p.get("IpRanges", [])]
            peers += [(r["CidrIpv6"], r.get("Description")) for r in p.get("Ipv6Ranges", [])]
            peers += [("group " + group_name.get(r["GroupId"], r["GroupId"]), r.get("Description")) for r in p.get("UserIdGroupPairs", [])]
            peers += [("prefix-list " + r["PrefixListId"], r.get("Description")) for r in p.get("PrefixListIds", [])]
            for peer, description in peers:
                lines.add(f"rule {name} {direction} {p.get('IpProtocol')} {ports} {peer} description={description}")
for a in ec2.describe_network_acls(Filters=f)["NetworkAcls"]:
    if a.get("IsDefault"):
        continue
    cidrs = sorted(subnet_cidr.get(x["SubnetId"], "?") for x in a.get("Associations", []))
    key = f"acl[{','.join(cidrs)}]"
    lines.add(key)
    user_tags(key, a)
    for entry in a.get("Entries", []):
        if entry["RuleNumber"] == 32767:
            continue
        if entry["Protocol"] in ("6", "17"):
            ports = f"{entry.get('PortRange', {}).get('From')}-{entry.get('PortRange', {}).get('To')}"
        elif entry["Protocol"] == "1":
            ports = f"icmp{entry.get('IcmpTypeCode', {}).get('Type', -1)}/{entry.get('IcmpTypeCode', {}).get('Code', -1)}"
        else:
            ports = "all"
        lines.add(f"acl-entry {key} {'out' if entry['Egress'] else 'in'} {entry['RuleNumber']} {entry['Protocol']} "
                  f"{ports} {entry.get('CidrBlock') or entry.get('Ipv6CidrBlock')} {entry['RuleAction']}")
dhcp_id = vpc.get("DhcpOptionsId")
if dhcp_id and dhcp_id != "default":
    options = ec2.describe_dhcp_options(DhcpOptionsIds=[dhcp_id])["DhcpOptions"][0]
    configuration = {c["Key"]: sorted(v["Value"] for v in c.get("Values", []))
                     for c in options.get("DhcpConfigurations", [])}
    domain = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    if configuration not in ({}, {"domain-name": [domain], "domain-name-servers": ["AmazonProvidedDNS"]}):
        for key, values in configuration.items():
            lines.add(f"dhcp {key}={values}")
for fl in ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]:
    destination = fl.get("LogDestination") or ""
    if fl.get("LogDestinationType", "cloud-watch-logs") == "cloud-watch-logs":
        destination = fl.get("LogGroupName") or destination.split(":log-group:", 1)[-1].removesuffix(":*")
    lines.add(f"flow-log {fl.get('LogDestinationType', 'cloud-watch-logs')} {destination} {fl.get('TrafficType')} "
              f"interval={fl.get('MaxAggregationInterval', 600)}")
print(json.dumps({"lines": sorted(lines), "tags": sorted(tags)}, indent=1))
