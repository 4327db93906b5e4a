"""``switchboard seed --demo``: create the demo tenant and print how to sign in."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app


async def _seed(app: AppContext) -> dict[str, Any]:
    from mcp_tools.db import migrate
    from mcp_tools.db.session import Database
    from mcp_tools.seed import seed_demo

    database = Database.from_settings(app.settings)
    try:
        await migrate.upgrade(database)
        return await seed_demo(database, app.settings.tools.bcrypt_rounds)
    finally:
        await database.dispose()


def _text(r: Mapping[str, Any]) -> str:
    t = r["tenant"]
    lines = [
        f"{'Created' if r['created'] else 'Already there'}: tenant {t['name']} ({t['slug']}), "
        f"DID {', '.join(t['dids'])}, timezone {t['timezone']}",
        "Users (user number / PIN / role / caller ID):",
    ]
    lines += [
        f"  {u['name']:<14} {u['user_number']:>4} / {u['pin']} / {u['role']:<6} / "
        f"{', '.join(u['phones'])}"
        for u in r["users"]
    ]
    lines.append("Teams:")
    lines += [
        f"  {tm['name']}: " + ", ".join(f"{m['user_number']} ({m['role']})" for m in tm["members"])
        for tm in r["teams"]
    ]
    lines.append("Departments (queue = ext-queues,<queue>,1):")
    lines += [f"  {d['name']:<8} {d['queue']}" for d in r["departments"]]
    return "\n".join(lines)


@click.command()
@click.option("--demo", is_flag=True, required=True, help="Create the demo tenant.")
@json_option
@pass_app
def seed(app: AppContext, demo: bool, as_json: bool) -> None:
    """Migrate the database and create the demo tenant (idempotent); prints PINs."""
    emit(asyncio.run(_seed(app)), as_json, _text)
