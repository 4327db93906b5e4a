"""``switchboard mcp serve --stdio``: the same tools over stdio, identity from --token."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from click.testing import CliRunner
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from switchboard.cli import main

KEY = "stdio-test-key-stdio-test-key-stdio-test"


async def test_stdio_server(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path),
        "SWITCHBOARD_CONFIG": str(tmp_path / "none.toml"),
        "SWITCHBOARD_TOOLS__BCRYPT_ROUNDS": "4",
        "SWITCHBOARD_TOOLS__TOKEN_KEY": KEY,
        "SWITCHBOARD_PBX__MODE": "external",
        "SWITCHBOARD_LOG_LEVEL": "WARNING",
    }
    runner = CliRunner(env=env)
    seeded = await asyncio.to_thread(runner.invoke, main, ["seed", "--demo", "--json"])
    assert seeded.exit_code == 0, seeded.output
    minted = await asyncio.to_thread(
        runner.invoke, main, ["admin", "mint-token", "--tenant", "demo", "103"]
    )
    token = minted.output.strip().splitlines()[-1]
    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from switchboard.cli import main; main()", "mcp", "serve", "--stdio"],
        env={**env, "SWITCHBOARD_MCP_TOKEN": token},
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        assert len((await session.list_tools()).tools) == 39
        result = await session.call_tool("get_my_profile", {})
        assert not result.isError
        assert (result.structuredContent or {})["data"]["user"]["name"] == "John Park"
