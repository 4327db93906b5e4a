variable "project_id" {
  description = "GCP project for the PBX."
  type        = string
}

variable "region" {
  description = "GCP region."
  type        = string
  default     = "us-east1"
}

variable "zone" {
  description = "GCP zone inside the region."
  type        = string
  default     = "us-east1-b"
}

variable "admin_networks" {
  description = "Admins' networks (FreePBX console; SSH goes through IAP)."
  type        = list(string)
}

variable "agent_networks" {
  description = "Agents' networks (WSS softphones and their media)."
  type        = list(string)
}

variable "agent_extensions" {
  description = "The agents' extension numbers (FreePBX extensions for the WebRTC console)."
  type        = list(string)
  default     = []
}

variable "switchboard_source" {
  description = "pip requirement for Switchboard on the VM."
  type        = string
}

variable "twilio_domain_name" {
  description = "Twilio termination domain, <name>.pstn.twilio.com."
  type        = string
}

variable "phone_numbers" {
  description = "E.164 numbers routed to the assistant."
  type        = list(string)
  default     = []
}

variable "dns_name" {
  description = "DNS name of the PBX (empty: its static IP)."
  type        = string
  default     = ""
}

variable "dns_zone" {
  description = "Cloud DNS managed zone holding dns_name: Terraform adds the A record and the VM gets a Let's Encrypt certificate (DNS-01). Empty: self-signed."
  type        = string
  default     = ""
}

variable "letsencrypt_email" {
  description = "Where Let's Encrypt sends expiry warnings (required with dns_zone)."
  type        = string
  default     = ""
}

variable "freepbx_installer_sha256" {
  description = "sha256 of Sangoma's FreePBX 17 installer (docs/gcp-terraform.md says how to get it)."
  type        = string
}
