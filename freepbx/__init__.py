"""What goes onto a PBX: FreePBX custom files, their renderer, and the dev PBX."""
