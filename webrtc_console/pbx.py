"""What the console asks Asterisk (over ARI): pause agents in the queues, see live calls.

Availability uses queue member pause, written through ARI as the ``QUEUE_MEMBER`` dialplan
function (``POST /asterisk/variable?variable=QUEUE_MEMBER(<q>,paused,PJSIP/<ext>)&value=1``).
app_queue then skips a paused member at once, while the member's ``state_interface`` stays its
own PJSIP device, so busy and unregistered phones are still honoured. Asterisk forgets pauses
when it restarts; the console re-applies an agent's status whenever their phone registers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ari_app.ari.rest import AriHttpError, AriNotFound, AriRest
from switchboard.settings import Settings

STATUSES = ("available", "paused", "offline")


@dataclass(frozen=True)
class AgentStatus:
    """An agent's chosen status and why."""

    status: str
    reason: str = ""
    since: str = ""


@dataclass(frozen=True)
class LiveCall:
    """A channel on the PBX, as the dashboard shows it."""

    channel: str
    caller: str
    state: str
    where: str
    waiting_in_queue: str
    seconds: float


class PbxGateway:
    """ARI calls of the console (a thin layer over ``AriRest``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._rest: AriRest | None = None

    @property
    def rest(self) -> AriRest:
        """The ARI client (created on first use)."""
        if self._rest is None:
            password = self.settings.ari.password
            self._rest = AriRest(
                self.settings.ari_url,
                self.settings.ari.user,
                password.get_secret_value() if password else "",
                timeout_s=self.settings.ari.request_timeout_s,
            )
        return self._rest

    async def close(self) -> None:
        """Close the ARI client."""
        if self._rest is not None:
            await self._rest.close()
            self._rest = None

    async def set_paused(self, extension: str, paused: bool, queues: Iterable[str]) -> None:
        """Pause (or resume) an agent's queue member (``console.member_interface``) in every
        given queue."""
        interface = self.settings.console.member_interface.format(extension=extension)
        for queue in queues:
            with contextlib.suppress(AriNotFound):
                await self.rest.set_global_var(
                    f"QUEUE_MEMBER({queue},paused,{interface})", "1" if paused else "0"
                )

    async def endpoint_states(self, extensions: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Registration and channel count per PJSIP endpoint."""
        out: dict[str, dict[str, Any]] = {}
        for ext in extensions:
            try:
                data = await self.rest.request("GET", f"/endpoints/PJSIP/{ext}")
            except (TimeoutError, AriHttpError, OSError):
                out[ext] = {"registered": False, "calls": 0}
                continue
            out[ext] = {
                "registered": str(data.get("state", "")) == "online",
                "calls": len(data.get("channel_ids", [])),
            }
        return out

    async def live_calls(self, extensions: Iterable[str], queues: Iterable[str]) -> list[LiveCall]:
        """Channels touching the tenant's agents or queues; queue waits are callers in a
        queue's dialplan that no bridge holds yet."""
        ext_set, queue_set = set(extensions), set(queues)
        channels = await self.rest.list_channels()
        bridged = {c for b in await self.rest.list_bridges() for c in b.channels}
        now = datetime.now(UTC)
        calls = []
        for ch in channels:
            device = ch.name.split("/", 1)[-1].rsplit("-", 1)[0]
            # A caller in a queue sits at the queue's extension (in ``ext-queues``, or in the
            # context that includes it, e.g. ``from-internal`` for a dialled queue number).
            in_queue = device not in ext_set and ch.dialplan.exten in queue_set
            if device not in ext_set and not in_queue:
                continue
            calls.append(
                LiveCall(
                    channel=ch.name,
                    caller=ch.caller.name or ch.caller.number,
                    state=ch.state,
                    where=f"{ch.dialplan.context},{ch.dialplan.exten}",
                    waiting_in_queue=ch.dialplan.exten if in_queue and ch.id not in bridged else "",
                    seconds=_age(ch.creationtime, now),
                )
            )
        return calls


def _age(creationtime: str, now: datetime) -> float:
    try:
        created = datetime.strptime(creationtime, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return 0.0
    return round((now - created).total_seconds(), 1)
