"""``switchboard freepbx install``: put Switchboard onto a FreePBX 17 box, idempotently.

Steps: preflight checks (FreePBX/Asterisk versions, includes, settings, clashes with the
admin's own objects) → agents added as FreePBX extensions (bulk import) → NAT into FreePBX's
SIP Settings, Twilio's and the agents' networks into FreePBX Firewall's trusted zone and
fail2ban's whitelist → write Switchboard's marked blocks into the ``*_custom.conf`` files
(the admin's lines outside them are kept; the first change of a file keeps a
``.pre-switchboard`` copy) → set HTTPS/WSS with ``fwconsole setting`` → ``fwconsole reload``
→ verify (blocks, HTTPS, NAT, trust, queues, ARI, app). When nothing differs, nothing is
written, set or reloaded, so a second run changes nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from freepbx import agents, blocks, checks, layout, nat, trust
from freepbx.checks import Check
from freepbx.desired import Desired, render_desired
from freepbx.devpbx.config import AGENTS_CONTEXT
from freepbx.doctor import Pbx, preflight, verify
from freepbx.system import PbxCommandError

BACKUP_SUFFIX = ".pre-switchboard"


@dataclass
class InstallReport:
    """What an install did (or, with ``dry_run``, would do)."""

    dry_run: bool
    preflight: list[Check]
    files: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    reloaded: bool = False
    verify: list[Check] = field(default_factory=list)
    missing_queues: list[str] = field(default_factory=list)
    new_agents: list[str] = field(default_factory=list)
    imported_agents: list[str] = field(default_factory=list)
    """Agents added as FreePBX extensions (``fwconsole bulkimport``) by this run."""
    nat: dict[str, Any] = field(default_factory=dict)
    """External Address and Local Networks set in FreePBX's SIP Settings (empty: unchanged)."""
    trusted: list[str] = field(default_factory=list)
    """Networks added to FreePBX Firewall's trusted zone."""
    fail2ban_jails: list[str] = field(default_factory=list)
    """fail2ban jails told to ignore Twilio's and the agents' networks."""
    new_agent_passwords: dict[str, str] = field(default_factory=dict)
    """Passwords of agents made by this run (not in a dry run: none is kept)."""
    error: str = ""

    @property
    def status(self) -> checks.Status:
        """``fail`` if preflight, a step or verification failed; else the worst warning."""
        if self.error:
            return "fail"
        return checks.worst(self.preflight + self.verify)

    @property
    def changed(self) -> bool:
        """Whether anything was (or would be) written or set."""
        return bool(
            self.files
            or self.settings
            or self.imported_agents
            or self.nat
            or self.trusted
            or self.fail2ban_jails
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "status": self.status,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "files": self.files,
            "settings": self.settings,
            "reloaded": self.reloaded,
            "missing_queues": self.missing_queues,
            "new_agents": self.new_agents,
            "imported_agents": self.imported_agents,
            "nat": self.nat,
            "trusted": self.trusted,
            "fail2ban_jails": self.fail2ban_jails,
            "new_agent_passwords": self.new_agent_passwords,
            "error": self.error,
            "preflight": [c.as_dict() for c in self.preflight],
            "verify": [c.as_dict() for c in self.verify],
        }


def planned_files(etc: Path, desired: Desired) -> dict[str, str]:
    """Custom file → its new full text, for the files whose block must change."""
    changes = {}
    for t in layout.TARGETS:
        old = layout.read(etc, t.filename)
        new = blocks.merge(old, desired.bodies[t.filename], str(etc / t.filename))
        if new != old:
            changes[t.filename] = new
    return changes


def write_file(path: Path, text: str, *, secret: bool = False) -> None:
    """Replace ``path`` atomically, keeping its owner and mode (new files: the folder's owner).

    Secret-bearing files (and their backups) are 0640 whatever they were: the ARI user's
    hash and agents' passwords are for Asterisk's group only. The first time Switchboard
    changes an existing file, the original is kept beside it.
    """
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    ref = path if path.exists() else path.parent
    st = ref.stat()
    if path.exists() and not backup.exists():
        shutil.copy2(path, backup)
        if secret:
            os.chmod(backup, layout.SECRET_MODE)
    tmp = path.with_name(f".{path.name}.switchboard-tmp")
    tmp.touch(mode=0o600)
    tmp.write_text(text)
    mode = st.st_mode & 0o777 if path.exists() else 0o664
    os.chmod(tmp, layout.SECRET_MODE if secret else mode)
    if os.geteuid() == 0:
        os.chown(tmp, st.st_uid, st.st_gid)
    tmp.replace(path)


def install(pbx: Pbx, dry_run: bool = False, ari_wait_s: float = 15.0) -> InstallReport:
    """Run the installer against ``pbx``; never raises for PBX trouble (see the report)."""
    found, desired = preflight(pbx)
    report = InstallReport(dry_run, found)
    if checks.worst(found) == "fail" or desired is None:
        report.error = "preflight failed: nothing was changed"
        return report
    fp = pbx.settings.freepbx
    report.missing_queues = desired.missing_queues
    report.new_agents = sorted(desired.new_agent_passwords)
    files = planned_files(fp.etc, desired)
    report.files = sorted(files)
    report.settings = checks.service_changes(fp.etc) | checks.tls_changes(fp.etc, fp)
    if checks.nat_differences(fp.etc, fp):
        report.nat = nat.wanted(fp)
    trust_plan = None
    if fp.manage_firewall:
        trust_plan = trust.plan(pbx.cmds, fp)
        report.trusted = trust_plan.firewall_missing or []
        report.fail2ban_jails = sorted(trust_plan.jails_missing)
    if dry_run:
        return report
    try:
        if report.nat:
            report.nat = nat.set_nat(pbx.cmds, fp)
        if trust_plan is not None and trust_plan.changes:
            trust.apply(pbx.cmds, fp, trust_plan)
        if desired.to_import:
            desired = import_agents(pbx, desired)
            report.imported_agents = sorted(desired.to_import)
            files = planned_files(fp.etc, desired)
            report.files = sorted(files)
        for name, text in files.items():
            write_file(fp.etc / name, text, secret=layout.target(name).secret)
        for key, value in report.settings.items():
            pbx.cmds.set_setting(key, value)
        report.new_agent_passwords = desired.new_agent_passwords
        if report.files or report.settings or report.nat:
            pbx.cmds.reload()
            report.reloaded = True
    except (PbxCommandError, OSError) as exc:
        report.error = str(exc)
        return report
    report.verify = _verify_with_wait(pbx, desired, ari_wait_s if report.reloaded else 0.0)
    return report


class AgentImportError(OSError):
    """FreePBX's bulk import did not create every agent extension asked for."""


def import_agents(pbx: Pbx, desired: Desired) -> Desired:
    """Add ``desired.to_import`` as FreePBX extensions, let FreePBX write them, and render
    again so their amendments (``pjsip.endpoint_custom_post.conf``) are included.

    The import file holds passwords: it lives in a private folder and is gone afterwards.
    The reload makes FreePBX generate the new extensions' endpoints; only then can they be
    amended (an amendment of a missing endpoint breaks ``pjsip.conf`` for Asterisk).
    """
    etc = pbx.settings.freepbx.etc
    with tempfile.TemporaryDirectory(prefix="switchboard-agents-") as folder:
        path = os.path.join(folder, "agents.csv")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(agents.bulk_csv(desired.to_import, AGENTS_CONTEXT))
        pbx.cmds.bulk_import_extensions(path)
    pbx.cmds.reload()
    missing = sorted(set(desired.to_import) - agents.freepbx_extensions(etc))
    if missing:
        raise AgentImportError(
            f"fwconsole bulkimport did not create extensions {', '.join(missing)}: "
            "check Admin → Bulk Handler (module bulkhandler) and `fwconsole bulkimport --help`"
        )
    again = render_desired(pbx.settings)
    again.new_agent_passwords = {**desired.new_agent_passwords, **again.new_agent_passwords}
    again.to_import = desired.to_import
    return again


def _verify_with_wait(pbx: Pbx, desired: Desired, wait_s: float) -> list[Check]:
    """Verify; after a reload, give ARI a few seconds to come back before judging it."""
    deadline = time.monotonic() + wait_s
    while True:
        found = verify(pbx, desired)
        ari = next(c for c in found if c.name == "ari.reachable")
        if ari.status == "ok" or time.monotonic() >= deadline:
            return found
        time.sleep(0.5)
