"""Agents as real FreePBX extensions (pure: text in, text out).

An agent Switchboard makes is added the way an admin adds many extensions at once: FreePBX's
bulk import (``fwconsole bulkimport --type=extensions FILE --replace``; bulkhandler module,
columns read from core's ``bulkhandlerGetHeaders``/``bulkhandlerImport``: ``extension``,
``name``, ``description``, ``tech``, then any device setting of the PJSIP driver such as
``secret``, ``context``, ``max_contacts``, ``media_encryption``, ``avpf``, ``icesupport``,
``rtcp_mux``). FreePBX then owns the extension: it appears in *Applications → Extensions*,
it is written into ``pjsip.endpoint.conf``/``pjsip.aor.conf``/``pjsip.auth.conf`` and its
hint into ``ext-local``, so a queue built in the GUI rings it as ``Local/<ext>@from-queue/n``.

What the GUI cannot express is added in ``pjsip.endpoint_custom_post.conf`` (included right
after ``pjsip.endpoint.conf``) as ``[<ext>](+)`` amendments: ``webrtc = yes`` (DTLS, ICE,
AVPF, rtcp-mux in one), a generated DTLS certificate, and the restricted transfer contexts
that keep an agent's phone away from the trunk. An amendment of an endpoint that does not
exist breaks the whole file for Asterisk, so only extensions FreePBX already generated get one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from freepbx import blocks, layout

BULK_COLUMNS = (
    "extension",
    "name",
    "description",
    "tech",
    "secret",
    "context",
    "max_contacts",
    "media_encryption",
    "avpf",
    "icesupport",
    "rtcp_mux",
    "media_use_received_transport",
)
"""The bulk import columns Switchboard fills (FreePBX ignores columns it does not know)."""

POST_FILE = "pjsip.endpoint_custom_post.conf"


def bulk_csv(agents: Mapping[str, str], context: str) -> str:
    """The ``fwconsole bulkimport --type=extensions`` file for ``agents`` (name → password)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BULK_COLUMNS)
    for name, password in agents.items():
        writer.writerow(
            [
                name,
                f"Agent {name}",
                "Switchboard agent (WebRTC console)",
                "pjsip",
                password,
                context,
                "5",
                "dtls",
                "yes",
                "yes",
                "yes",
                "yes",
            ]
        )
    return out.getvalue()


def freepbx_extensions(etc: Path) -> set[str]:
    """PJSIP endpoints FreePBX generated (its extensions and trunks), outside any block."""
    text = layout.read(etc, "pjsip.endpoint.conf")
    return {s.name for s in blocks.sections(text) if s.type == "endpoint" and not s.template}


def amendments(agents: Iterable[str], context: str) -> str:
    """``[<ext>](+)`` sections that make FreePBX extensions WebRTC agents in ``context``."""
    parts = []
    for name in agents:
        parts.append(
            f"[{name}](+)\n"
            f"context = {context}\n"
            f"set_var = TRANSFER_CONTEXT={context}\n"
            f"set_var = FORWARD_CONTEXT={context}\n"
            "webrtc = yes\n"
            "dtls_auto_generate_cert = yes\n"
            "device_state_busy_at = 1\n"
        )
    if not parts:
        return "; No agent extensions yet (freepbx.webrtc_agents).\n"
    head = (
        "; Switchboard's agents are FreePBX extensions (Applications → Extensions); these lines\n"
        "; add what the GUI cannot: WebRTC in full, and transfers kept off the trunk.\n"
    )
    return head + "\n".join(parts)


def queue_member(name: str, *, extension: bool) -> str:
    """A ``queues.conf`` member line for an agent: FreePBX's own form for its extensions
    (``Local/<ext>@from-queue/n`` with the extension's hint as state), else the endpoint."""
    if extension:
        return f"member => Local/{name}@from-queue/n,0,Agent {name},hint:{name}@ext-local"
    return f"member => PJSIP/{name},0,Agent {name},PJSIP/{name}"
