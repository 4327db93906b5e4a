"""The demo tenant: teams, users with PINs and sign-in numbers, departments on the dev PBX.

Department queues match the dev PBX (``ext-queues,<number>,1``): general 400, support 401,
sales 402. Demo PINs are fixed so a demo (and the end-to-end tests) can sign in; they are
printed by ``switchboard seed --demo`` and must never be used on a real tenant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mcp_tools import hours
from mcp_tools.db.models import Tenant
from mcp_tools.db.session import Database
from mcp_tools.services.admin import Provisioning, operator

DEMO_SLUG = "demo"
DEMO_DID = "+15550100"
DEMO_TZ = "America/New_York"
DEMO_USERS: list[dict[str, Any]] = [
    {
        "name": "Alice Smith",
        "number": "101",
        "pin": "4821",
        "role": "owner",
        "phones": ["+15550111"],
        "aliases": ["Ali"],
    },
    {
        "name": "John Smith",
        "number": "102",
        "pin": "5930",
        "role": "admin",
        "phones": ["+15550112"],
        "aliases": ["Johnny"],
    },
    {
        "name": "John Park",
        "number": "103",
        "pin": "6142",
        "role": "member",
        "phones": ["+15550113"],
        "aliases": [],
    },
    {
        "name": "Maria Garcia",
        "number": "104",
        "pin": "7253",
        "role": "member",
        "phones": ["+15550114"],
        "aliases": ["Mia"],
    },
    {
        "name": "Dev Patel",
        "number": "105",
        "pin": "8364",
        "role": "viewer",
        "phones": ["+15550115"],
        "aliases": [],
    },
]
DEMO_TEAMS: dict[str, dict[str, str]] = {
    "Dev": {"101": "owner", "102": "admin", "103": "member"},
    "Sales": {"104": "owner", "103": "member"},
    "Support": {"104": "admin", "102": "member", "105": "viewer"},
}
DEMO_DEPARTMENTS: list[dict[str, Any]] = [
    {"name": "General", "queue": "400", "hours": hours.ALWAYS, "about": "Anything else"},
    {"name": "Support", "queue": "401", "hours": hours.ALWAYS, "about": "Help with a problem"},
    {
        "name": "Sales",
        "queue": "402",
        "hours": {d: [["08:00", "20:00"]] for d in hours.DAYS[:5]},
        "about": "Buying, pricing and quotes",
    },
]


DEMO_PIN_LENGTH = 4


async def seed_demo(db: Database, bcrypt_rounds: int = 12) -> dict[str, Any]:
    """Create the demo tenant (once); returns everything a demo needs, PINs included."""
    async with db.unscoped() as session:
        existing = (await session.execute(select(Tenant).where(Tenant.slug == DEMO_SLUG))).scalar()
    created = existing is None
    prov = Provisioning(db, bcrypt_rounds)
    if existing is None:
        # The demo's PINs are 4 digits (public, short to type in a demo): its tenant's policy
        # allows that; real tenants default to 6 digits.
        tenant = await prov.create_tenant(
            "Acme Demo", DEMO_SLUG, DEMO_TZ, [DEMO_DID], pin_length=DEMO_PIN_LENGTH
        )
        tenant_id = tenant.id
        actor = operator(tenant_id, name="seed")
        ids: dict[str, int] = {}
        for u in DEMO_USERS:
            made = await prov.create_user(
                actor,
                u["name"],
                u["number"],
                role=u["role"],
                pin=u["pin"],
                phones=u["phones"],
                aliases=u["aliases"],
            )
            ids[u["number"]] = made.id
        for team, members in DEMO_TEAMS.items():
            await prov.create_team(actor, team, {ids[n]: r for n, r in members.items()})
        for d in DEMO_DEPARTMENTS:
            await prov.create_department(actor, d["name"], d["queue"], d["hours"], d["about"])
    else:
        tenant_id = existing.id
    return {
        "created": created,
        "tenant": {
            "id": tenant_id,
            "name": "Acme Demo",
            "slug": DEMO_SLUG,
            "timezone": DEMO_TZ,
            "dids": [DEMO_DID],
        },
        "users": [
            {
                "name": u["name"],
                "user_number": u["number"],
                "pin": u["pin"],
                "role": u["role"],
                "phones": u["phones"],
                "aliases": u["aliases"],
            }
            for u in DEMO_USERS
        ],
        "teams": [
            {"name": t, "members": [{"user_number": n, "role": r} for n, r in m.items()]}
            for t, m in DEMO_TEAMS.items()
        ],
        "departments": [
            {"name": d["name"], "queue": d["queue"], "open_hours": d["hours"]}
            for d in DEMO_DEPARTMENTS
        ],
    }
