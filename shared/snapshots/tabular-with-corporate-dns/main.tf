# tabular with corporate dns (us-east-1), exported by Moat. Every resource carries the design's ownership tags.

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "moat:design-id" = var.design_id })
  }
}

resource "aws_default_security_group" "vpc_tabular_default" {
  vpc_id = aws_vpc.vpc_tabular.id

  tags = {
    Name              = "vpc-tabular/default-security-group"
    "moat:logical-id" = "vpc-tabular/default-security-group"
  }
}

resource "aws_vpc" "vpc_tabular" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name              = "vpc-tabular"
    "moat:logical-id" = "vpc-tabular"
  }
}

resource "aws_vpc_dhcp_options" "dhcp_corp" {
  domain_name         = "corp.example.com"
  domain_name_servers = ["AmazonProvidedDNS", "10.20.0.53"]
  ntp_servers         = ["169.254.169.123"]

  tags = {
    Name              = "dhcp-corp"
    "moat:logical-id" = "dhcp-corp"
  }
}

resource "aws_vpc_dhcp_options_association" "vpc_tabular_dhcp_options" {
  vpc_id          = aws_vpc.vpc_tabular.id
  dhcp_options_id = aws_vpc_dhcp_options.dhcp_corp.id
}

resource "aws_customer_gateway" "cgw_datacenter" {
  bgp_asn    = "65000"
  ip_address = "203.0.113.10"
  type       = "ipsec.1"

  tags = {
    Name              = "cgw-datacenter"
    "moat:logical-id" = "cgw-datacenter"
  }
}

resource "aws_subnet" "subnet_private_a" {
  vpc_id                  = aws_vpc.vpc_tabular.id
  cidr_block              = "10.0.2.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false

  tags = {
    Name              = "subnet-private-a"
    "moat:logical-id" = "subnet-private-a"
  }
}

resource "aws_vpn_gateway" "vgw_tabular" {
  vpc_id          = aws_vpc.vpc_tabular.id
  amazon_side_asn = "64512"

  tags = {
    Name              = "vgw-tabular"
    "moat:logical-id" = "vgw-tabular"
  }
}

resource "aws_security_group" "sg_batch" {
  name        = "batch"
  description = "Batch workers: no inbound, all outbound"
  vpc_id      = aws_vpc.vpc_tabular.id

  tags = {
    Name              = "sg-batch"
    "moat:logical-id" = "sg-batch"
  }
}

resource "aws_default_route_table" "rt_main" {
  default_route_table_id = aws_vpc.vpc_tabular.default_route_table_id

  tags = {
    Name              = "rt-main"
    "moat:logical-id" = "rt-main"
  }
}

resource "aws_route_table" "rt_private" {
  vpc_id = aws_vpc.vpc_tabular.id

  tags = {
    Name              = "rt-private"
    "moat:logical-id" = "rt-private"
  }
}

resource "aws_vpn_connection_route" "vpn_datacenter_1" {
  destination_cidr_block = "192.168.0.0/16"
  vpn_connection_id      = aws_vpn_connection.vpn_datacenter.id
}

resource "aws_vpn_connection" "vpn_datacenter" {
  vpn_gateway_id      = aws_vpn_gateway.vgw_tabular.id
  customer_gateway_id = aws_customer_gateway.cgw_datacenter.id
  type                = "ipsec.1"
  static_routes_only  = true

  tags = {
    Name              = "vpn-datacenter"
    "moat:logical-id" = "vpn-datacenter"
  }
}

resource "aws_vpc_endpoint" "vpce_s3" {
  vpc_id            = aws_vpc.vpc_tabular.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.rt_private.id]

  tags = {
    Name              = "vpce-s3"
    "moat:logical-id" = "vpce-s3"
  }
}

resource "aws_vpc_endpoint" "vpce_dynamodb" {
  vpc_id            = aws_vpc.vpc_tabular.id
  service_name      = "com.amazonaws.us-east-1.dynamodb"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.rt_private.id]

  tags = {
    Name              = "vpce-dynamodb"
    "moat:logical-id" = "vpce-dynamodb"
  }
}

resource "aws_vpc_security_group_egress_rule" "sg_batch_egress_1_1_1_cidr_0_0_0_0_0" {
  security_group_id = aws_security_group.sg_batch.id
  description       = "sg-batch/egress/-1/-1/-1/cidr:0.0.0.0/0 (Moat)"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_route" "rt_private_192_168_0_0_16" {
  route_table_id         = aws_route_table.rt_private.id
  destination_cidr_block = "192.168.0.0/16"
  gateway_id             = aws_vpn_gateway.vgw_tabular.id
}

resource "aws_route_table_association" "subnet_private_a_route_table" {
  subnet_id      = aws_subnet.subnet_private_a.id
  route_table_id = aws_route_table.rt_private.id
}
