"""Integration tests of the tool server over real MCP sessions."""
