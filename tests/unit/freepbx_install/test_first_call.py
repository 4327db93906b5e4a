"""The first-call checks on FreePBX-shaped files: trunk identify, inbound routes, queue
members, the certificate browsers see."""

from __future__ import annotations

from pathlib import Path

import pytest

from freepbx.certs import utcnow
from freepbx.first_call import (
    check_certificate,
    check_inbound_routes,
    check_trunk_identify,
    queue_members,
    route_target,
)
from switchboard.settings import FreepbxSettings
from tests.integration.freepbx_install.testcerts import write_certificate

ROUTES = """
[ext-did]
include => ext-did-0001
include => ext-did-0002

[ext-did-0002]
exten => +15550100,1,Set(__DIRECTION=INBOUND)
exten => +15550100,n,Set(__FROM_DID=${EXTEN})
exten => +15550100,n(dest-ext),Goto(customdests,dest-1,1)
exten => +15550101,1,Set(__FROM_DID=${EXTEN})
exten => +15550101,n,Goto(switchboard-inbound,s,1)
exten => +15550102,1,Set(__FROM_DID=${EXTEN})
exten => +15550102,n,Goto(from-did-direct,1001,1)

[customdests]
exten => dest-1,1,Noop(Entering Custom Destination Switchboard)
exten => dest-1,n,Goto(switchboard-inbound,s,1)
"""


def test_route_target_follows_a_custom_destination() -> None:
    assert route_target(ROUTES, "+15550100") == "switchboard-inbound,s,1"
    assert route_target(ROUTES, "+15550101") == "switchboard-inbound,s,1"
    assert route_target(ROUTES, "+15550102") == "from-did-direct,1001,1"
    assert route_target(ROUTES, "+15559999") is None


def test_inbound_route_checks_say_how_to_add_the_route(tmp_path: Path) -> None:
    (tmp_path / "extensions_additional.conf").write_text(ROUTES)
    found = {
        c.name: c for c in check_inbound_routes(tmp_path, ["+15550100", "+15550102", "+15559999"])
    }
    assert found["route.+15550100"].status == "ok"
    assert found["route.+15550102"].status == "fail"
    assert "from-did-direct,1001,1" in found["route.+15550102"].detail
    missing = found["route.+15559999"]
    assert missing.status == "fail" and "DID Number +15559999" in missing.fix
    assert "switchboard-inbound,s,1" in missing.fix
    assert check_inbound_routes(tmp_path, [])[0].status == "warn"


def _identify(tmp_path: Path, *matches: str) -> None:
    lines = "".join(f"match = {m}\n" for m in matches)
    (tmp_path / "pjsip.identify_custom.conf").write_text(
        f"[twilio]\ntype = identify\nendpoint = twilio\n{lines}\n"
        "[other]\ntype = identify\nendpoint = fax\nmatch = 0.0.0.0/0\n"
    )


def test_trunk_identify_wants_every_twilio_range_and_nothing_wide(tmp_path: Path) -> None:
    fp = FreepbxSettings()
    _identify(tmp_path, *fp.trunk_match)
    assert check_trunk_identify(tmp_path, fp).status == "ok"  # the fax's 0/0 is not the trunk
    _identify(tmp_path, *fp.trunk_match[1:])
    missing = check_trunk_identify(tmp_path, fp)
    assert missing.status == "fail" and fp.trunk_match[0] in missing.detail
    _identify(tmp_path, *fp.trunk_match, "0.0.0.0/0")
    wide = check_trunk_identify(tmp_path, fp)
    assert wide.status == "fail" and "0.0.0.0/0" in wide.detail
    (tmp_path / "pjsip.identify_custom.conf").write_text("")
    assert check_trunk_identify(tmp_path, fp).status == "fail"


def test_queue_members_in_freepbx_and_switchboard_form(tmp_path: Path) -> None:
    (tmp_path / "queues_additional.conf").write_text(
        "[401]\nstrategy=ringall\nmember=Local/2001@from-queue/n,0\n"
        "member=Local/2005@from-queue/n,0\n\n[500]\nmember=Local/3000@from-queue/n,0\n"
    )
    (tmp_path / "queues_custom.conf").write_text(
        "; BEGIN switchboard\n[402]\nmember => PJSIP/2002,0,Agent 2002,PJSIP/2002\n"
        "; END switchboard\n"
    )
    assert queue_members(tmp_path, ["401", "402"]) == {"2001", "2005", "2002"}


@pytest.mark.parametrize(
    ("names", "days", "self_signed", "status", "words"),
    [
        (("pbx.example.com",), 80, False, "ok", "valid"),
        (("*.example.com",), 80, False, "ok", "valid"),
        (("other.example.com", "203.0.113.10"), 80, False, "fail", "not pbx.example.com"),
        (("pbx.example.com",), -2, False, "fail", "expired"),
        (("pbx.example.com",), 10, False, "warn", "expires in"),
        (("pbx.example.com",), 80, True, "warn", "self-signed"),
    ],
)
def test_certificate_check(
    tmp_path: Path,
    names: tuple[str, ...],
    days: float,
    self_signed: bool,
    status: str,
    words: str,
) -> None:
    crt, key = tmp_path / "pbx.crt", tmp_path / "pbx.key"
    write_certificate(crt, key, names, days, self_signed=self_signed)
    fp = FreepbxSettings(tls_cert_file=crt, tls_key_file=key, dns_name="pbx.example.com")
    found = check_certificate(fp, utcnow())
    assert found.status == status and words in found.detail, found


def test_certificate_check_without_a_name_or_a_file(tmp_path: Path) -> None:
    crt, key = tmp_path / "pbx.crt", tmp_path / "pbx.key"
    write_certificate(crt, key, ("pbx.example.com",))
    nameless = check_certificate(FreepbxSettings(tls_cert_file=crt), utcnow())
    assert nameless.status == "warn" and "dns_name" in nameless.fix
    crt.write_text("not a certificate\n")
    assert check_certificate(FreepbxSettings(tls_cert_file=crt), utcnow()).status == "fail"
