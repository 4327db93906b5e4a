# The PBX's DNS name and a certificate browsers trust, without opening a port: Terraform
# writes the A record, and certbot on the VM proves the name to Let's Encrypt with a TXT
# record (DNS-01) through Cloud DNS, at issue and at every renewal (certbot.timer).

locals {
  letsencrypt  = var.dns_name != "" && var.dns_zone != ""
  dns_project  = var.dns_project_id != "" ? var.dns_project_id : var.project_id
  acme_role_id = "${replace(var.name, "-", "_")}_acme_dns"
}

resource "google_dns_record_set" "pbx" {
  count        = local.letsencrypt ? 1 : 0
  project      = local.dns_project
  managed_zone = var.dns_zone
  name         = "${var.dns_name}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_address.pbx.address]

  lifecycle {
    precondition {
      condition     = var.letsencrypt_email != ""
      error_message = "letsencrypt_email is required with dns_zone (Let's Encrypt's expiry warnings go there)."
    }
  }
}

# Only what certbot's dns-google plugin does: find the zone, add and remove the
# _acme-challenge TXT record, watch the change.
resource "google_project_iam_custom_role" "acme_dns" {
  count       = local.letsencrypt ? 1 : 0
  project     = local.dns_project
  role_id     = local.acme_role_id
  title       = "Switchboard PBX: Let's Encrypt DNS-01"
  description = "Lets the PBX VM answer Let's Encrypt's DNS-01 challenge for its name."
  permissions = [
    "dns.changes.create",
    "dns.changes.get",
    "dns.changes.list",
    "dns.managedZones.get",
    "dns.managedZones.list",
    "dns.resourceRecordSets.create",
    "dns.resourceRecordSets.delete",
    "dns.resourceRecordSets.list",
    "dns.resourceRecordSets.update",
  ]
}

resource "google_project_iam_member" "acme_dns" {
  count   = local.letsencrypt ? 1 : 0
  project = local.dns_project
  role    = google_project_iam_custom_role.acme_dns[0].name
  member  = "serviceAccount:${google_service_account.pbx.email}"
}
