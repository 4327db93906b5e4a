# The PBX VM: FreePBX 17 + Switchboard on Debian 12, with its own service account, VPC,
# static external IP and firewall rules (firewall.tf).

locals {
  tag      = var.name
  labels   = merge({ app = "switchboard" }, var.labels)
  pbx_host = var.dns_name != "" ? var.dns_name : google_compute_address.pbx.address
  # The one install script `make install` runs, and the versions the tests used.
  repo_root   = "${path.module}/../../../.."
  install_sh  = file("${local.repo_root}/scripts/install.sh")
  constraints = file("${local.repo_root}/constraints.txt")
  acme_server = var.letsencrypt_staging ? "https://acme-staging-v02.api.letsencrypt.org/directory" : "https://acme-v02.api.letsencrypt.org/directory"
}

resource "google_service_account" "pbx" {
  project      = var.project_id
  account_id   = var.service_account_id
  display_name = "Switchboard PBX VM"
  description  = "Runs the Switchboard PBX VM: writes its logs and metrics, nothing else."
}

# Least privilege: the VM only ships logs and metrics. No storage, no compute, no IAM.
resource "google_project_iam_member" "pbx_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.pbx.email}"
}

resource "google_project_iam_member" "pbx_metrics" {
  project = var.project_id
  role    = "roles/monitoring.metricWriter"
  member  = "serviceAccount:${google_service_account.pbx.email}"
}

resource "google_compute_network" "pbx" {
  project                 = var.project_id
  name                    = var.name
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "pbx" {
  project                  = var.project_id
  name                     = var.name
  region                   = var.region
  network                  = google_compute_network.pbx.id
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# A SIP server must keep one public address: Twilio's origination URL points at it and the
# PBX advertises it in SDP.
resource "google_compute_address" "pbx" {
  project      = var.project_id
  name         = var.name
  region       = var.region
  address_type = "EXTERNAL"
  network_tier = "PREMIUM"
  labels       = local.labels
}

resource "google_compute_instance" "pbx" {
  #checkov:skip=CKV_GCP_40:A SIP/RTP server needs a public IP: Twilio sends calls and media to it; the firewall admits only Twilio's ranges, agents and admins.
  #checkov:skip=CKV_GCP_38:Boot disk uses Google-managed encryption; CSEK needs the key at every start, which an unattended PBX cannot supply.
  project                   = var.project_id
  name                      = var.name
  zone                      = var.zone
  machine_type              = var.machine_type
  tags                      = [local.tag]
  labels                    = local.labels
  can_ip_forward            = false
  deletion_protection       = var.deletion_protection
  allow_stopping_for_update = true

  boot_disk {
    initialize_params {
      image  = var.image
      size   = var.disk_size_gb
      type   = var.disk_type
      labels = local.labels
    }
  }

  network_interface {
    subnetwork = google_compute_subnetwork.pbx.id

    access_config {
      nat_ip       = google_compute_address.pbx.address
      network_tier = "PREMIUM"
    }
  }

  service_account {
    email  = google_service_account.pbx.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  # The start-up script is metadata (not metadata_startup_script, which forces a new VM on
  # every change): it does its work on first boot only.
  metadata = {
    block-project-ssh-keys = "true"
    enable-oslogin         = "TRUE"
    serial-port-enable     = "false"
    startup-script = templatefile("${path.module}/startup.sh.tftpl", {
      install_sh_b64     = base64encode(local.install_sh)
      constraints_b64    = base64encode(local.constraints)
      external_address   = google_compute_address.pbx.address
      local_networks     = jsonencode([var.subnet_cidr])
      trunk_match        = jsonencode(var.twilio_signalling_ranges)
      media_ranges       = jsonencode(var.twilio_media_ranges)
      agent_networks     = jsonencode(var.agent_networks)
      agent_extensions   = jsonencode(var.agent_extensions)
      dns_name           = var.dns_name
      letsencrypt_name   = local.letsencrypt ? var.dns_name : ""
      letsencrypt_email  = var.letsencrypt_email
      acme_server        = local.acme_server
      switchboard_source = var.switchboard_source
      twilio_domain_name = var.twilio_domain_name
      phone_numbers      = jsonencode(var.phone_numbers)
      wss_port           = var.wss_port
      console_port       = var.console_port
      pbx_host           = local.pbx_host
      cert_san           = var.dns_name != "" ? "DNS:${var.dns_name},IP:${google_compute_address.pbx.address}" : "IP:${google_compute_address.pbx.address}"
      installer_url      = var.freepbx_installer_url
      installer_sha256   = var.freepbx_installer_sha256
      rtp_start          = split("-", var.rtp_port_range)[0]
      rtp_end            = split("-", var.rtp_port_range)[1]
    })
  }
}
