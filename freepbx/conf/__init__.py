"""Custom configuration files shipped to a FreePBX (templates)."""
