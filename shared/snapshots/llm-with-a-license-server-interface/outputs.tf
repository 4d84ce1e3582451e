output "sg_efa_id" {
  value = aws_security_group.sg_efa.id
}

output "vpc_llm_id" {
  value = aws_vpc.vpc_llm.id
}
