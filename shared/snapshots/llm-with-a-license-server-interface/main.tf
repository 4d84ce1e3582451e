# llm with a license server interface (us-east-1), exported by Moat. Every resource carries the design's ownership tags.

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "moat:design-id" = var.design_id })
  }
}

resource "aws_default_security_group" "vpc_llm_default" {
  vpc_id = aws_vpc.vpc_llm.id

  tags = {
    Name              = "vpc-llm/default-security-group"
    "moat:logical-id" = "vpc-llm/default-security-group"
  }
}

resource "aws_vpc" "vpc_llm" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name              = "vpc-llm"
    "moat:logical-id" = "vpc-llm"
  }
}

resource "aws_placement_group" "pg_llm" {
  name     = "moat-${var.design_id}-pg-llm"
  strategy = "cluster"

  tags = {
    Name              = "pg-llm"
    "moat:logical-id" = "pg-llm"
  }
}

resource "aws_subnet" "subnet_training_a" {
  vpc_id                  = aws_vpc.vpc_llm.id
  cidr_block              = "10.0.16.0/20"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false

  tags = {
    Name              = "subnet-training-a"
    "moat:logical-id" = "subnet-training-a"
  }
}

resource "aws_security_group" "sg_efa" {
  name        = "llm-training-sg"
  description = "EFA and NCCL: all traffic to and from itself; HTTPS out for S3"
  vpc_id      = aws_vpc.vpc_llm.id

  tags = {
    Name              = "sg-efa"
    "moat:logical-id" = "sg-efa"
  }
}

resource "aws_default_route_table" "rt_main" {
  default_route_table_id = aws_vpc.vpc_llm.default_route_table_id

  tags = {
    Name              = "rt-main"
    "moat:logical-id" = "rt-main"
  }
}

resource "aws_route_table" "rt_training" {
  vpc_id = aws_vpc.vpc_llm.id

  tags = {
    Name              = "rt-training"
    "moat:logical-id" = "rt-training"
  }
}

resource "aws_network_acl" "acl_training" {
  vpc_id = aws_vpc.vpc_llm.id

  tags = {
    Name              = "acl-training"
    "moat:logical-id" = "acl-training"
  }
}

resource "aws_network_acl_rule" "acl_training_ingress_100" {
  network_acl_id = aws_network_acl.acl_training.id
  rule_number    = 100
  egress         = false
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "10.0.0.0/16"
}

resource "aws_network_acl_rule" "acl_training_ingress_110" {
  network_acl_id = aws_network_acl.acl_training.id
  rule_number    = 110
  egress         = false
  protocol       = "6"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

resource "aws_network_acl_rule" "acl_training_egress_100" {
  network_acl_id = aws_network_acl.acl_training.id
  rule_number    = 100
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}

resource "aws_network_acl_association" "subnet_training_a_network_acl" {
  network_acl_id = aws_network_acl.acl_training.id
  subnet_id      = aws_subnet.subnet_training_a.id
}

resource "aws_vpc_endpoint" "vpce_s3" {
  vpc_id            = aws_vpc.vpc_llm.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.rt_training.id]

  tags = {
    Name              = "vpce-s3"
    "moat:logical-id" = "vpce-s3"
  }
}

resource "aws_vpc_security_group_ingress_rule" "sg_efa_ingress_1_1_1_sg_sg_efa" {
  security_group_id            = aws_security_group.sg_efa.id
  description                  = "sg-efa/ingress/-1/-1/-1/sg:sg-efa (Moat)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.sg_efa.id
}

resource "aws_vpc_security_group_egress_rule" "sg_efa_egress_1_1_1_sg_sg_efa" {
  security_group_id            = aws_security_group.sg_efa.id
  description                  = "sg-efa/egress/-1/-1/-1/sg:sg-efa (Moat)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.sg_efa.id
}

resource "aws_vpc_security_group_egress_rule" "sg_efa_egress_6_443_443_cidr_0_0_0_0_0" {
  security_group_id = aws_security_group.sg_efa.id
  description       = "sg-efa/egress/6/443/443/cidr:0.0.0.0/0 (Moat)"
  ip_protocol       = "6"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_route_table_association" "subnet_training_a_route_table" {
  subnet_id      = aws_subnet.subnet_training_a.id
  route_table_id = aws_route_table.rt_training.id
}

resource "aws_network_interface" "eni_license" {
  subnet_id       = aws_subnet.subnet_training_a.id
  security_groups = [aws_security_group.sg_efa.id]
  private_ips     = ["10.0.16.10"]
  description     = "license server: it's $(touch /tmp/pwned) $${var.x} \"q\""

  tags = {
    Name              = "eni-license"
    "moat:logical-id" = "eni-license"
    team              = "ml-platform"
  }
}
