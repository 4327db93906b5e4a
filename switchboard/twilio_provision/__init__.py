"""``switchboard twilio provision``: the Twilio Elastic SIP trunk for a Switchboard PBX."""
