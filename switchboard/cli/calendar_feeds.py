"""``switchboard calendar feed ...``: create, rotate, revoke and list private .ics feeds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app

tenant_option = click.option("--tenant", "slug", required=True, help="Tenant slug.")
owner_options = [
    click.option("--user", "number", default=None, help="A user's feed (user number)."),
    click.option("--team", "team", default=None, help="A team's feed (team name)."),
]


def _owner_opts(func: Any) -> Any:
    for option in reversed(owner_options):
        func = option(func)
    return func


async def _owner(cal: Any, slug: str, number: str | None, team: str | None) -> dict[str, Any]:
    if (number is None) == (team is None):
        raise click.UsageError("Give exactly one of --user or --team.")
    tenant = await cal.tenant_id(slug)
    if number is not None:
        return {"tenant_id": tenant, "user_id": await cal.user_id(tenant, number)}
    return {"tenant_id": tenant, "team_id": await cal.team_id(tenant, team)}


def _whose(f: Mapping[str, Any]) -> str:
    return f"user {f['user_id']}" if f["user_id"] else f"team {f['team_id']}"


def _url_text(r: Mapping[str, Any]) -> str:
    return (
        f"Subscribe to: {r['url']}\n(keep it private; for clients without tasks add ?todos=events)"
    )


@click.group()
def feed() -> None:
    """Private iCalendar feed URLs (only a hash of each token is stored)."""


@feed.command()
@tenant_option
@_owner_opts
@json_option
@pass_app
def create(app: AppContext, slug: str, number: str | None, team: str | None, as_json: bool) -> None:
    """Make a new feed URL for a user or a team (shown once)."""
    from switchboard.cli.calendar import _run

    async def job(cal: Any) -> dict[str, Any]:
        owner = await _owner(cal, slug, number, team)
        tenant = owner.pop("tenant_id")
        token = await cal.feeds.create(tenant, **owner)
        return {"url": cal.feed_url(token), **owner}

    emit(_run(app, job), as_json, _url_text)


@feed.command()
@tenant_option
@_owner_opts
@json_option
@pass_app
def rotate(app: AppContext, slug: str, number: str | None, team: str | None, as_json: bool) -> None:
    """Revoke the current feed URL(s) and make a new one."""
    from switchboard.cli.calendar import _run

    async def job(cal: Any) -> dict[str, Any]:
        owner = await _owner(cal, slug, number, team)
        tenant = owner.pop("tenant_id")
        token = await cal.feeds.rotate(tenant, **owner)
        return {"url": cal.feed_url(token), **owner}

    emit(_run(app, job), as_json, _url_text)


@feed.command()
@tenant_option
@_owner_opts
@json_option
@pass_app
def revoke(app: AppContext, slug: str, number: str | None, team: str | None, as_json: bool) -> None:
    """Revoke every feed URL of a user or a team (they answer 404 from now on)."""
    from switchboard.cli.calendar import _run

    async def job(cal: Any) -> dict[str, Any]:
        owner = await _owner(cal, slug, number, team)
        tenant = owner.pop("tenant_id")
        return {"revoked": await cal.feeds.revoke(tenant, **owner), **owner}

    emit(_run(app, job), as_json, lambda r: f"Revoked {r['revoked']} feed URL(s).")


@feed.command("list")
@tenant_option
@json_option
@pass_app
def list_feeds(app: AppContext, slug: str, as_json: bool) -> None:
    """List a tenant's feed tokens (ids, owners and dates; never the tokens)."""
    from switchboard.cli.calendar import _run

    async def job(cal: Any) -> dict[str, Any]:
        return {"feeds": await cal.feeds.listing(await cal.tenant_id(slug))}

    def text(r: Mapping[str, Any]) -> str:
        return (
            "\n".join(
                f"#{f['id']} {_whose(f)}"
                f" created {f['created_at']}{' REVOKED' if f['revoked_at'] else ''}"
                for f in r["feeds"]
            )
            or "No feeds."
        )

    emit(_run(app, job), as_json, text)
