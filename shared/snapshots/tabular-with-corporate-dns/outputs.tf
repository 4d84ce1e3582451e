output "sg_batch_id" {
  value = aws_security_group.sg_batch.id
}

output "vpc_tabular_id" {
  value = aws_vpc.vpc_tabular.id
}
