output "sg_notebook_id" {
  value = aws_security_group.sg_notebook.id
}

output "vpc_mvp_id" {
  value = aws_vpc.vpc_mvp.id
}
