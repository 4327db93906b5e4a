"""A local fake of the parts of Twilio's REST API that trunk provisioning uses.

Same paths, form fields, JSON shapes, paging envelopes and error bodies as Twilio's
Trunking v1 and API 2010-04-01, so the real ``twilio`` SDK talks to it unchanged once its
two base URLs point here (``/trunking`` and ``/api``). Requests are checked for HTTP Basic
credentials; every request is logged so tests can assert that a re-run wrote nothing.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

PAGE_SIZE = 50

# collection path (after the version prefix) → (sid prefix, JSON key, form field → JSON field)
TRUNKING = {
    "Trunks": ("TK", "trunks", {"FriendlyName": "friendly_name", "DomainName": "domain_name"}),
    "OriginationUrls": (
        "OU",
        "origination_urls",
        {
            "FriendlyName": "friendly_name",
            "SipUrl": "sip_url",
            "Priority": "priority",
            "Weight": "weight",
            "Enabled": "enabled",
        },
    ),
}
API = {
    "SIP/IpAccessControlLists": (
        "AL",
        "ip_access_control_lists",
        {"FriendlyName": "friendly_name"},
    ),
    "IpAddresses": (
        "IP",
        "ip_addresses",
        {
            "FriendlyName": "friendly_name",
            "IpAddress": "ip_address",
            "CidrPrefixLength": "cidr_prefix_length",
        },
    ),
    "SIP/CredentialLists": ("CL", "credential_lists", {"FriendlyName": "friendly_name"}),
    "Credentials": ("CR", "credentials", {"Username": "username", "Password": "password"}),
}
LINKS = {  # trunk sub-collection → (form field, table of the linked objects, JSON key)
    "IpAccessControlLists": (
        "IpAccessControlListSid",
        "ip_access_control_lists",
        "ip_access_control_lists",
    ),
    "CredentialLists": ("CredentialListSid", "credential_lists", "credential_lists"),
    "PhoneNumbers": ("PhoneNumberSid", "incoming_phone_numbers", "phone_numbers"),
}


@dataclass
class FakeTwilio:
    """State of the fake account, and the log of requests it served."""

    account_sid: str = "AC" + "1" * 32
    auth_token: str = "token-" + "2" * 26
    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        """One kind of object, by sid (made on first use)."""
        return self.rows.setdefault(name, {})

    def new_sid(self, prefix: str) -> str:
        """A fresh 34-character sid with Twilio's prefix."""
        return f"{prefix}{next(self._ids):032x}"

    def add_number(self, e164: str) -> str:
        """An incoming phone number the account owns (not on any trunk)."""
        sid = self.new_sid("PN")
        self.table("incoming_phone_numbers")[sid] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "phone_number": e164,
            "trunk_sid": None,
        }
        return sid

    def writes(self) -> list[tuple[str, str]]:
        """Requests that could change state (POST, DELETE)."""
        return [r for r in self.requests if r[0] != "GET"]


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
    )


def _coerce(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    return int(value) if value.isdigit() else value


class _App:
    def __init__(self, fake: FakeTwilio) -> None:
        self.fake = fake

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == (self.fake.account_sid, self.fake.auth_token)

    def _page(
        self, request: web.Request, key: str, rows: list[dict[str, Any]], v2010: bool
    ) -> web.Response:
        page = int(request.query.get("Page", "0"))
        size = int(request.query.get("PageSize", str(PAGE_SIZE)))
        chunk = rows[page * size : (page + 1) * size]
        more = (page + 1) * size < len(rows)
        if v2010:
            nxt = f"{request.path}?PageSize={size}&Page={page + 1}" if more else None
            prefix = "/api"
            next_uri = nxt[len(prefix) :] if nxt else None
            return web.json_response(
                {key: chunk, "page": page, "page_size": size, "next_page_uri": next_uri}
            )
        nxt_url = (
            f"{request.url.with_query({'PageSize': size, 'Page': page + 1})}" if more else None
        )
        return web.json_response(
            {
                key: chunk,
                "meta": {"key": key, "page": page, "page_size": size, "next_page_url": nxt_url},
            }
        )

    async def handle(self, request: web.Request) -> web.Response:
        self.fake.requests.append((request.method, request.path))
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        form = dict(await request.post()) if request.method == "POST" else {}
        path = request.path
        if path.startswith("/trunking/v1/"):
            return self._trunking(request, path[len("/trunking/v1/") :].split("/"), form)
        prefix = f"/api/2010-04-01/Accounts/{self.fake.account_sid}/"
        if path.startswith(prefix) and path.endswith(".json"):
            return self._api(request, path[len(prefix) : -len(".json")].split("/"), form)
        return _error(404, 20404, f"The requested resource {path} was not found")

    def _collection(
        self,
        request: web.Request,
        spec: tuple[str, str, dict[str, str]],
        rows: dict[str, dict[str, Any]],
        form: dict[str, Any],
        v2010: bool,
        parent: dict[str, Any],
    ) -> web.Response:
        prefix, key, fields = spec
        if request.method == "GET":
            return self._page(request, key, list(rows.values()), v2010)
        sid = self.fake.new_sid(prefix)
        row = {"sid": sid, "account_sid": self.fake.account_sid, **parent}
        row |= {fields[k]: _coerce(str(v)) for k, v in form.items() if k in fields}
        row.pop("password", None)  # Twilio never returns credential passwords
        rows[sid] = row
        return web.json_response(row, status=201)

    def _trunking(
        self, request: web.Request, parts: list[str], form: dict[str, Any]
    ) -> web.Response:
        trunks = self.fake.table("trunks")
        if parts == ["Trunks"]:
            return self._collection(request, TRUNKING["Trunks"], trunks, form, False, {})
        if len(parts) < 2 or parts[0] != "Trunks" or parts[1] not in trunks:
            return _error(404, 20404, "The requested resource was not found")
        trunk = trunks[parts[1]]
        if len(parts) == 2:
            if request.method == "POST":
                fields = TRUNKING["Trunks"][2]
                trunk |= {fields[k]: _coerce(str(v)) for k, v in form.items() if k in fields}
            return web.json_response(trunk)
        kind = parts[2]
        if kind == "OriginationUrls":
            urls = trunk.setdefault("_urls", {})
            if len(parts) == 4:
                fields = TRUNKING["OriginationUrls"][2]
                urls[parts[3]] |= {fields[k]: _coerce(str(v)) for k, v in form.items()}
                return web.json_response(urls[parts[3]])
            spec = TRUNKING["OriginationUrls"]
            return self._collection(request, spec, urls, form, False, {"trunk_sid": trunk["sid"]})
        if kind in LINKS:
            return self._link(request, trunk, kind, form)
        return _error(404, 20404, "The requested resource was not found")

    def _link(
        self, request: web.Request, trunk: dict[str, Any], kind: str, form: dict[str, Any]
    ) -> web.Response:
        field_name, source, key = LINKS[kind]
        source_rows = self.fake.table(source)
        linked = trunk.setdefault(f"_{kind}", {})
        if request.method == "GET":
            return self._page(request, key, list(linked.values()), False)
        sid = str(form.get(field_name, ""))
        if sid not in source_rows:
            return _error(404, 20404, f"{field_name} {sid} was not found")
        if source == "incoming_phone_numbers":
            source_rows[sid]["trunk_sid"] = trunk["sid"]
        row = {**source_rows[sid], "trunk_sid": trunk["sid"]}
        linked[sid] = row
        return web.json_response(row, status=201)

    def _api(self, request: web.Request, parts: list[str], form: dict[str, Any]) -> web.Response:
        if parts == ["IncomingPhoneNumbers"]:
            rows = list(self.fake.table("incoming_phone_numbers").values())
            wanted = request.query.get("PhoneNumber")
            rows = [r for r in rows if wanted is None or r["phone_number"] == wanted]
            return self._page(request, "incoming_phone_numbers", rows, True)
        top = "/".join(parts[:2])
        if top not in API:
            return _error(404, 20404, "The requested resource was not found")
        table = self.fake.table(API[top][1])
        if len(parts) == 2:
            return self._collection(request, API[top], table, form, True, {})
        if len(parts) == 4 and parts[2] in table and parts[3] in API:
            children = table[parts[2]].setdefault(f"_{parts[3]}", {})
            return self._collection(request, API[parts[3]], children, form, True, {})
        return _error(404, 20404, "The requested resource was not found")


class FakeTwilioServer:
    """Runs the fake on 127.0.0.1 (a free port) in a thread with its own event loop."""

    def __init__(self, fake: FakeTwilio) -> None:
        self.fake = fake
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL to give ``twilio.api_base_url``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start serving; returns once the port is bound."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", _App(self.fake).handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        """Stop serving and end the thread."""
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
