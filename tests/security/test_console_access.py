"""The console's server decides: SIP passwords only for an agent's own extension, transfers
checked against the tenant, screen-pops only for the department a call was handed to (for a
while), deactivated users signed out at their next request, one-time links spent by POST,
``next=`` kept on this origin, the try-it page by role. A real aiohttp server over a real
migrated SQLite database; no PBX is needed for these."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import bcrypt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select, update

from mcp_tools.db import migrate
from mcp_tools.db.base import utcnow
from mcp_tools.db.models import AuditEntry, Call
from mcp_tools.db.session import Database
from mcp_tools.seed import seed_demo
from mcp_tools.services.admin import Provisioning, operator
from mcp_tools.services.calls import CallRecords
from switchboard.settings import Settings
from webrtc_console.accounts import AccountError, ConsoleAccounts, dummy_hash
from webrtc_console.web import create_app, login_link_url, safe_next

ORIGIN = "http://console.test"
PASSWORD = "a long console password"
SECRETS = {"2001": "agent-2001-secret", "2002": "agent-2002-secret", "2003": "tryit-secret"}


@dataclass
class Console:
    client: TestClient[Any, Any]
    db: Database
    tenant: int
    accounts: ConsoleAccounts
    users: dict[str, int]


@pytest.fixture
async def console() -> AsyncIterator[Console]:
    with tempfile.TemporaryDirectory(prefix="sb-sec-console-") as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/console.db")
        await migrate.upgrade(db)
        demo = await seed_demo(db, 4)
        tenant = int(demo["tenant"]["id"])
        users = {u["user_number"]: 0 for u in demo["users"]}
        from webrtc_console.directory import Directory

        accounts = ConsoleAccounts(Path(tmp) / "accounts.json", bcrypt_rounds=4)
        for number in users:
            person = await Directory(db).person("demo", number)
            assert person is not None
            users[number] = person.user_id
            accounts.set_password(tenant, person.user_id, PASSWORD)
        accounts.set_extension(tenant, users["103"], "2001")  # John Park: Dev, Sales
        accounts.set_extension(tenant, users["105"], "2002")  # Dev Patel: a viewer
        settings = Settings(
            state_dir=Path(tmp),
            pbx={"mode": "external"},  # type: ignore[arg-type]
            console={  # type: ignore[arg-type]
                "extension_secrets": {k: SecretStr(v) for k, v in SECRETS.items()},
                "tryit_extension": "2003",
            },
        )
        app = create_app(settings, db=db, accounts=accounts, origin=ORIGIN)
        async with TestClient(TestServer(app)) as client:
            yield Console(client, db, tenant, accounts, users)
        await db.dispose()


async def _sign_in(c: Console, user: str, next_: str = "") -> dict[str, Any]:
    c.client.session.cookie_jar.clear()
    r = await c.client.post(
        "/api/login",
        json={"tenant": "demo", "user": user, "password": PASSWORD, "next": next_},
        headers={"Origin": ORIGIN},
    )
    assert r.status == 200, await r.text()
    body: dict[str, Any] = await r.json()
    return body


async def _post(c: Console, path: str, csrf: str, body: Any = None) -> Any:
    return await c.client.post(
        path, json=body or {}, headers={"Origin": ORIGIN, "X-CSRF-Token": csrf}
    )


async def test_sip_password_only_for_the_agents_own_extension(console: Console) -> None:
    c = console
    csrf = (await _sign_in(c, "103"))["csrf"]
    me = await (await c.client.get("/api/me")).json()
    assert me["sip"]["extension"] == "2001" and "password" not in me["sip"]
    assert SECRETS["2001"] not in str(me)
    r = await c.client.post("/api/sip", headers={"Origin": ORIGIN})  # no CSRF token
    assert r.status == 403
    sip = await (await _post(c, "/api/sip", csrf)).json()
    assert sip == {"extension": "2001", "password": SECRETS["2001"]}
    # a viewer with an extension takes no calls: no SIP credentials at all
    csrf = (await _sign_in(c, "105"))["csrf"]
    me = await (await c.client.get("/api/me")).json()
    assert me["sip"] is None
    assert (await _post(c, "/api/sip", csrf)).status == 403
    # nobody registers as the try-it page's endpoint through the console
    with pytest.raises(AccountError, match="try-it"):
        c.accounts.set_extension(c.tenant, c.users["104"], "2003", reserved=("2003",))
    c.accounts.set_extension(c.tenant, c.users["104"], "2003")  # bound before it was reserved
    csrf = (await _sign_in(c, "104"))["csrf"]
    assert (await (await c.client.get("/api/me")).json())["sip"] is None
    assert (await _post(c, "/api/sip", csrf)).status == 403


async def test_transfers_are_checked_by_the_server(console: Console) -> None:
    c = console
    csrf = (await _sign_in(c, "103"))["csrf"]
    for target, kind in (("2002", "agent"), ("401", "queue"), ("7000", "assistant")):
        r = await _post(c, "/api/transfer", csrf, {"target": target})
        assert r.status == 200 and (await r.json())["kind"] == kind
    other = await Provisioning(c.db, 4).create_tenant("Other", f"o-{uuid.uuid4().hex[:6]}")
    stranger = await Provisioning(c.db, 4).create_user(operator(other.id), "Stan", "101")
    c.accounts.set_extension(other.id, stranger.id, "2101")
    for target in ("011441234567", "900", "2101", "2001", "2003", "*97", "401;x", ""):
        r = await _post(c, "/api/transfer", csrf, {"target": target})
        assert r.status in (400, 403), target
        if r.status == 403:
            assert "still yours" in (await r.json())["error"]
    async with c.db.scoped(c.tenant) as s:
        refused = (
            await s.execute(
                select(AuditEntry).where(
                    AuditEntry.action == "console.transfer", AuditEntry.outcome == "refused"
                )
            )
        ).scalars()
        assert any(e.detail.get("target") == "011441234567" for e in refused)
    csrf = (await _sign_in(c, "105"))["csrf"]  # a viewer takes no calls, transfers none
    assert (await _post(c, "/api/transfer", csrf, {"target": "401"})).status == 403


async def _handed_off(c: Console, department: str | None, age_s: float = 0) -> str:
    call_id = f"sec-{uuid.uuid4().hex[:10]}"
    calls = CallRecords(c.db)
    await calls.start(c.tenant, call_id, "+15550114", "+15550100")
    await calls.append_turn(c.tenant, call_id, "caller", "my secret business")
    outcome = "transferred" if department else "completed"
    await calls.finish(c.tenant, call_id, outcome, "summary", transferred_to=department)
    if age_s:
        async with c.db.scoped(c.tenant) as s, s.begin():
            when = utcnow() - timedelta(seconds=age_s)
            await s.execute(update(Call).where(Call.call_id == call_id).values(ended_at=when))
    return call_id


async def test_screen_pops_by_department_and_for_a_while(console: Console) -> None:
    c = console
    sales, support = await _handed_off(c, "sales"), await _handed_off(c, "support")
    stale, kept = await _handed_off(c, "sales", age_s=3 * 3600), await _handed_off(c, None)
    seen = {}
    for user in ("101", "103", "104", "105"):  # owner; Sales+Dev; Sales+Support; Support viewer
        await _sign_in(c, user)
        seen[user] = {
            name: (await c.client.get(f"/api/calls/{cid}")).status
            for name, cid in (("sales", sales), ("support", support), ("stale", stale))
        }
        seen[user]["kept"] = (await c.client.get(f"/api/calls/{kept}")).status
        assert (await c.client.get("/api/calls/sec-does-not-exist")).status == 404
    assert seen["101"] == {"sales": 200, "support": 200, "stale": 404, "kept": 404}
    assert seen["103"] == {"sales": 200, "support": 404, "stale": 404, "kept": 404}
    assert seen["104"] == {"sales": 200, "support": 200, "stale": 404, "kept": 404}
    assert seen["105"] == {"sales": 404, "support": 200, "stale": 404, "kept": 404}


async def test_deactivated_user_is_signed_out_at_the_next_request(console: Console) -> None:
    c = console
    await _sign_in(c, "104")
    assert (await c.client.get("/api/me")).status == 200
    await Provisioning(c.db, 4).set_active(operator(c.tenant), c.users["104"], False)
    r = await c.client.get("/api/me")
    assert r.status == 401 and (await r.json())["code"] == "session"
    page = await c.client.get("/console", allow_redirects=False)
    assert page.status == 302 and page.headers["Location"].startswith("/login")
    await Provisioning(c.db, 4).set_active(operator(c.tenant), c.users["104"], True)
    assert (await c.client.get("/api/me")).status == 401  # the session is gone for good


async def test_a_demoted_supervisor_loses_the_dashboard_at_once(console: Console) -> None:
    c = console
    await _sign_in(c, "102")  # John Smith, tenant admin
    assert (await (await c.client.get("/api/me")).json())["supervisor"] is True
    async with c.db.scoped(c.tenant) as s, s.begin():
        from mcp_tools.db.models import TeamMember, User

        await s.execute(update(User).where(User.id == c.users["102"]).values(role="member"))
        await s.execute(
            update(TeamMember).where(TeamMember.user_id == c.users["102"]).values(role="member")
        )
    me = await (await c.client.get("/api/me")).json()
    assert me["role"] == "member" and me["supervisor"] is False
    assert (await c.client.get("/api/agents")).status == 403


async def test_next_stays_on_this_console() -> None:
    evils = ["//evil.example", "/\\evil.example", "https://evil.example/console"]
    evils += ["/\t/evil.example", "javascript:alert(1)", "/static/../../etc", "/api/me"]
    for evil in evils:
        assert safe_next(evil) == "/console", evil
    assert safe_next("/dashboard") == "/dashboard" and safe_next("/tryit?x=1") == "/tryit"


async def test_login_answers_with_a_safe_next(console: Console) -> None:
    assert (await _sign_in(console, "103", "//evil.example"))["next"] == "/console"
    assert (await _sign_in(console, "103", "/tryit"))["next"] == "/tryit"


async def test_one_time_links_are_spent_by_post_only(console: Console) -> None:
    c = console
    token = c.accounts.create_link(c.tenant, c.users["103"], 60)
    url = login_link_url(ORIGIN, token)
    assert url == f"{ORIGIN}/login/link#{token}"  # the token is never sent in a request line
    c.client.session.cookie_jar.clear()
    page = await c.client.get("/login/link")
    assert page.status == 200 and "use-link" in await page.text()
    for _ in range(2):  # opening the link (a mail scanner, a preview) spends nothing
        assert (await c.client.get(f"/login/link/{token}")).status == 404
    r = await c.client.post("/api/login/link", json={"token": token}, headers={"Origin": ORIGIN})
    assert r.status == 200 and (await r.json())["next"] == "/console"
    assert (await c.client.get("/api/me")).status == 200
    c.client.session.cookie_jar.clear()
    again = await c.client.post(
        "/api/login/link", json={"token": token}, headers={"Origin": ORIGIN}
    )
    assert again.status == 401 and "already used" in (await again.json())["error"]


async def test_try_it_has_a_role_and_its_own_endpoint(console: Console) -> None:
    c = console
    csrf = (await _sign_in(c, "103"))["csrf"]
    cfg = await (await _post(c, "/api/tryit", csrf)).json()
    assert cfg["uri"].startswith("sip:2003@") and cfg["password"] == SECRETS["2003"]
    assert (await c.client.get("/api/tryit")).status == 405  # never a GET
    csrf = (await _sign_in(c, "105"))["csrf"]  # a viewer
    assert (await _post(c, "/api/tryit", csrf)).status == 403
    page = await c.client.get("/tryit", allow_redirects=False)
    assert page.status == 302 and page.headers["Location"] == "/console"


def test_unknown_users_cost_one_full_bcrypt_check() -> None:
    for rounds in (4, 6):
        assert dummy_hash(rounds).startswith(f"$2b$0{rounds}$".encode())
    accounts = ConsoleAccounts(Path(tempfile.mkdtemp()) / "a.json", bcrypt_rounds=6)
    accounts.set_password(1, 1, PASSWORD)
    stored = accounts.get(1, 1)
    assert stored is not None and stored.password_hash.startswith("$2b$06$")
    assert not accounts.check_password(None, None, PASSWORD)
    assert bcrypt.checkpw(b"x", dummy_hash(6)) is False
