"""NAT settings written where FreePBX keeps them: its SIP Settings store.

FreePBX's sipsettings module keeps *External Address* as ``externip`` and *Local Networks*
as ``localnets`` (a list of ``{"net": ..., "mask": <prefix length>}``) in its settings
store; core's PJSip driver (``getTransportConfigs``) writes them into every transport of
``pjsip.transports.conf`` as ``external_media_address``, ``external_signaling_address`` and
``local_net`` on the next ``fwconsole reload``. There is no fwconsole command for them, so
the installer sets them through FreePBX's own PHP objects (``FreePBX::Sipsettings()``,
bootstrapped by ``/etc/freepbx.conf``), exactly as the GUI's *Submit* does, and never edits
the generated file.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from freepbx.system import Commands, PbxCommandError
from switchboard.settings import FreepbxSettings

SET_NAT_PHP = r"""
if (!@include_once($argv[1])) { fwrite(STDERR, "cannot load $argv[1]\n"); exit(2); }
$want = json_decode(stream_get_contents(STDIN), true);
$ss = \FreePBX::Sipsettings();
if ($want['externip'] !== '') { $ss->setConfig('externip', $want['externip']); }
$nets = $ss->getConfig('localnets');
$nets = is_array($nets) ? array_values($nets) : array();
foreach ($want['localnets'] as $n) {
    $have = false;
    foreach ($nets as $m) { if ($m['net'] == $n['net'] && $m['mask'] == $n['mask']) $have = true; }
    if (!$have) { $nets[] = $n; }
}
$ss->setConfig('localnets', $nets);
if (function_exists('needreload')) { needreload(); }
echo json_encode(array('externip' => $ss->getConfig('externip'), 'localnets' => $nets));
"""
"""Merge the wanted External Address and Local Networks into FreePBX's SIP Settings (stdin:
JSON ``{"externip": ..., "localnets": [...]}``; argv[1]: FreePBX's bootstrap file)."""


def wanted(fp: FreepbxSettings) -> dict[str, Any]:
    """The SIP Settings values for ``freepbx.external_address``/``local_networks``."""
    nets = []
    for value in fp.local_networks:
        net = ipaddress.ip_network(value, strict=False)
        nets.append({"net": str(net.network_address), "mask": str(net.prefixlen)})
    return {"externip": fp.external_address, "localnets": nets}


def set_nat(cmds: Commands, fp: FreepbxSettings) -> dict[str, Any]:
    """Write the NAT settings into FreePBX's store (a reload must follow); what FreePBX now
    holds comes back."""
    out = cmds.run(
        [cmds.php, "-r", SET_NAT_PHP, "--", str(fp.freepbx_conf)],
        stdin=json.dumps(wanted(fp)),
    )
    try:
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise PbxCommandError(f"php (FreePBX SIP Settings): unexpected answer {out!r}") from exc
    return result
