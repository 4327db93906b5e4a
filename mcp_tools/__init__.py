"""The team's data and every operation on it, exposed as MCP tools.

Entry points (see docs/data-and-tools.md):

* :class:`mcp_tools.app.ToolsApp` — database, token service, sign-in and call-record services
  built from the settings;
* :mod:`mcp_tools.services.auth` — DID → tenant, caller hints, PIN check with lockout;
* :mod:`mcp_tools.services.calls` — call records; :mod:`mcp_tools.services.reminders` — due
  reminders;
* :mod:`mcp_tools.tokens` — per-call tool tokens;
* :func:`mcp_tools.server.build_server` — the MCP server with the 39 tools.
"""
