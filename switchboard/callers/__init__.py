"""Real SIP callers (baresip, SIPp) and audio checks, for tests and commands."""
