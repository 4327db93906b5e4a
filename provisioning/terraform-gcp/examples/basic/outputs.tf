output "external_ip" {
  description = "The PBX's static public address (twilio.pbx_ips)."
  value       = module.pbx.external_ip
}

output "sip_uri" {
  description = "Twilio origination URL (twilio.origination_uri)."
  value       = module.pbx.sip_uri
}

output "console_url" {
  description = "FreePBX web console."
  value       = module.pbx.console_url
}

output "wss_url" {
  description = "Agents' softphone registration URL."
  value       = module.pbx.wss_url
}
