"""Trunk settings validation and Twilio errors as one line (no network)."""

from __future__ import annotations

import dataclasses

import pytest
from requests.exceptions import ConnectionError as RequestsConnectionError
from twilio.base.exceptions import TwilioRestException

from switchboard.twilio_provision.client import ProvisionError, explain
from switchboard.twilio_provision.provision import TrunkSpec

GOOD = TrunkSpec(
    name="switchboard",
    domain_name="acme.pstn.twilio.com",
    origination_uri="sip:203.0.113.10:5060",
    pbx_ips=("203.0.113.10",),
)


def test_good_spec_passes() -> None:
    GOOD.validate()
    assert GOOD.list_name == "switchboard-pbx"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"domain_name": "acme.example.com"}, "must end in .pstn.twilio.com"),
        ({"origination_uri": "203.0.113.10"}, "must be a SIP URI"),
        ({"pbx_ips": ()}, "termination needs"),
        ({"pbx_ips": ("not-an-ip",)}, "is not an address"),
        ({"credential_username": "u"}, "credential_password is not"),
    ],
)
def test_bad_specs_are_refused(changes: dict[str, object], message: str) -> None:
    spec = dataclasses.replace(GOOD, **changes)
    with pytest.raises(ProvisionError, match=message):
        spec.validate()


def test_errors_become_one_line() -> None:
    auth = explain(TwilioRestException(401, "/Trunks", "Authenticate", 20003, "GET"))
    assert str(auth) == (
        "Twilio rejected the credentials (HTTP 401, code 20003): "
        "check twilio.account_sid and twilio.auth_token"
    )
    other = explain(TwilioRestException(400, "/Trunks", "bad\nmore", 21248, "POST"))
    assert str(other) == "Twilio API error HTTP 400 (code 21248) on POST /Trunks: bad"
    net = explain(RequestsConnectionError("boom"), "http://127.0.0.1:9")
    assert str(net) == "cannot reach Twilio (http://127.0.0.1:9): ConnectionError"
    for err in (auth, other, net):
        assert "\n" not in str(err)
