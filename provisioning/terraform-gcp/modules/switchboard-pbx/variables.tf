variable "project_id" {
  description = "GCP project that holds the PBX."
  type        = string
}

variable "region" {
  description = "Region of the static IP and subnet (pick one near your callers and Twilio edge)."
  type        = string
}

variable "zone" {
  description = "Zone of the VM, inside var.region."
  type        = string
}

variable "name" {
  description = "Prefix of every resource's name; also the VM's network tag."
  type        = string
  default     = "switchboard-pbx"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,40}[a-z0-9]$", var.name))
    error_message = "name must be a lower-case GCP name (letters, digits, dashes), 3-42 characters."
  }
}

variable "machine_type" {
  description = "VM size. e2-standard-2 holds FreePBX and a few calls with cloud models; use e2-standard-8 or larger for local speech models."
  type        = string
  default     = "e2-standard-4"
}

variable "disk_size_gb" {
  description = "Boot disk size (FreePBX, recordings, models)."
  type        = number
  default     = 40
}

variable "disk_type" {
  description = "Boot disk type."
  type        = string
  default     = "pd-balanced"
}

variable "image" {
  description = "Boot image: Debian 12, which FreePBX 17's installer supports."
  type        = string
  default     = "debian-cloud/debian-12"
}

variable "subnet_cidr" {
  description = "Private range of the PBX's own subnet (the module makes a VPC so GCP's default-network rules, such as SSH from anywhere, do not apply)."
  type        = string
  default     = "10.60.0.0/24"
}

variable "twilio_signalling_ranges" {
  description = <<-EOT
    Twilio Elastic SIP Trunking signalling addresses (SIP 5060 UDP/TCP, 5061 TLS). Defaults:
    the per-edge /30s us1, us2, ie1, de1, jp1, sg1, au1, br1. Twilio asks that all be allowed;
    re-check https://www.twilio.com/docs/sip-trunking/ip-addresses before deploying.
  EOT
  type        = list(string)
  default = [
    "54.172.60.0/30",
    "54.244.51.0/30",
    "54.171.127.192/30",
    "35.156.191.128/30",
    "54.65.63.192/30",
    "54.169.127.128/30",
    "54.252.254.64/30",
    "177.71.206.192/30",
  ]

  validation {
    condition     = length(var.twilio_signalling_ranges) > 0 && alltrue([for c in var.twilio_signalling_ranges : can(cidrhost(c, 0))])
    error_message = "twilio_signalling_ranges must be a non-empty list of CIDR ranges."
  }
}

variable "twilio_media_ranges" {
  description = "Twilio's media (RTP) range: all edges use 168.86.128.0/18 since February 2024."
  type        = list(string)
  default     = ["168.86.128.0/18"]

  validation {
    condition     = length(var.twilio_media_ranges) > 0 && alltrue([for c in var.twilio_media_ranges : can(cidrhost(c, 0))])
    error_message = "twilio_media_ranges must be a non-empty list of CIDR ranges."
  }
}

variable "rtp_port_range" {
  description = "The PBX's RTP port range (FreePBX: Settings → Asterisk SIP Settings → RTP Port Ranges)."
  type        = string
  default     = "10000-20000"

  validation {
    condition     = can(regex("^[0-9]+-[0-9]+$", var.rtp_port_range))
    error_message = "rtp_port_range must look like 10000-20000."
  }
}

variable "wss_port" {
  description = "Asterisk's HTTPS/WSS port for the agents' WebRTC softphones (the installer sets FreePBX to it)."
  type        = number
  default     = 7443
}

variable "agent_networks" {
  description = "Networks your agents' browsers come from (office egress IPs, VPN). Empty: no WSS rule."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.agent_networks : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "agent_networks must be CIDR ranges, and not 0.0.0.0/0."
  }
}

variable "agent_rtp_from_agents" {
  description = "Also allow the agents' WebRTC media (UDP on the RTP range) from agent_networks."
  type        = bool
  default     = true
}

variable "admin_networks" {
  description = "Networks admins come from for the FreePBX web console (443). SSH comes through IAP (35.235.240.0/20) unless ssh_from_admin_networks. Empty: no admin rule."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.admin_networks : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "admin_networks must be CIDR ranges, and not 0.0.0.0/0."
  }
}

variable "firewall_logging" {
  description = "Log the firewall rules' matches (Cloud Logging)."
  type        = bool
  default     = true
}

variable "switchboard_source" {
  description = "What pip installs as Switchboard on the VM: a wheel URL, a git URL (git+https://...@tag) or a package name."
  type        = string
}

variable "twilio_domain_name" {
  description = "Twilio termination SIP domain (<name>.pstn.twilio.com) that `switchboard twilio provision` makes."
  type        = string

  validation {
    condition     = endswith(var.twilio_domain_name, ".pstn.twilio.com")
    error_message = "twilio_domain_name must end in .pstn.twilio.com."
  }
}

variable "phone_numbers" {
  description = "E.164 numbers routed to the assistant (the first is the internal extension's DID)."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Refuse `terraform destroy` of the VM until set to false."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels on the VM, disk and address."
  type        = map(string)
  default     = {}
}

variable "ssh_from_admin_networks" {
  description = "Also allow SSH from admin_networks (default: SSH only through IAP TCP forwarding, 35.235.240.0/20)."
  type        = bool
  default     = false
}

variable "service_account_id" {
  description = "Account id of the VM's service account (6-30 characters: lower-case letters, digits, dashes)."
  type        = string
  default     = "switchboard-pbx"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.service_account_id))
    error_message = "service_account_id must be 6-30 characters: a lower-case letter, then letters, digits or dashes, not ending in a dash."
  }
}

variable "console_port" {
  description = "Port of the agents' console (HTTPS with the PBX's certificate), open to agent_networks."
  type        = number
  default     = 8443
}

variable "dns_name" {
  description = "DNS name of the PBX (e.g. pbx.example.com): the console's origin, the WSS URL and the SIP domain agents use. Empty: the static IP."
  type        = string
  default     = ""

  validation {
    condition     = var.dns_name == "" || can(regex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?[.])+[a-z]{2,}$", var.dns_name))
    error_message = "dns_name must be a lower-case DNS name such as pbx.example.com, or empty."
  }
}

variable "freepbx_installer_url" {
  description = "Sangoma's FreePBX 17 installer for Debian 12, at a fixed commit (not a branch)."
  type        = string
  default     = "https://raw.githubusercontent.com/FreePBX/sng_freepbx_debian_install/master/sng_freepbx_debian_install.sh"
}

variable "freepbx_installer_sha256" {
  description = "sha256 of the installer at freepbx_installer_url: the start-up script refuses any other file (curl -fsSL URL | sha256sum)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.freepbx_installer_sha256))
    error_message = "freepbx_installer_sha256 must be 64 lower-case hex digits."
  }
}

variable "dns_zone" {
  description = "Cloud DNS managed zone (its name, not its domain) that holds dns_name. Set with dns_name and letsencrypt_email: Terraform adds the A record and the VM gets a Let's Encrypt certificate for dns_name by DNS-01 (no port is opened for it) that certbot renews unattended. Empty: a self-signed certificate."
  type        = string
  default     = ""
}

variable "dns_project_id" {
  description = "Project of dns_zone (empty: project_id). The VM may write DNS records there: keep the PBX's zone in a project of its own if other zones must be out of its reach."
  type        = string
  default     = ""
}

variable "letsencrypt_email" {
  description = "Contact address Let's Encrypt sends expiry warnings to (required with dns_zone)."
  type        = string
  default     = ""
}

variable "letsencrypt_staging" {
  description = "Use Let's Encrypt's staging CA (untrusted certificates, generous limits) to try the set-up."
  type        = bool
  default     = false
}

variable "agent_extensions" {
  description = "Extension numbers of the agents (e.g. [\"2001\", \"2002\"]): the first boot makes them FreePBX extensions for the WebRTC console (passwords in /var/log/switchboard-install.json, once)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.agent_extensions : can(regex("^[0-9]{2,8}$", e))])
    error_message = "agent_extensions must be extension numbers (2-8 digits)."
  }
}
