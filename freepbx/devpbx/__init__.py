"""The dev PBX: a FreePBX-shaped Asterisk 22 in a Debian sid chroot, supervised by Switchboard."""
