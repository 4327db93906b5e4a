# Example root: one Switchboard PBX. Copy terraform.tfvars.example to terraform.tfvars,
# fill it in, then `terraform init && terraform apply` (docs/gcp-terraform.md).

module "pbx" {
  source = "../../modules/switchboard-pbx"

  project_id         = var.project_id
  region             = var.region
  zone               = var.zone
  name               = "switchboard-pbx"
  admin_networks     = var.admin_networks
  agent_networks     = var.agent_networks
  agent_extensions   = var.agent_extensions
  switchboard_source = var.switchboard_source
  twilio_domain_name = var.twilio_domain_name
  phone_numbers      = var.phone_numbers

  dns_name                 = var.dns_name
  dns_zone                 = var.dns_zone
  letsencrypt_email        = var.letsencrypt_email
  freepbx_installer_sha256 = var.freepbx_installer_sha256
}
