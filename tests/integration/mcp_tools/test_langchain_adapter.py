"""The agent's way in: langchain-mcp-adapters over streamable HTTP with a bearer header."""

from __future__ import annotations

import pytest

from tests.fixtures.mcp_env import ToolEnv

adapters = pytest.importorskip("langchain_mcp_adapters.client")


async def test_tools_load_as_langchain_tools(tool_env: ToolEnv) -> None:
    from langchain_mcp_adapters.tools import load_mcp_tools

    token = tool_env.token(tool_env.a, "103", "member", call_id="lc-1")
    client = adapters.MultiServerMCPClient(
        {
            "switchboard": {
                "transport": "streamable_http",
                "url": tool_env.url,
                "headers": {"Authorization": f"Bearer {token}"},
            }
        }
    )
    async with client.session("switchboard") as session:
        tools = {t.name: t for t in await load_mcp_tools(session)}
        assert len(tools) == 39
        for tool in tools.values():  # descriptions and argument docs are there for the model
            assert tool.description
            for prop in tool.args.values():
                assert prop.get("description"), (tool.name, prop)
        result = await tools["get_my_profile"].ainvoke({})
        text = result if isinstance(result, str) else str(result)
        assert "You are John Park" in text
