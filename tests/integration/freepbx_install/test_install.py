"""`switchboard freepbx install` against a FreePBX-shaped tree with fwconsole stand-ins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from freepbx import blocks
from freepbx.doctor import pbx_from_settings, run_doctor
from freepbx.install import BACKUP_SUFFIX, install
from switchboard.cli import main
from switchboard.settings_sections import TWILIO_MEDIA_RANGES, TWILIO_SIGNALLING_RANGES
from tests.integration.freepbx_install.conftest import ADMIN_LINES, FakePbx

WRITTEN = [
    "ari_additional_custom.conf",
    "extensions_custom.conf",
    "pjsip.aor_custom.conf",
    "pjsip.endpoint_custom.conf",
    "pjsip.endpoint_custom_post.conf",
    "pjsip.identify_custom.conf",
    "queues_custom.conf",
]


TRUSTED = [*TWILIO_SIGNALLING_RANGES, *TWILIO_MEDIA_RANGES, "198.51.100.0/24"]
"""Twilio's signalling and media ranges, then the agents' network (conftest)."""


def statuses(checks: list[dict[str, str]]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in checks}


def test_first_install_writes_blocks_sets_tls_reloads_and_verifies(fake_pbx: FakePbx) -> None:
    settings = fake_pbx.settings()
    report = install(pbx_from_settings(settings))
    assert report.error == ""
    assert report.files == WRITTEN
    fp = settings.freepbx
    calls = [c for c in fake_pbx.fw_calls() if c[1:3] != ["firewall", "list"]]
    assert calls[0] == ["fwconsole", "firewall", "add", "trusted", *TRUSTED]
    calls = calls[1:]
    bulk, first_reload = calls[:2]
    assert bulk[:3] == ["fwconsole", "bulkimport", "--type=extensions"]
    assert bulk[4:] == ["--replace"] and not Path(bulk[3]).exists()  # passwords: file gone
    assert first_reload == ["fwconsole", "reload"]  # FreePBX writes the new extensions
    assert report.imported_agents == ["2001", "2002"]
    assert calls[2:] == [
        ["fwconsole", "setting", "HTTPTLSENABLE", "1"],
        ["fwconsole", "setting", "HTTPTLSBINDADDRESS", "::"],
        ["fwconsole", "setting", "HTTPTLSBINDPORT", "7443"],
        ["fwconsole", "setting", "HTTPTLSCERTFILE", str(fp.tls_cert_file)],
        ["fwconsole", "setting", "HTTPTLSPRIVATEKEY", str(fp.tls_key_file)],
        ["fwconsole", "reload"],
    ]
    checks = statuses([c.as_dict() for c in report.verify])
    assert checks["ari.reachable"] == "ok"  # the fake ARI verified the crypt we wrote
    assert checks["http.tls"] == "ok"
    assert checks["ari.app"] == "warn"  # Switchboard itself is not running here
    assert {k: v for k, v in checks.items() if v == "fail"} == {}
    assert report.status == "warn"
    assert report.missing_queues == ["sales", "support"]
    assert sorted(report.new_agent_passwords) == ["2001", "2002"]


def test_admin_lines_survive_byte_for_byte(fake_pbx: FakePbx) -> None:
    install(pbx_from_settings(fake_pbx.settings()))
    for name, original in ADMIN_LINES.items():
        text = (fake_pbx.etc / name).read_text()
        assert blocks.split(text).outside == original
        assert (fake_pbx.etc / (name + BACKUP_SUFFIX)).read_text() == original


def test_blocks_hold_the_shipped_objects(fake_pbx: FakePbx) -> None:
    install(pbx_from_settings(fake_pbx.settings()))
    ext = blocks.block_body((fake_pbx.etc / "extensions_custom.conf").read_text()) or ""
    assert "[switchboard-inbound]" in ext
    assert "Stasis(switchboard,inbound,${SWITCHBOARD_DID})" in ext
    assert "exten => 401,1," in ext and "exten => 402,1," in ext
    assert "exten => 400,1," not in ext  # FreePBX already has the general queue
    ident = blocks.block_body((fake_pbx.etc / "pjsip.identify_custom.conf").read_text()) or ""
    assert "match = 54.172.60.0/30" in ident and "match = 177.71.206.192/30" in ident
    aor = blocks.block_body((fake_pbx.etc / "pjsip.aor_custom.conf").read_text()) or ""
    assert "contact = sip:acme.pstn.twilio.com" in aor
    endpoint = (fake_pbx.etc / "pjsip.endpoint_custom.conf").read_text()
    assert "transport = 0.0.0.0-udp" in endpoint and "[2002-auth]" not in endpoint
    queues = blocks.block_body((fake_pbx.etc / "queues_custom.conf").read_text()) or ""
    assert "[401]" in queues and "[402]" in queues and "[400]" not in queues
    assert "member => Local/2002@from-queue/n,0,Agent 2002,hint:2002@ext-local" in queues
    ari = (fake_pbx.etc / "ari_additional_custom.conf").read_text()
    assert "[switchboard]" in ari and "password = $6$" in ari


def test_second_run_changes_nothing(fake_pbx: FakePbx) -> None:
    settings = fake_pbx.settings()
    install(pbx_from_settings(settings))
    before = {p.name: p.read_text() for p in fake_pbx.etc.glob("*.conf")}
    calls = len(fake_pbx.fw_calls())
    again = install(pbx_from_settings(settings))
    assert again.files == [] and again.settings == {} and not again.reloaded
    assert again.new_agent_passwords == {}
    assert len(fake_pbx.fw_calls()) == calls
    assert {p.name: p.read_text() for p in fake_pbx.etc.glob("*.conf")} == before
    assert again.status == "warn"


def test_dry_run_writes_and_sets_nothing(fake_pbx: FakePbx) -> None:
    before = {p.name: p.read_text() for p in fake_pbx.etc.glob("*.conf")}
    report = install(pbx_from_settings(fake_pbx.settings()), dry_run=True)
    assert report.files == WRITTEN and "HTTPTLSBINDPORT" in report.settings
    assert report.new_agents == ["2001", "2002"] and report.new_agent_passwords == {}
    assert fake_pbx.fw_calls() == []
    assert {p.name: p.read_text() for p in fake_pbx.etc.glob("*.conf")} == before


def test_changed_ari_password_rewrites_only_that_block(fake_pbx: FakePbx) -> None:
    from pydantic import SecretStr

    settings = fake_pbx.settings()
    install(pbx_from_settings(settings))
    agents = (fake_pbx.etc / "pjsip.endpoint_custom.conf").read_text()
    ari = settings.ari.model_copy(update={"password": SecretStr("another-one")})
    changed = settings.model_copy(update={"ari": ari})
    report = install(pbx_from_settings(changed))
    assert report.files == ["ari_additional_custom.conf"] and report.reloaded
    assert statuses([c.as_dict() for c in report.verify])["ari.reachable"] == "ok"
    assert (fake_pbx.etc / "pjsip.endpoint_custom.conf").read_text() == agents


def test_clash_with_admin_object_stops_before_writing(fake_pbx: FakePbx) -> None:
    path = fake_pbx.etc / "pjsip.endpoint_custom.conf"
    path.write_text(path.read_text() + "\n[twilio]\ntype=endpoint\ncontext=from-pstn\n")
    report = install(pbx_from_settings(fake_pbx.settings()))
    assert report.status == "fail" and "nothing was changed" in report.error
    clash = next(c for c in report.preflight if c.name == "clash.pjsip.endpoint_custom.conf")
    assert "[twilio] (type = endpoint)" in clash.detail
    assert fake_pbx.fw_calls() == []
    assert not (fake_pbx.etc / "ari_additional_custom.conf").exists()


def test_missing_include_and_old_freepbx_fail_preflight(
    fake_pbx: FakePbx, monkeypatch: pytest.MonkeyPatch
) -> None:
    pj = fake_pbx.etc / "pjsip.identify.conf"  # FreePBX writes the include line there
    pj.write_text(pj.read_text().replace("#include pjsip.identify_custom.conf\n", ""))
    monkeypatch.setenv("FAKE_FREEPBX_VERSION", "16.0.40")
    report = install(pbx_from_settings(fake_pbx.settings()))
    failed = {c.name for c in report.preflight if c.status == "fail"}
    assert failed == {"include.pjsip.identify_custom.conf", "freepbx.version"}
    assert fake_pbx.fw_calls() == []


def test_old_asterisk_warns_rtp_media(fake_pbx: FakePbx, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_ASTERISK_VERSION", "21.4.0")
    report = install(pbx_from_settings(fake_pbx.settings()))
    version = next(c for c in report.preflight if c.name == "asterisk.version")
    assert version.status == "warn" and "RTP" in version.detail
    assert report.error == ""


def test_queue_made_in_gui_later_is_flagged_then_dropped(fake_pbx: FakePbx) -> None:
    settings = fake_pbx.settings()
    install(pbx_from_settings(settings))
    gui = fake_pbx.etc / "queues_additional.conf"
    gui.write_text(gui.read_text() + "\n[401]\nstrategy=ringall\n")
    found = {c.name: c for c in run_doctor(pbx_from_settings(settings))}
    assert found["queue.support"].status == "fail"
    report = install(pbx_from_settings(settings))
    assert report.missing_queues == ["sales"]
    assert statuses([c.as_dict() for c in report.verify])["queue.support"] == "ok"


def test_missing_settings_are_named(fake_pbx: FakePbx) -> None:
    settings = fake_pbx.settings()
    bare = settings.model_copy(
        update={"twilio": settings.twilio.model_copy(update={"domain_name": ""})}
    )
    report = install(pbx_from_settings(bare))
    config = next(c for c in report.preflight if c.name == "config")
    assert config.status == "fail" and "twilio.domain_name" in config.detail
    no_password = settings.model_copy(
        update={"ari": settings.ari.model_copy(update={"password": None})}
    )
    report = install(pbx_from_settings(no_password))
    config = next(c for c in report.preflight if c.name == "config")
    assert "SWITCHBOARD_ARI__PASSWORD" in config.detail
    assert fake_pbx.fw_calls() == []


def test_cli_install_and_doctor_json(fake_pbx: FakePbx) -> None:
    env = {
        **fake_pbx.env,
        "SWITCHBOARD_FREEPBX__ETC_DIR": str(fake_pbx.etc),
        "SWITCHBOARD_FREEPBX__TLS_CERT_FILE": str(fake_pbx.settings().freepbx.tls_cert_file),
        "SWITCHBOARD_FREEPBX__TLS_KEY_FILE": str(fake_pbx.settings().freepbx.tls_key_file),
        "SWITCHBOARD_ARI__URL": fake_pbx.ari_url,
        "SWITCHBOARD_ARI__PASSWORD": "s3cret-ari-password",
        "SWITCHBOARD_TWILIO__DOMAIN_NAME": "acme.pstn.twilio.com",
        "SWITCHBOARD_PBX__MODE": "external",
        "SWITCHBOARD_FREEPBX__DNS_NAME": "pbx.example.com",
        "SWITCHBOARD_FREEPBX__EXTERNAL_ADDRESS": "203.0.113.10",
        "SWITCHBOARD_FREEPBX__LOCAL_NETWORKS": '["10.60.0.0/24"]',
        "SWITCHBOARD_FREEPBX__WEBRTC_AGENTS": '["2001"]',
        "SWITCHBOARD_FREEPBX__FAIL2BAN_JAIL_DIR": fake_pbx.env["FAKE_F2B_JAILD"],
        "SWITCHBOARD_TWILIO__PHONE_NUMBERS": '["+15550100"]',
    }
    runner = CliRunner()
    doc = runner.invoke(main, ["doctor", "--json"], env=env)
    assert doc.exit_code == 1, doc.output
    before = json.loads(doc.output)
    assert before["status"] == "fail"
    assert statuses(before["checks"])["block.extensions_custom.conf"] == "fail"
    assert statuses(before["checks"])["asterisk.loaded"] == "fail"  # nothing loaded yet
    text = runner.invoke(main, ["doctor"], env=env)
    assert "fix: switchboard freepbx install" in text.output
    inst = runner.invoke(main, ["freepbx", "install"], env=env)
    assert inst.exit_code == 0, inst.output
    assert "changed extensions_custom.conf" in inst.output and "install: warn" in inst.output
    doc = runner.invoke(main, ["doctor", "--json"], env=env)
    assert doc.exit_code == 0, doc.output
    after = json.loads(doc.output)
    assert after["status"] == "warn"
    # FreePBX's own queue 400 still hangs up when nobody answers: a warning with the fix.
    warned = [c for c in after["checks"] if c["status"] != "ok"]
    assert [c["name"] for c in warned] == ["queue.general.failover", "ari.app"]
    assert "switchboard-queue-failover,s,1" in warned[0]["fix"]
    generated = fake_pbx.etc / "extensions_additional.conf"
    generated.write_text(
        generated.read_text() + " same => n,Goto(switchboard-queue-failover,s,1)\n"
    )
    again = json.loads(runner.invoke(main, ["doctor", "--json"], env=env).output)
    assert [c["name"] for c in again["checks"] if c["status"] != "ok"] == ["ari.app"]


def test_doctor_warns_about_nat_and_missing_wss_transport(fake_pbx: FakePbx) -> None:
    transports = fake_pbx.etc / "pjsip.transports.conf"
    transports.write_text("[0.0.0.0-udp]\ntype=transport\nprotocol=udp\nbind=0.0.0.0:5060\n")
    unset = fake_pbx.settings(external_address="", local_networks=())
    found = {c.name: c for c in run_doctor(pbx_from_settings(unset))}
    assert found["pjsip.nat"].status == "warn"  # no NAT settings known: maybe no NAT
    assert "External Address" in found["pjsip.nat"].fix
    known = {c.name: c for c in run_doctor(pbx_from_settings(fake_pbx.settings()))}
    assert known["pjsip.nat"].status == "fail"  # the public address is known and missing
    assert "external_media_address is not 203.0.113.10" in known["pjsip.nat"].detail
    assert found["pjsip.wss"].status == "warn"  # no wss transport either


def test_ari_switched_off_in_freepbx_is_switched_on(fake_pbx: FakePbx) -> None:
    (fake_pbx.etc / "ari_general_additional.conf").write_text("enabled=no\npretty=no\n")
    before = {c.name: c for c in run_doctor(pbx_from_settings(fake_pbx.settings()))}
    assert before["ari.enabled"].status == "fail"
    assert "fwconsole setting ENABLE_ARI 1" in before["ari.enabled"].fix
    report = install(pbx_from_settings(fake_pbx.settings()))
    assert report.settings["ENABLE_ARI"] == "1"
    assert ["fwconsole", "setting", "ENABLE_ARI", "1"] in fake_pbx.fw_calls()
    assert statuses([c.as_dict() for c in report.verify])["ari.enabled"] == "ok"
    assert install(pbx_from_settings(fake_pbx.settings())).settings == {}


def test_secret_bearing_custom_files_are_0640_even_when_they_were_wider(fake_pbx: FakePbx) -> None:
    endpoint = fake_pbx.etc / "pjsip.endpoint_custom.conf"
    endpoint.chmod(0o664)  # an admin's file, group/world readable
    install(pbx_from_settings(fake_pbx.settings()))
    for name in ("ari_additional_custom.conf", "pjsip.endpoint_custom.conf"):
        assert (fake_pbx.etc / name).stat().st_mode & 0o777 == 0o640, name
    assert (fake_pbx.etc / ("pjsip.endpoint_custom.conf" + BACKUP_SUFFIX)).stat().st_mode & 0o7 == 0
    assert (fake_pbx.etc / "extensions_custom.conf").stat().st_mode & 0o777 != 0o640


def test_first_call_checklist_after_install_has_no_failure(fake_pbx: FakePbx) -> None:
    """FreePBX 17's layout, the admin's GUI steps done, the installer run: the doctor finds
    every first-call need in place (the Stasis app only warns: Switchboard is not running)."""
    settings = fake_pbx.settings()
    install(pbx_from_settings(settings))
    found = {c.name: c for c in run_doctor(pbx_from_settings(settings))}
    assert [n for n, c in found.items() if c.status == "fail"] == []
    for name in (
        "trunk.identify",
        "route.+15550100",
        "asterisk.chan_websocket",
        "agents.registered",
        "cert.valid",
        "pjsip.nat",
    ):
        assert found[name].status == "ok", found[name]
    assert "2001" in found["agents.registered"].detail


def test_doctor_names_what_a_first_call_lacks(
    fake_pbx: FakePbx, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = fake_pbx.settings()
    install(pbx_from_settings(settings))
    monkeypatch.setenv("FAKE_NO_CHAN_WEBSOCKET", "1")
    (fake_pbx.state / "endpoints.json").write_text(
        json.dumps([{"technology": "PJSIP", "resource": "2001", "state": "offline"}])
    )
    routes = fake_pbx.etc / "extensions_additional.conf"
    routes.write_text(routes.read_text().replace("+15550100", "+15550199"))
    other = settings.model_copy(
        update={
            "freepbx": settings.freepbx.model_copy(
                update={"external_address": "198.51.100.20", "dns_name": "voice.example.com"}
            )
        }
    )
    found = {c.name: c for c in run_doctor(pbx_from_settings(other))}
    assert found["asterisk.chan_websocket"].status == "fail"
    assert "module load chan_websocket.so" in found["asterisk.chan_websocket"].fix
    assert found["agents.registered"].status == "warn"
    assert found["route.+15550100"].status == "fail"
    assert "Inbound Routes" in found["route.+15550100"].fix
    assert found["pjsip.nat"].status == "fail" and "198.51.100.20" in found["pjsip.nat"].detail
    assert found["cert.valid"].status == "fail" and "voice.example.com" in found["cert.valid"].fix


def test_agents_become_freepbx_extensions_amended_for_webrtc(fake_pbx: FakePbx) -> None:
    """The agents are FreePBX's own extensions (a GUI queue rings Local/<ext>@from-queue/n);
    Switchboard only amends what the GUI cannot set, after FreePBX generated them."""
    report = install(pbx_from_settings(fake_pbx.settings()))
    generated = (fake_pbx.etc / "pjsip.endpoint.conf").read_text()
    assert "[2001]\ntype=endpoint" in generated and "context=switchboard-agents" in generated
    auth = (fake_pbx.etc / "pjsip.auth.conf").read_text()
    assert f"password={report.new_agent_passwords['2001']}" in auth  # FreePBX got it
    post = blocks.block_body((fake_pbx.etc / "pjsip.endpoint_custom_post.conf").read_text())
    assert post is not None
    for agent in ("2001", "2002"):
        section = post[post.index(f"[{agent}](+)") :].split("\n\n")[0]
        assert "webrtc = yes" in section and "dtls_auto_generate_cert = yes" in section
        assert "set_var = TRANSFER_CONTEXT=switchboard-agents" in section
    assert "[1001](+)" not in post  # the admin's own extension is left alone


def test_a_bulk_import_that_creates_nothing_stops_before_amending(
    fake_pbx: FakePbx, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BULKIMPORT_NOOP", "1")
    report = install(pbx_from_settings(fake_pbx.settings()))
    assert report.status == "fail" and "did not create extensions 2001, 2002" in report.error
    post = fake_pbx.etc / "pjsip.endpoint_custom_post.conf"
    assert not post.exists() or "(+)" not in post.read_text()  # Asterisk would refuse it


def test_agents_as_switchboard_endpoints_when_asked(fake_pbx: FakePbx) -> None:
    settings = fake_pbx.settings(agents_as_extensions=False)
    report = install(pbx_from_settings(settings))
    assert report.imported_agents == [] and report.error == ""
    endpoint = (fake_pbx.etc / "pjsip.endpoint_custom.conf").read_text()
    assert "[2002-auth]" in endpoint and "webrtc = yes" in endpoint
    queues = (fake_pbx.etc / "queues_custom.conf").read_text()
    assert "member => PJSIP/2002,0,Agent 2002,PJSIP/2002" in queues
    assert not any(c[1] == "bulkimport" for c in fake_pbx.fw_calls())


def test_firewall_and_fail2ban_trust_twilio_and_the_agents(fake_pbx: FakePbx) -> None:
    settings = fake_pbx.settings()
    before = {c.name: c for c in run_doctor(pbx_from_settings(settings))}
    assert before["firewall.trust"].status == "fail"
    assert "fwconsole firewall add trusted 54.172.60.0/30" in before["firewall.trust"].fix
    assert before["fail2ban.whitelist"].status == "fail"
    report = install(pbx_from_settings(settings))
    assert report.trusted == TRUSTED and report.fail2ban_jails == ["asterisk", "sshd"]
    drop_in = (Path(fake_pbx.env["FAKE_F2B_JAILD"]) / "switchboard.local").read_text()
    assert "[asterisk]\nignoreip = %(known/ignoreip)s 54.172.60.0/30" in drop_in
    assert ["fail2ban-client", "reload"] in fake_pbx.calls()
    jails = json.loads((fake_pbx.state / "fail2ban.json").read_text())
    assert "10.60.0.5/32" in jails["asterisk"]  # what Intrusion Detection had stays
    assert all(net in jails[j] for j in jails for net in TRUSTED)
    after = {c.name: c.status for c in report.verify}
    assert after["firewall.trust"] == "ok" and after["fail2ban.whitelist"] == "ok"
    again = install(pbx_from_settings(settings))
    assert again.trusted == [] and again.fail2ban_jails == [] and not again.changed


def test_without_freepbx_firewall_or_fail2ban_trust_only_warns(
    fake_pbx: FakePbx, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NO_FIREWALL", "1")
    (fake_pbx.state / "fail2ban.json").unlink()
    (fake_pbx.state / "fail2ban.json").write_text("{}")
    report = install(pbx_from_settings(fake_pbx.settings()))
    assert report.error == "" and report.trusted == []
    found = {c.name: c for c in report.verify}
    assert found["firewall.trust"].status == "warn"
    assert "fwconsole ma downloadinstall firewall" in found["firewall.trust"].fix
    assert found["fail2ban.whitelist"].status == "ok"


def test_nat_goes_into_freepbx_sip_settings_and_out_through_a_reload(fake_pbx: FakePbx) -> None:
    transports = fake_pbx.etc / "pjsip.transports.conf"
    transports.write_text(
        "#include pjsip.transports_custom.conf\n[0.0.0.0-udp]\ntype=transport\nprotocol=udp\n"
        "bind=0.0.0.0:5060\n\n[0.0.0.0-wss]\ntype=transport\nprotocol=wss\nbind=0.0.0.0\n"
    )
    settings = fake_pbx.settings()
    dry = install(pbx_from_settings(settings), dry_run=True)
    assert dry.nat == {
        "externip": "203.0.113.10",
        "localnets": [{"net": "10.60.0.0", "mask": "24"}],
    }
    assert not any(c[0] == "php" for c in fake_pbx.calls())
    report = install(pbx_from_settings(settings))
    php = [c for c in fake_pbx.calls() if c[0] == "php"]
    assert php == [["php", "-r", "<code>", "--", "/etc/freepbx.conf"]]
    assert report.nat["externip"] == "203.0.113.10" and report.reloaded
    text = transports.read_text()
    assert "external_media_address=203.0.113.10" in text and "local_net=10.60.0.0/24" in text
    assert {c.name: c.status for c in report.verify}["pjsip.nat"] == "ok"
    assert install(pbx_from_settings(settings)).nat == {}
