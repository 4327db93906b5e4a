"""`switchboard twilio provision` against a local fake of Twilio's REST API (real SDK)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from switchboard.cli import main
from tests.integration.provisioning.fake_twilio import FakeTwilio, FakeTwilioServer

NUMBER = "+15550100"


@pytest.fixture
def twilio_fake() -> Iterator[tuple[FakeTwilio, FakeTwilioServer]]:
    fake = FakeTwilio()
    fake.add_number(NUMBER)
    fake.add_number("+15550199")  # someone else's number in the same account: left alone
    server = FakeTwilioServer(fake)
    server.start()
    try:
        yield fake, server
    finally:
        server.stop()


@pytest.fixture
def env(twilio_fake: tuple[FakeTwilio, FakeTwilioServer], tmp_path: Path) -> dict[str, str]:
    fake, server = twilio_fake
    return {
        "SWITCHBOARD_CONFIG": str(tmp_path / "none.toml"),
        "SWITCHBOARD_TWILIO__ACCOUNT_SID": fake.account_sid,
        "SWITCHBOARD_TWILIO__AUTH_TOKEN": fake.auth_token,
        "SWITCHBOARD_TWILIO__API_BASE_URL": server.url,
        "SWITCHBOARD_TWILIO__DOMAIN_NAME": "acme-switchboard.pstn.twilio.com",
        "SWITCHBOARD_TWILIO__ORIGINATION_URI": "sip:203.0.113.10:5060",
        "SWITCHBOARD_TWILIO__PBX_IPS": '["203.0.113.10"]',
        "SWITCHBOARD_TWILIO__CREDENTIAL_USERNAME": "switchboard-pbx",
        "SWITCHBOARD_TWILIO__CREDENTIAL_PASSWORD": "Str0ngPassw0rdX",
        "SWITCHBOARD_TWILIO__PHONE_NUMBERS": f'["{NUMBER}"]',
    }


def provision(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["twilio", "provision", *args], env=env)


def actions(result: Result) -> dict[tuple[str, str], str]:
    assert result.exit_code == 0, result.output
    return {(s["kind"], s["name"]): s["action"] for s in json.loads(result.output)["steps"]}


EVERYTHING = {
    ("trunk", "switchboard"),
    ("origination_url", "sip:203.0.113.10:5060"),
    ("ip_acl", "switchboard-pbx"),
    ("ip_address", "203.0.113.10/32"),
    ("trunk_ip_acl", "switchboard-pbx"),
    ("credential_list", "switchboard-pbx"),
    ("credential", "switchboard-pbx"),
    ("trunk_credential_list", "switchboard-pbx"),
    ("phone_number", NUMBER),
}


def test_first_run_creates_everything(
    env: dict[str, str], twilio_fake: tuple[FakeTwilio, FakeTwilioServer]
) -> None:
    fake, _ = twilio_fake
    steps = actions(provision(env, "--json"))
    assert steps == dict.fromkeys(EVERYTHING, "created")
    (trunk,) = fake.table("trunks").values()
    assert trunk["friendly_name"] == "switchboard"
    assert trunk["domain_name"] == "acme-switchboard.pstn.twilio.com"
    (url,) = trunk["_urls"].values()
    assert (url["sip_url"], url["enabled"], url["priority"], url["weight"]) == (
        "sip:203.0.113.10:5060",
        True,
        10,
        10,
    )
    (acl,) = fake.table("ip_access_control_lists").values()
    (ip,) = acl["_IpAddresses"].values()
    assert (ip["ip_address"], ip["cidr_prefix_length"]) == ("203.0.113.10", 32)
    assert set(trunk["_IpAccessControlLists"]) == {acl["sid"]}
    (cl,) = fake.table("credential_lists").values()
    assert [c["username"] for c in cl["_Credentials"].values()] == ["switchboard-pbx"]
    assert set(trunk["_CredentialLists"]) == {cl["sid"]}
    numbers = {
        n["phone_number"]: n["trunk_sid"] for n in fake.table("incoming_phone_numbers").values()
    }
    assert numbers == {NUMBER: trunk["sid"], "+15550199": None}


def test_second_run_changes_nothing(
    env: dict[str, str], twilio_fake: tuple[FakeTwilio, FakeTwilioServer]
) -> None:
    fake, _ = twilio_fake
    provision(env)
    writes = len(fake.writes())
    second = provision(env, "--json")
    assert actions(second) == dict.fromkeys(EVERYTHING, "exists")
    assert len(fake.writes()) == writes
    assert json.loads(second.output)["summary"] == {"exists": len(EVERYTHING)}


def test_partial_state_is_completed(
    env: dict[str, str], twilio_fake: tuple[FakeTwilio, FakeTwilioServer]
) -> None:
    fake, _ = twilio_fake
    # a run that stopped half way: trunk and an empty ACL exist, the URL is disabled
    only_trunk = {
        **env,
        "SWITCHBOARD_TWILIO__CREDENTIAL_USERNAME": "",
        "SWITCHBOARD_TWILIO__PHONE_NUMBERS": "[]",
    }
    provision(only_trunk)
    (trunk,) = fake.table("trunks").values()
    (url,) = trunk["_urls"].values()
    url["enabled"] = False
    (acl,) = fake.table("ip_access_control_lists").values()
    acl["_IpAddresses"].clear()
    trunk["_IpAccessControlLists"].clear()
    steps = actions(provision(env, "--json"))
    assert steps == {
        ("trunk", "switchboard"): "exists",
        ("origination_url", "sip:203.0.113.10:5060"): "updated",
        ("ip_acl", "switchboard-pbx"): "exists",
        ("ip_address", "203.0.113.10/32"): "created",
        ("trunk_ip_acl", "switchboard-pbx"): "created",
        ("credential_list", "switchboard-pbx"): "created",
        ("credential", "switchboard-pbx"): "created",
        ("trunk_credential_list", "switchboard-pbx"): "created",
        ("phone_number", NUMBER): "created",
    }
    assert url["enabled"] is True
    assert actions(provision(env, "--json")) == dict.fromkeys(EVERYTHING, "exists")


def test_dry_run_writes_nothing(
    env: dict[str, str], twilio_fake: tuple[FakeTwilio, FakeTwilioServer]
) -> None:
    fake, _ = twilio_fake
    steps = actions(provision(env, "--dry-run", "--json"))
    assert steps == dict.fromkeys(EVERYTHING, "would create")
    assert fake.writes() == []
    text = provision(env, "--dry-run")
    assert "would create trunk switchboard" in text.output
    assert "sip:acme-switchboard.pstn.twilio.com" in text.output


def test_bad_credentials_give_one_clear_line(env: dict[str, str]) -> None:
    result = provision({**env, "SWITCHBOARD_TWILIO__AUTH_TOKEN": "wrong"})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: Twilio rejected the credentials (HTTP 401, code 20003): "
        "check twilio.account_sid and twilio.auth_token"
    ]
    as_json = provision({**env, "SWITCHBOARD_TWILIO__AUTH_TOKEN": "wrong"}, "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["status"] == "error"


def test_missing_credentials_unknown_number_and_no_server(
    env: dict[str, str], twilio_fake: tuple[FakeTwilio, FakeTwilioServer]
) -> None:
    fake, _ = twilio_fake
    missing = provision({**env, "SWITCHBOARD_TWILIO__ACCOUNT_SID": ""})
    assert missing.exit_code == 1 and len(missing.output.splitlines()) == 1
    assert "set twilio.account_sid and twilio.auth_token" in missing.output
    unknown = provision({**env, "SWITCHBOARD_TWILIO__PHONE_NUMBERS": '["+15559999"]'})
    assert unknown.exit_code == 1
    assert unknown.output.splitlines() == [
        "Error: +15559999 is not a phone number of this Twilio account: buy or port it first"
    ]
    assert fake.writes() == []  # numbers are checked before anything is made
    down = provision({**env, "SWITCHBOARD_TWILIO__API_BASE_URL": "http://127.0.0.1:9"})
    assert down.exit_code == 1 and len(down.output.splitlines()) == 1
    assert "cannot reach Twilio (http://127.0.0.1:9)" in down.output


def test_changed_domain_updates_the_trunk(
    env: dict[str, str], twilio_fake: tuple[FakeTwilio, FakeTwilioServer]
) -> None:
    fake, _ = twilio_fake
    provision(env)
    moved = {**env, "SWITCHBOARD_TWILIO__DOMAIN_NAME": "other.pstn.twilio.com"}
    assert actions(provision(moved, "--json"))[("trunk", "switchboard")] == "updated"
    (trunk,) = fake.table("trunks").values()
    assert trunk["domain_name"] == "other.pstn.twilio.com"


def test_paging_is_followed(
    env: dict[str, str], twilio_fake: tuple[FakeTwilio, FakeTwilioServer]
) -> None:
    fake, _ = twilio_fake
    for i in range(60):  # more than one page of other trunks before ours
        sid = fake.new_sid("TK")
        fake.table("trunks")[sid] = {"sid": sid, "friendly_name": f"other-{i}", "domain_name": ""}
    provision(env)
    assert actions(provision(env, "--json"))[("trunk", "switchboard")] == "exists"
    assert len(fake.table("trunks")) == 61
