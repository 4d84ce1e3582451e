# mvp with a pod block (us-east-1), exported by Moat. Every resource carries the design's ownership tags.

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "moat:design-id" = var.design_id })
  }
}

resource "aws_default_security_group" "vpc_mvp_default" {
  vpc_id = aws_vpc.vpc_mvp.id

  tags = {
    Name              = "vpc-mvp/default-security-group"
    "moat:logical-id" = "vpc-mvp/default-security-group"
  }
}

resource "aws_vpc" "vpc_mvp" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name              = "vpc-mvp"
    "moat:logical-id" = "vpc-mvp"
  }
}

resource "aws_vpc_ipv4_cidr_block_association" "vpc_mvp_cidr_100_64_0_0_16" {
  vpc_id     = aws_vpc.vpc_mvp.id
  cidr_block = "100.64.0.0/16"
}

resource "aws_subnet" "subnet_public_a" {
  vpc_id                  = aws_vpc.vpc_mvp.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true

  tags = {
    Name              = "subnet-public-a"
    "moat:logical-id" = "subnet-public-a"
  }
}

resource "aws_subnet" "subnet_pods_a" {
  vpc_id                  = aws_vpc.vpc_mvp.id
  cidr_block              = "100.64.0.0/20"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false
  depends_on              = [aws_vpc_ipv4_cidr_block_association.vpc_mvp_cidr_100_64_0_0_16]

  tags = {
    Name              = "subnet-pods-a"
    "moat:logical-id" = "subnet-pods-a"
  }
}

resource "aws_internet_gateway" "igw_mvp" {
  vpc_id = aws_vpc.vpc_mvp.id

  tags = {
    Name              = "igw-mvp"
    "moat:logical-id" = "igw-mvp"
  }
}

resource "aws_security_group" "sg_notebook" {
  name        = "notebook"
  description = "SageMaker notebook: no inbound, all outbound"
  vpc_id      = aws_vpc.vpc_mvp.id

  tags = {
    Name              = "sg-notebook"
    "moat:logical-id" = "sg-notebook"
  }
}

resource "aws_default_route_table" "rt_main" {
  default_route_table_id = aws_vpc.vpc_mvp.default_route_table_id

  tags = {
    Name              = "rt-main"
    "moat:logical-id" = "rt-main"
  }
}

resource "aws_route_table" "rt_public" {
  vpc_id = aws_vpc.vpc_mvp.id

  tags = {
    Name              = "rt-public"
    "moat:logical-id" = "rt-public"
  }
}

resource "aws_vpc_endpoint" "vpce_s3" {
  vpc_id            = aws_vpc.vpc_mvp.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.rt_public.id]

  tags = {
    Name              = "vpce-s3"
    "moat:logical-id" = "vpce-s3"
  }
}

resource "aws_vpc_security_group_egress_rule" "sg_notebook_egress_1_1_1_cidr_0_0_0_0_0" {
  security_group_id = aws_security_group.sg_notebook.id
  description       = "sg-notebook/egress/-1/-1/-1/cidr:0.0.0.0/0 (Moat)"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_route" "rt_public_0_0_0_0_0" {
  route_table_id         = aws_route_table.rt_public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.igw_mvp.id
}

resource "aws_route_table_association" "subnet_public_a_route_table" {
  subnet_id      = aws_subnet.subnet_public_a.id
  route_table_id = aws_route_table.rt_public.id
}
