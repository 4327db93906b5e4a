"""The conversation brain: a LangGraph agent over MCP tools."""
