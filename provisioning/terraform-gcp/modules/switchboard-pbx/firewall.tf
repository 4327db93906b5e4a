# Ingress to the PBX (by its network tag). Everything not allowed here is denied: the VPC is
# the module's own, so GCP's default-network rules do not apply.

locals {
  log       = var.firewall_logging ? [1] : []
  iap_range = ["35.235.240.0/20"]
}

# SIP signalling: only from Twilio's signalling edges.
resource "google_compute_firewall" "sip_from_twilio" {
  project     = var.project_id
  name        = "${var.name}-sip-twilio"
  network     = google_compute_network.pbx.id
  direction   = "INGRESS"
  description = "SIP 5060 UDP/TCP and 5061 TLS from Twilio's signalling ranges only."

  allow {
    protocol = "udp"
    ports    = ["5060"]
  }

  allow {
    protocol = "tcp"
    ports    = ["5060", "5061"]
  }

  source_ranges = var.twilio_signalling_ranges
  target_tags   = [local.tag]

  dynamic "log_config" {
    for_each = local.log
    content {
      metadata = "INCLUDE_ALL_METADATA"
    }
  }
}

# RTP media: only from Twilio's media range, only to the PBX's RTP ports.
resource "google_compute_firewall" "rtp_from_twilio" {
  project     = var.project_id
  name        = "${var.name}-rtp-twilio"
  network     = google_compute_network.pbx.id
  direction   = "INGRESS"
  description = "RTP (UDP) from Twilio's media range to the PBX's RTP port range."

  allow {
    protocol = "udp"
    ports    = [var.rtp_port_range]
  }

  source_ranges = var.twilio_media_ranges
  target_tags   = [local.tag]

  dynamic "log_config" {
    for_each = local.log
    content {
      metadata = "INCLUDE_ALL_METADATA"
    }
  }
}

# Agents' browsers: WSS (SIP over secure websocket) and, for WebRTC media, UDP to the RTP range.
resource "google_compute_firewall" "wss_from_agents" {
  count       = length(var.agent_networks) > 0 ? 1 : 0
  project     = var.project_id
  name        = "${var.name}-wss-agents"
  network     = google_compute_network.pbx.id
  direction   = "INGRESS"
  description = "WSS and the agents' console (HTTPS), from the agent networks only."

  allow {
    protocol = "tcp"
    ports    = [tostring(var.wss_port), tostring(var.console_port)]
  }

  source_ranges = var.agent_networks
  target_tags   = [local.tag]

  dynamic "log_config" {
    for_each = local.log
    content {
      metadata = "INCLUDE_ALL_METADATA"
    }
  }
}

resource "google_compute_firewall" "rtp_from_agents" {
  count       = length(var.agent_networks) > 0 && var.agent_rtp_from_agents ? 1 : 0
  project     = var.project_id
  name        = "${var.name}-rtp-agents"
  network     = google_compute_network.pbx.id
  direction   = "INGRESS"
  description = "WebRTC media (DTLS-SRTP over UDP) from the agent networks to the RTP range."

  allow {
    protocol = "udp"
    ports    = [var.rtp_port_range]
  }

  source_ranges = var.agent_networks
  target_tags   = [local.tag]

  dynamic "log_config" {
    for_each = local.log
    content {
      metadata = "INCLUDE_ALL_METADATA"
    }
  }
}

# SSH: only through Identity-Aware Proxy's TCP forwarding range unless the admin opts in to
# admin_networks too (gcloud compute ssh --tunnel-through-iap; IAM: roles/iap.tunnelResourceAccessor
# and roles/compute.osAdminLogin or osLogin).
resource "google_compute_firewall" "ssh" {
  project     = var.project_id
  name        = "${var.name}-ssh"
  network     = google_compute_network.pbx.id
  direction   = "INGRESS"
  description = "SSH through IAP TCP forwarding (and admin_networks only if ssh_from_admin_networks)."

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  source_ranges = concat(local.iap_range, var.ssh_from_admin_networks ? var.admin_networks : [])
  target_tags   = [local.tag]

  dynamic "log_config" {
    for_each = local.log
    content {
      metadata = "INCLUDE_ALL_METADATA"
    }
  }
}

# Admins: the FreePBX web console (HTTPS), from the admin networks only.
resource "google_compute_firewall" "admin" {
  count       = length(var.admin_networks) > 0 ? 1 : 0
  project     = var.project_id
  name        = "${var.name}-admin"
  network     = google_compute_network.pbx.id
  direction   = "INGRESS"
  description = "The FreePBX console (HTTPS) from the admin networks only."

  allow {
    protocol = "tcp"
    ports    = ["443"]
  }

  source_ranges = var.admin_networks
  target_tags   = [local.tag]

  dynamic "log_config" {
    for_each = local.log
    content {
      metadata = "INCLUDE_ALL_METADATA"
    }
  }
}
