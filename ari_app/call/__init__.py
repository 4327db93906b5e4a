"""Calls: one Call per inbound channel, the manager that routes events to them."""
