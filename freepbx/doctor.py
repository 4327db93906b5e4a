"""``switchboard doctor``: every check of a FreePBX box running Switchboard, in one list.

The installer runs the first part (``preflight``) before it writes anything and the second
(``verify``) after its reload; the doctor runs both at any time and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from freepbx import checks, first_call, queue_checks, trust
from freepbx.certs import utcnow
from freepbx.checks import Check
from freepbx.desired import ConfigError, Desired, render_desired
from freepbx.system import AriProbe, Commands
from switchboard.settings import Settings


@dataclass(frozen=True)
class Pbx:
    """The handles a check needs: settings, the command runner and an ARI probe."""

    settings: Settings
    cmds: Commands
    probe: AriProbe


def pbx_from_settings(settings: Settings) -> Pbx:
    """Build the runner and ARI probe the settings describe."""
    fp = settings.freepbx
    password = settings.ari.password.get_secret_value() if settings.ari.password else ""
    return Pbx(
        settings,
        Commands(fp.fwconsole, fp.asterisk, fp.command_timeout_s, fp.php, fp.fail2ban_client),
        AriProbe(settings.ari_url, settings.ari.user, password, settings.ari.request_timeout_s),
    )


def desired_or_check(settings: Settings) -> tuple[Desired | None, Check]:
    """Render the blocks, or explain which setting is missing."""
    try:
        desired = render_desired(settings)
    except ConfigError as exc:
        return None, Check("config", "fail", str(exc), "see docs/freepbx.md, 'Settings'")
    return desired, checks.ok("config", "settings complete")


def preflight(pbx: Pbx) -> tuple[list[Check], Desired | None]:
    """What must hold before writing: a FreePBX 17 tree, a running Asterisk, settings, no clash.

    Block checks report "missing"/"differs" before an install; only clashes stop it.
    """
    etc = pbx.settings.freepbx.etc
    found = [checks.check_tree(etc)]
    if found[0].status == "fail":
        return found, None
    found.append(checks.check_freepbx_version(pbx.cmds, pbx.settings.freepbx.min_freepbx_major))
    found.append(checks.check_asterisk_version(pbx.cmds))
    found += checks.check_includes(etc)
    found.append(checks.check_transport(etc, pbx.settings.freepbx.udp_transport))
    found += checks.check_tls_files(pbx.settings.freepbx)
    desired, config = desired_or_check(pbx.settings)
    found.append(config)
    if desired is not None:
        found += [c for c in checks.check_blocks(etc, desired) if c.name.startswith("clash.")]
    return found, desired


def verify(pbx: Pbx, desired: Desired | None) -> list[Check]:
    """What must hold after an install: blocks current, HTTPS/WSS, queues, ARI, the app."""
    s = pbx.settings
    etc = s.freepbx.etc
    found: list[Check] = []
    if desired is not None:
        found += checks.check_blocks(etc, desired)
    found.append(checks.check_services(etc))
    found.append(checks.check_tls_settings(etc, s.freepbx))
    found.append(checks.check_nat(etc, s.freepbx))
    found.append(checks.check_wss_transport(etc))
    found.append(checks.check_rtp_range(etc))
    found.append(first_call.check_certificate(s.freepbx, utcnow()))
    found.append(first_call.check_trunk_identify(etc, s.freepbx))
    found += trust.check_trust(pbx.cmds, s.freepbx)
    found += first_call.check_inbound_routes(etc, s.twilio.phone_numbers)
    found += queue_checks.check_queues(etc, s.freepbx.departments)
    found += queue_checks.check_queue_failover(etc, s.freepbx.departments)
    found.append(checks.check_loaded(pbx.cmds, s.ari.app))
    found.append(first_call.check_chan_websocket(pbx.cmds))
    found.append(checks.check_ari(pbx.probe))
    if found[-1].status == "ok":
        found.append(first_call.check_agents_registered(pbx.probe, agents(s)))
        found.append(checks.check_app(pbx.probe, s.ari.app))
    return found


def agents(settings: Settings) -> set[str]:
    """The agents' extensions: Switchboard's WebRTC agents (not the try-it endpoint) and the
    members of the department queues."""
    fp = settings.freepbx
    made = {a for a in fp.webrtc_agents if a != settings.console.tryit_extension}
    return made | first_call.queue_members(fp.etc, fp.departments.values())


def run_doctor(pbx: Pbx) -> list[Check]:
    """Every check, in the order an admin would fix them."""
    found, desired = preflight(pbx)
    if found[0].status == "fail":
        return found
    names = {c.name for c in found}
    return found + [c for c in verify(pbx, desired) if c.name not in names]
