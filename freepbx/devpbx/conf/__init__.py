"""The dev PBX's FreePBX-shaped skeleton configuration (templates)."""
