"""Domain operations, one module per area; each takes a :class:`~mcp_tools.work.Work`."""
