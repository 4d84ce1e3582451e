# multimodal with scoped endpoints (us-east-1), exported by Moat. Every resource carries the design's ownership tags.

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "moat:design-id" = var.design_id })
  }
}

resource "aws_default_security_group" "vpc_multimodal_default" {
  vpc_id = aws_vpc.vpc_multimodal.id

  tags = {
    Name              = "vpc-multimodal/default-security-group"
    "moat:logical-id" = "vpc-multimodal/default-security-group"
  }
}

resource "aws_vpc" "vpc_multimodal" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name              = "vpc-multimodal"
    "moat:logical-id" = "vpc-multimodal"
  }
}

resource "aws_subnet" "subnet_public_a" {
  vpc_id                  = aws_vpc.vpc_multimodal.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false

  tags = {
    Name              = "subnet-public-a"
    "moat:logical-id" = "subnet-public-a"
  }
}

resource "aws_subnet" "subnet_private_a" {
  vpc_id                  = aws_vpc.vpc_multimodal.id
  cidr_block              = "10.0.2.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false

  tags = {
    Name              = "subnet-private-a"
    "moat:logical-id" = "subnet-private-a"
  }
}

resource "aws_internet_gateway" "igw_multimodal" {
  vpc_id = aws_vpc.vpc_multimodal.id

  tags = {
    Name              = "igw-multimodal"
    "moat:logical-id" = "igw-multimodal"
  }
}

resource "aws_security_group" "sg_endpoints" {
  name        = "endpoints"
  description = "Interface endpoints: HTTPS from the training instances"
  vpc_id      = aws_vpc.vpc_multimodal.id

  tags = {
    Name              = "sg-endpoints"
    "moat:logical-id" = "sg-endpoints"
  }
}

resource "aws_security_group" "sg_training" {
  name        = "training"
  description = "SageMaker instances: no inbound, all outbound"
  vpc_id      = aws_vpc.vpc_multimodal.id

  tags = {
    Name              = "sg-training"
    "moat:logical-id" = "sg-training"
  }
}

resource "aws_default_route_table" "rt_main" {
  default_route_table_id = aws_vpc.vpc_multimodal.default_route_table_id

  tags = {
    Name              = "rt-main"
    "moat:logical-id" = "rt-main"
  }
}

resource "aws_route_table" "rt_public" {
  vpc_id = aws_vpc.vpc_multimodal.id

  tags = {
    Name              = "rt-public"
    "moat:logical-id" = "rt-public"
  }
}

resource "aws_route_table" "rt_private" {
  vpc_id = aws_vpc.vpc_multimodal.id

  tags = {
    Name              = "rt-private"
    "moat:logical-id" = "rt-private"
  }
}

resource "aws_eip" "nat_a_eip" {
  domain = "vpc"

  tags = {
    Name              = "nat-a/eip"
    "moat:logical-id" = "nat-a/eip"
  }
}

resource "aws_nat_gateway" "nat_a" {
  allocation_id = aws_eip.nat_a_eip.id
  subnet_id     = aws_subnet.subnet_public_a.id
  depends_on    = [aws_internet_gateway.igw_multimodal]

  tags = {
    Name              = "nat-a"
    "moat:logical-id" = "nat-a"
  }
}

resource "aws_vpc_endpoint" "vpce_s3" {
  vpc_id            = aws_vpc.vpc_multimodal.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.rt_private.id]
  policy            = "{\"Statement\":[{\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"s3:ListBucket\"],\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":[\"arn:aws:s3:::it's-$(touch /tmp/pwned)\",\"arn:aws:s3:::it's-$(touch /tmp/pwned)/$${aws:username}/*\"]}],\"Version\":\"2012-10-17\"}"

  tags = {
    Name              = "vpce-s3"
    "moat:logical-id" = "vpce-s3"
  }
}

resource "aws_vpc_endpoint" "vpce_sagemaker_api" {
  vpc_id              = aws_vpc.vpc_multimodal.id
  service_name        = "com.amazonaws.us-east-1.sagemaker.api"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [aws_subnet.subnet_private_a.id]
  security_group_ids  = [aws_security_group.sg_endpoints.id]
  private_dns_enabled = true

  tags = {
    Name              = "vpce-sagemaker-api"
    "moat:logical-id" = "vpce-sagemaker-api"
  }
}

resource "aws_vpc_endpoint" "vpce_sagemaker_runtime" {
  vpc_id              = aws_vpc.vpc_multimodal.id
  service_name        = "com.amazonaws.us-east-1.sagemaker.runtime"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [aws_subnet.subnet_private_a.id]
  security_group_ids  = [aws_security_group.sg_endpoints.id]
  private_dns_enabled = true

  tags = {
    Name              = "vpce-sagemaker-runtime"
    "moat:logical-id" = "vpce-sagemaker-runtime"
  }
}

resource "aws_vpc_endpoint" "vpce_rekognition" {
  vpc_id              = aws_vpc.vpc_multimodal.id
  service_name        = "com.amazonaws.us-east-1.rekognition"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [aws_subnet.subnet_private_a.id]
  security_group_ids  = [aws_security_group.sg_endpoints.id]
  private_dns_enabled = true

  tags = {
    Name              = "vpce-rekognition"
    "moat:logical-id" = "vpce-rekognition"
  }
}

resource "aws_vpc_security_group_ingress_rule" "sg_endpoints_ingress_6_443_443_sg_sg_training" {
  security_group_id            = aws_security_group.sg_endpoints.id
  description                  = "sg-endpoints/ingress/6/443/443/sg:sg-training (Moat)"
  ip_protocol                  = "6"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.sg_training.id
}

resource "aws_vpc_security_group_egress_rule" "sg_endpoints_egress_1_1_1_cidr_0_0_0_0_0" {
  security_group_id = aws_security_group.sg_endpoints.id
  description       = "sg-endpoints/egress/-1/-1/-1/cidr:0.0.0.0/0 (Moat)"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "sg_training_egress_1_1_1_cidr_0_0_0_0_0" {
  security_group_id = aws_security_group.sg_training.id
  description       = "sg-training/egress/-1/-1/-1/cidr:0.0.0.0/0 (Moat)"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_route" "rt_public_0_0_0_0_0" {
  route_table_id         = aws_route_table.rt_public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.igw_multimodal.id
}

resource "aws_route_table_association" "subnet_public_a_route_table" {
  subnet_id      = aws_subnet.subnet_public_a.id
  route_table_id = aws_route_table.rt_public.id
}

resource "aws_route" "rt_private_0_0_0_0_0" {
  route_table_id         = aws_route_table.rt_private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat_a.id
}

resource "aws_route_table_association" "subnet_private_a_route_table" {
  subnet_id      = aws_subnet.subnet_private_a.id
  route_table_id = aws_route_table.rt_private.id
}
