"""Switchboard: shared settings, logging and the ``switchboard`` command line."""
