"""FreePBX 17's generated include layout, as facts read from FreePBX's own source (pure data).

Where each fact comes from (re-check them there when FreePBX changes):

- ``pjsip.conf`` and the ``pjsip.*.conf`` files: ``FreePBX/core``,
  ``functions.inc/drivers/PJSip.class.php``, ``genConfig()``. The generated ``pjsip.conf``
  starts with the include lines below, then its ``[global]`` section, which ends with
  ``#include pjsip_custom_post.conf``. Each generated object file starts by including its
  ``*_custom.conf`` (``pjsip.endpoint.conf`` → ``pjsip.endpoint_custom.conf``, ...), so
  ``pjsip.conf`` never names ``pjsip.endpoint_custom.conf`` itself.
- ``extensions.conf``: ``FreePBX/framework``, ``amp_conf/astetc/extensions.conf``:
  ``#include extensions_additional.conf`` then ``#include extensions_custom.conf``; core
  writes ``[globals]`` (ending ``#include globals_custom.conf``) into the former.
- ``ari.conf``: written by the ``arimanager`` module: ``[general]`` then
  ``ari_general_additional.conf``, ``ari_general_custom.conf``, ``ari_additional.conf``,
  ``ari_additional_custom.conf`` (also seen on FreePBX boxes in the field).
- ``queues.conf``: the ``queues`` module: ``queues_general_additional.conf``,
  ``queues_custom_general.conf``, ``queues_custom.conf``, ``queues_additional.conf``,
  ``queues_post_custom.conf``.
- ``http.conf``: framework's Advanced Settings writer: ``http_additional.conf`` (settings),
  ``http_custom.conf``.
- Dialplan: ``from-internal`` includes ``from-internal-xfer`` (→ ``from-internal-custom``,
  ``parkedcalls``, ``from-internal-additional``) and ``bad-number``; core's generated
  ``from-internal-additional`` includes ``outbound-allroutes`` (FreePBX's customcontexts
  module lists it as "ALL OUTBOUND ROUTES"): every endpoint in ``from-internal`` reaches the
  trunks. FreePBX's default globals set ``TRANSFER_CONTEXT=from-internal-xfer``, which
  Asterisk uses for blind transfers (REFER, features) unless the channel sets its own.
"""

from __future__ import annotations

PJSIP_OBJECT_FILES = ("transports", "endpoint", "aor", "auth", "registration", "identify")
"""The ``pjsip.<kind>.conf`` files core writes, each opening with its ``_custom.conf``."""

INCLUDES: dict[str, tuple[str, ...]] = {
    "pjsip.conf": (
        "pjsip_custom.conf",
        "pjsip.transports.conf",
        "pjsip.transports_custom_post.conf",
        "pjsip.endpoint.conf",
        "pjsip.endpoint_custom_post.conf",
        "pjsip.aor.conf",
        "pjsip.aor_custom_post.conf",
        "pjsip.auth.conf",
        "pjsip.auth_custom_post.conf",
        "pjsip.registration.conf",
        "pjsip.registration_custom_post.conf",
        "pjsip.identify.conf",
        "pjsip.identify_custom_post.conf",
        "pjsip_custom_post.conf",  # inside [global], at its end
    ),
    **{f"pjsip.{kind}.conf": (f"pjsip.{kind}_custom.conf",) for kind in PJSIP_OBJECT_FILES},
    "extensions.conf": ("extensions_additional.conf", "extensions_custom.conf"),
    "ari.conf": (
        "ari_general_additional.conf",
        "ari_general_custom.conf",
        "ari_additional.conf",
        "ari_additional_custom.conf",
    ),
    "queues.conf": (
        "queues_general_additional.conf",
        "queues_custom_general.conf",
        "queues_custom.conf",
        "queues_additional.conf",
        "queues_post_custom.conf",
    ),
    "http.conf": ("http_additional.conf", "http_custom.conf"),
}
"""FreePBX-generated file → the files it ``#include``s, in order."""

TOP_LEVEL = ("pjsip.conf", "extensions.conf", "ari.conf", "queues.conf", "http.conf")
"""The files Asterisk's modules load themselves; everything else is reached by include."""

GENERATED = frozenset(INCLUDES) | frozenset(
    {
        "extensions_additional.conf",
        "ari_general_additional.conf",
        "ari_additional.conf",
        "queues_additional.conf",
        "queues_general_additional.conf",
        "http_additional.conf",
    }
)
"""Files FreePBX rewrites on every ``fwconsole reload``: never edit them."""

TRANSFER_CONTEXT_DEFAULT = "from-internal-xfer"
"""FreePBX's global ``TRANSFER_CONTEXT``: reaches the outbound routes (from-internal-additional)."""


OBJECT_FILES = tuple(f"pjsip.{kind}.conf" for kind in PJSIP_OBJECT_FILES)


def include_header(filename: str) -> str:
    """The include line core writes at the top of a ``pjsip.<kind>.conf`` (else ``""``)."""
    if filename not in OBJECT_FILES:
        return ""
    return "".join(f"#include {name}\n" for name in INCLUDES[filename])


def pjsip_conf(global_lines: tuple[str, ...]) -> str:
    """A ``pjsip.conf`` shaped as ``genConfig`` writes it (includes, then ``[global]``)."""
    head = INCLUDES["pjsip.conf"][:-1]
    body = "".join(f"#include {name}\n" for name in head)
    tail = INCLUDES["pjsip.conf"][-1]
    return (
        body
        + "\n[global]\n"
        + "".join(f"{line}\n" for line in global_lines)
        + (f"#include {tail}\n")
    )
