"""Unit tests of mcp_tools pure logic."""
