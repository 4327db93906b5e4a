"""MCP tool definitions, one module per family; each exposes ``register(mcp, run)``."""
