variable "region" {
  description = "The AWS region to deploy to"
  type        = string
  default     = "us-east-1"
}

variable "design_id" {
  description = "Written into every resource's moat:design-id tag"
  type        = string
  default     = "d-snapshot"
}

variable "tags" {
  description = "Extra tags for every resource"
  type        = map(string)
  default     = {}
}
