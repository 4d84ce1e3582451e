output "sg_endpoints_id" {
  value = aws_security_group.sg_endpoints.id
}

output "sg_training_id" {
  value = aws_security_group.sg_training.id
}

output "vpc_multimodal_id" {
  value = aws_vpc.vpc_multimodal.id
}
