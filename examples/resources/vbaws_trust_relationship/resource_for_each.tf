# The Veeam statement on each role of a list another team hands over, one resource instance per role.
variable "reporting_role_names" {
  type    = set(string)
  default = ["reporting-api-role", "reporting-etl-role"]
}

resource "vbaws_trust_relationship" "reporting" {
  for_each      = var.reporting_role_names
  role_name     = each.value
  principal_arn = data.vbaws_impersonation_role.appliance.arn
}
