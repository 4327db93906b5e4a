"""The sign-in gate's dialog with a fake of the data side that follows its interface."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ari_app.call.signin import SignInGate
from ari_app.conversation.agent_port import AgentOutput, Say, TransferRequest, TurnEnd
from tests.fixtures.answers import KnownAnswers


@dataclass(frozen=True)
class FakeTenant:
    id: int = 1
    name: str = "Acme"
    timezone: str = "UTC"


@dataclass(frozen=True)
class FakeUser:
    id: int = 7
    name: str = "Alice Smith"
    role: str = "member"
    timezone: str | None = None


@dataclass(frozen=True)
class FakeCheck:
    ok: bool
    outcome: str
    user: FakeUser | None
    attempts_left: int
    token: str | None = None


@dataclass
class FakeAuth:
    """PIN 4821 for user number 101; locks after three failures."""

    known_number: str = ""
    failures: int = 0
    pins_seen: list[str] = field(default_factory=list)

    async def identify_tenant(self, did: str) -> FakeTenant | None:
        return FakeTenant() if did == "+15550100" else None

    async def suggest_user(self, tenant_id: int, caller_number: str) -> FakeUser | None:
        return FakeUser() if caller_number == self.known_number else None

    async def find_user_by_number(self, tenant_id: int, user_number: str) -> FakeUser | None:
        return FakeUser() if user_number == "101" else None

    async def verify_pin(
        self,
        tenant_id: int,
        user_id: int | None,
        pin: str,
        caller_number: str = "",
        call_id: str | None = None,
    ) -> FakeCheck:
        self.pins_seen.append(pin)
        if pin == "4821" and self.failures < 3:
            return FakeCheck(True, "ok", FakeUser(), 3, token="tok")
        self.failures += 1
        left = max(0, 3 - self.failures)
        return FakeCheck(False, "locked" if left == 0 else "wrong_pin", None, left)


class EchoAgent:
    sensitive = False

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        yield Say(f"agent heard {text}")
        yield TurnEnd()

    def record_heard(self, text: str) -> None:
        pass

    async def close(self) -> None:
        pass


async def _open(tenant: object, user: object, token: str) -> EchoAgent:
    assert token == "tok"
    return EchoAgent()


async def _say(gate: SignInGate, text: str) -> tuple[str, TurnEnd]:
    said, end = [], None
    async for item in gate.turn(text):
        if isinstance(item, Say):
            said.append(item.text)
        elif isinstance(item, TurnEnd):
            end = item
    assert end is not None
    return " ".join(said), end


def _gate(
    auth: FakeAuth, *, did: str = "+15550100", caller: str = "+15559999", **kw: object
) -> SignInGate:
    return SignInGate(auth, _open, did=did, caller_number=caller, call_id="c1", **kw)  # type: ignore[arg-type]


async def test_unknown_number_says_so_and_hangs_up() -> None:
    gate = _gate(FakeAuth(), did="+19999999")
    assert not await gate.prepare()
    assert "not set up" in gate.greeting


async def test_user_number_then_spoken_pin_then_the_agent() -> None:
    auth = FakeAuth()
    gate = _gate(auth)
    assert await gate.prepare()
    assert "user number" in gate.greeting and gate.sensitive
    said, _ = await _say(gate, "one zero one")
    assert "PIN" in said and gate.sensitive
    said, _ = await _say(gate, "four eight two one")
    assert "signed in" in said and "4821" not in said
    assert gate.signed_in and not gate.sensitive
    said, _ = await _say(gate, "add milk")
    assert said == "agent heard add milk"
    assert auth.pins_seen == ["4821"]


async def test_caller_id_skips_the_user_number_but_names_nobody() -> None:
    gate = _gate(FakeAuth(known_number="+15550111"), caller="+15550111")
    await gate.prepare()
    assert "PIN" in gate.greeting and "Alice" not in gate.greeting  # caller ID is spoofable


async def test_non_digits_are_asked_again_without_counting_as_a_try() -> None:
    auth = FakeAuth(known_number="x")
    gate = _gate(auth, caller="x")
    await gate.prepare()
    said, end = await _say(gate, "hello there")
    assert "digits" in said and not end.hangup
    assert auth.pins_seen == []


async def test_three_wrong_pins_lock_out_politely() -> None:
    gate = _gate(FakeAuth(known_number="x"), caller="x")
    await gate.prepare()
    for _ in range(2):
        said, end = await _say(gate, "1111")
        assert "didn't match" in said and not end.hangup
    said, end = await _say(gate, "2222")
    assert "locked" in said and end.hangup
    assert gate.result.failed


async def test_lockout_can_transfer_to_general() -> None:
    general = TransferRequest("general", "400")
    gate = _gate(FakeAuth(known_number="x"), caller="x", locked_transfer=general)
    await gate.prepare()
    for pin in ("1", "2", "3"):
        _, end = await _say(gate, f"111{pin}")
    assert end.transfer == general and not end.hangup


async def test_an_unknown_user_number_is_asked_for_its_pin_like_a_known_one() -> None:
    auth = FakeAuth()
    known, unknown = _gate(auth), _gate(auth)
    for gate in (known, unknown):
        await gate.prepare()
    said_known, _ = await _say(known, "101")
    said_unknown, _ = await _say(unknown, "999")
    assert said_known == said_unknown and "PIN" in said_unknown
    wrong_known, end_known = await _say(known, "1111")
    wrong_unknown, end_unknown = await _say(unknown, "1111")
    assert wrong_known == wrong_unknown and "didn't match" in wrong_unknown
    assert not end_known.hangup and not end_unknown.hangup
    assert auth.pins_seen == ["1111", "1111"]  # both were checked (the unknown: a dummy hash)
    assert unknown.sensitive and known.sensitive  # both still on the PIN


async def test_the_gate_stays_sensitive_until_the_agent_is_open() -> None:
    import asyncio

    opening = asyncio.Event()
    release = asyncio.Event()

    async def slow_open(tenant: object, user: object, token: str) -> EchoAgent:
        opening.set()
        await release.wait()
        return EchoAgent()

    gate = SignInGate(FakeAuth(), slow_open, did="+15550100", caller_number="x", call_id="c")  # type: ignore[arg-type]
    await gate.prepare()
    await _say(gate, "101")
    signing = asyncio.create_task(_say(gate, "4821"))
    await opening.wait()
    assert gate.sensitive and not gate.signed_in  # words said now stay withheld
    release.set()
    said, _ = await signing
    assert "signed in" in said and gate.signed_in and not gate.sensitive


async def test_data_side_down_means_an_apology_and_a_person() -> None:
    class DownAuth(FakeAuth):
        async def verify_pin(self, *args: object, **kw: object) -> FakeCheck:
            raise ConnectionRefusedError("database down")

    person = TransferRequest("general", "400")
    gate = _gate(DownAuth(known_number="x"), caller="x", fallback_transfer=person)
    await gate.prepare()
    said, end = await _say(gate, "4821")
    assert "can't check sign-ins" in said and end.transfer == person
    assert gate.result.failed and not gate.signed_in


async def test_a_hung_data_side_times_out_and_the_caller_hears_why() -> None:
    import asyncio

    class HungAuth(FakeAuth):
        async def verify_pin(self, *args: object, **kw: object) -> FakeCheck:
            await asyncio.sleep(30)
            raise AssertionError("not reached")

    gate = _gate(HungAuth(known_number="x"), caller="x", data_timeout_s=0.05)
    await gate.prepare()
    said, end = await _say(gate, "4821")
    assert "try again later" in said and end.hangup


async def test_an_agent_that_cannot_open_sends_the_caller_to_a_person() -> None:
    async def broken_open(tenant: object, user: object, token: str) -> EchoAgent:
        raise OSError("tool server gone")

    person = TransferRequest("general", "400")
    gate = SignInGate(
        FakeAuth(known_number="x"),
        broken_open,
        did="+15550100",
        caller_number="x",
        call_id="c",
        fallback_transfer=person,
    )  # type: ignore[arg-type]
    await gate.prepare()
    said, end = await _say(gate, "4821")
    assert end.transfer == person and "4821" not in said


async def test_someone_else_on_the_phone_is_asked_for_their_user_number() -> None:
    reader = KnownAnswers({"this is her husband actually": "not_me"})
    auth = FakeAuth(known_number="+15550111")
    gate = _gate(auth, caller="+15550111", answers=reader.factory())
    await gate.prepare()
    said, end = await _say(gate, "this is her husband actually")
    assert "user number" in said and not end.hangup and gate.sensitive
    assert reader.asked[-1][0] == "signin"
    said, _ = await _say(gate, "one zero one")  # now the number, then the PIN as usual
    assert "PIN" in said and auth.pins_seen == []


async def test_a_caller_without_a_pin_is_put_through_to_a_person() -> None:
    reader = KnownAnswers({"i forgot my pin": "help"})
    general = TransferRequest("general", "400", "")
    gate = _gate(FakeAuth(), answers=reader.factory(), fallback_transfer=general)
    await gate.prepare()
    said, end = await _say(gate, "i forgot my pin")
    assert end.transfer == general and "someone who can help" in said
    alone = _gate(FakeAuth(), answers=reader.factory())  # no one to put them through to
    await alone.prepare()
    said, end = await _say(alone, "i forgot my pin")
    assert "admin" in said and end.transfer is None and not end.hangup
