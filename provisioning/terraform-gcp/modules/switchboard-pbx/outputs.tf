output "external_ip" {
  description = "The PBX's static public address."
  value       = google_compute_address.pbx.address
}

output "sip_uri" {
  description = "Twilio origination URL (twilio.origination_uri for `switchboard twilio provision`)."
  value       = "sip:${google_compute_address.pbx.address}:5060"
}

output "console_url" {
  description = "FreePBX's web console (reachable from admin_networks)."
  value       = "https://${google_compute_address.pbx.address}/admin"
}

output "wss_url" {
  description = "Where the agents' WebRTC softphones register (reachable from agent_networks)."
  value       = "wss://${local.pbx_host}:${var.wss_port}/ws"
}

output "agents_console_url" {
  description = "The agents' console (HTTPS, from agent_networks)."
  value       = "https://${local.pbx_host}:${var.console_port}/login"
}

output "instance_name" {
  description = "The VM's name (for `gcloud compute ssh`)."
  value       = google_compute_instance.pbx.name
}

output "service_account_email" {
  description = "The VM's service account."
  value       = google_service_account.pbx.email
}
