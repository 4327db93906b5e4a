"""The team's data and every operation on it, exposed as MCP tools."""
