"""Make a Twilio Elastic SIP trunk match the settings; each object is found before it is made.

Objects are recognised by name, so a re-run finds what the last run made and changes
nothing: the trunk by friendly name, its origination URL by SIP URL, the IP access control
list and credential list by ``<trunk>-pbx``, their entries by address and user name, phone
numbers by E.164. A run that stopped half way is completed by the next one. With
``dry_run`` nothing is written and each step says what it would do. Objects Switchboard did
not make (another origination URL, other numbers) are left alone.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from switchboard.twilio_provision.client import ProvisionError

Action = Literal["exists", "created", "updated", "would create", "would update"]
ORIGINATION_PRIORITY = 10
ORIGINATION_WEIGHT = 10


@dataclass(frozen=True)
class TrunkSpec:
    """The trunk Switchboard wants (from the ``twilio`` settings)."""

    name: str
    domain_name: str
    origination_uri: str
    pbx_ips: tuple[str, ...] = ()
    credential_username: str = ""
    credential_password: str = ""
    phone_numbers: tuple[str, ...] = ()

    def validate(self) -> None:
        """Raise :class:`ProvisionError` for settings Twilio would reject anyway."""
        if not self.domain_name.endswith(".pstn.twilio.com"):
            raise ProvisionError(
                "twilio.domain_name must end in .pstn.twilio.com (e.g. acme.pstn.twilio.com)"
            )
        if not self.origination_uri.startswith(("sip:", "sips:")):
            raise ProvisionError(
                "twilio.origination_uri must be a SIP URI to the PBX, e.g. sip:203.0.113.10:5060"
            )
        if not self.pbx_ips and not self.credential_username:
            raise ProvisionError(
                "termination needs twilio.pbx_ips (the PBX's public IP) and/or "
                "twilio.credential_username"
            )
        if self.credential_username and not self.credential_password:
            raise ProvisionError("twilio.credential_username is set but credential_password is not")
        for ip in self.pbx_ips:
            try:
                ipaddress.ip_network(ip, strict=False)
            except ValueError as exc:
                raise ProvisionError(f"twilio.pbx_ips: {ip!r} is not an address") from exc

    @property
    def list_name(self) -> str:
        """Friendly name of the IP ACL and credential list Switchboard makes."""
        return f"{self.name}-pbx"


@dataclass(frozen=True)
class Step:
    """One object: what it is, which one, and what happened to it."""

    kind: str
    name: str
    action: Action
    sid: str = ""


@dataclass
class Provisioner:
    """Walks the trunk's objects in order, creating or updating what differs."""

    client: Any
    spec: TrunkSpec
    dry_run: bool = False
    steps: list[Step] = field(default_factory=list)

    def _record(self, kind: str, name: str, action: Action, sid: str = "") -> None:
        self.steps.append(Step(kind, name, action, sid))

    def _make(self, kind: str, name: str, create: Any) -> str | None:
        """Create (or, in a dry run, pretend to); return the new sid."""
        if self.dry_run:
            self._record(kind, name, "would create")
            return None
        sid = str(create().sid)
        self._record(kind, name, "created", sid)
        return sid

    def run(self) -> list[Step]:
        """Provision everything; return the steps in order."""
        self.spec.validate()
        numbers = [self.find_number(n) for n in self.spec.phone_numbers]  # before any write
        trunk_sid = self.trunk()
        self.origination_url(trunk_sid)
        if self.spec.pbx_ips:
            self.ip_acl(trunk_sid)
        if self.spec.credential_username:
            self.credential_list(trunk_sid)
        for number in numbers:
            self.phone_number(trunk_sid, number)
        return self.steps

    def find_number(self, number: str) -> Any:
        """The account's incoming phone number ``number``; refuse one it does not have."""
        found = self.client.api.v2010.account.incoming_phone_numbers.list(phone_number=number)
        if not found:
            raise ProvisionError(
                f"{number} is not a phone number of this Twilio account: buy or port it first"
            )
        return found[0]

    def trunk(self) -> str | None:
        """The trunk by friendly name; its termination domain kept as configured."""
        trunks = self.client.trunking.v1.trunks
        found = [t for t in trunks.list() if t.friendly_name == self.spec.name]
        if len(found) > 1:
            raise ProvisionError(
                f"{len(found)} trunks are named {self.spec.name!r}: delete the extra ones "
                "or set twilio.trunk_name"
            )
        if not found:
            return self._make(
                "trunk",
                self.spec.name,
                lambda: trunks.create(
                    friendly_name=self.spec.name, domain_name=self.spec.domain_name
                ),
            )
        trunk = found[0]
        if trunk.domain_name != self.spec.domain_name:
            if not self.dry_run:
                trunks(trunk.sid).update(domain_name=self.spec.domain_name)
            action: Action = "would update" if self.dry_run else "updated"
            self._record("trunk", self.spec.name, action, trunk.sid)
        else:
            self._record("trunk", self.spec.name, "exists", trunk.sid)
        return str(trunk.sid)

    def origination_url(self, trunk_sid: str | None) -> None:
        """Inbound calls go to the PBX: one enabled origination URL with our SIP URI."""
        uri = self.spec.origination_uri
        urls = [] if trunk_sid is None else self._trunk(trunk_sid).origination_urls.list()
        match = [u for u in urls if u.sip_url == uri]
        wanted = {
            "priority": ORIGINATION_PRIORITY,
            "weight": ORIGINATION_WEIGHT,
            "enabled": True,
        }
        if not match:
            self._make(
                "origination_url",
                uri,
                lambda: self._trunk(trunk_sid).origination_urls.create(
                    friendly_name=f"{self.spec.name} PBX", sip_url=uri, **wanted
                ),
            )
            return
        url = match[0]
        if (url.priority, url.weight, url.enabled) == tuple(wanted.values()):
            self._record("origination_url", uri, "exists", url.sid)
            return
        if not self.dry_run:
            self._trunk(trunk_sid).origination_urls(url.sid).update(**wanted)
        self._record("origination_url", uri, "would update" if self.dry_run else "updated", url.sid)

    def ip_acl(self, trunk_sid: str | None) -> None:
        """The PBX's addresses may place outbound calls (termination)."""
        sip = self.client.api.v2010.account.sip
        acl_sid = self._find_or_make(
            "ip_acl",
            sip.ip_access_control_lists,
            lambda: sip.ip_access_control_lists.create(friendly_name=self.spec.list_name),
        )
        have = set()
        if acl_sid is not None:
            have = {
                (a.ip_address, int(a.cidr_prefix_length or 32))
                for a in sip.ip_access_control_lists(acl_sid).ip_addresses.list()
            }
        for ip in self.spec.pbx_ips:
            net = ipaddress.ip_network(ip, strict=False)
            key = (str(net.network_address), net.prefixlen)
            if key in have:
                self._record("ip_address", str(net), "exists")
                continue
            self._make(
                "ip_address",
                str(net),
                lambda k=key: sip.ip_access_control_lists(acl_sid).ip_addresses.create(
                    friendly_name=f"{self.spec.name} PBX {k[0]}",
                    ip_address=k[0],
                    cidr_prefix_length=k[1],
                ),
            )
        self._associate(
            "trunk_ip_acl",
            trunk_sid,
            acl_sid,
            lambda t: t.ip_access_control_lists,
            lambda t: t.ip_access_control_lists.create(ip_access_control_list_sid=acl_sid),
        )

    def credential_list(self, trunk_sid: str | None) -> None:
        """The PBX may also authenticate outbound calls with a user name and password."""
        sip = self.client.api.v2010.account.sip
        cl_sid = self._find_or_make(
            "credential_list",
            sip.credential_lists,
            lambda: sip.credential_lists.create(friendly_name=self.spec.list_name),
        )
        user = self.spec.credential_username
        users = (
            set()
            if cl_sid is None
            else {c.username for c in sip.credential_lists(cl_sid).credentials.list()}
        )
        if user in users:
            self._record("credential", user, "exists")
        else:
            self._make(
                "credential",
                user,
                lambda: sip.credential_lists(cl_sid).credentials.create(
                    username=user, password=self.spec.credential_password
                ),
            )
        self._associate(
            "trunk_credential_list",
            trunk_sid,
            cl_sid,
            lambda t: t.credentials_lists,
            lambda t: t.credentials_lists.create(credential_list_sid=cl_sid),
        )

    def phone_number(self, trunk_sid: str | None, pn: Any) -> None:
        """Route the incoming phone number ``pn`` to the trunk."""
        if trunk_sid is not None and pn.trunk_sid == trunk_sid:
            self._record("phone_number", pn.phone_number, "exists", pn.sid)
            return
        self._make(
            "phone_number",
            pn.phone_number,
            lambda: self._trunk(trunk_sid).phone_numbers.create(phone_number_sid=pn.sid),
        )

    # -- helpers -------------------------------------------------------------------------
    def _trunk(self, trunk_sid: str | None) -> Any:
        return self.client.trunking.v1.trunks(trunk_sid)

    def _find_or_make(self, kind: str, collection: Any, create: Any) -> str | None:
        found = [x for x in collection.list() if x.friendly_name == self.spec.list_name]
        if found:
            self._record(kind, self.spec.list_name, "exists", found[0].sid)
            return str(found[0].sid)
        return self._make(kind, self.spec.list_name, create)

    def _associate(
        self, kind: str, trunk_sid: str | None, sid: str | None, listing: Any, create: Any
    ) -> None:
        name = self.spec.list_name
        if trunk_sid is not None and sid is not None:
            linked = {x.sid for x in listing(self._trunk(trunk_sid)).list()}
            if sid in linked:
                self._record(kind, name, "exists", sid)
                return
        self._make(kind, name, lambda: create(self._trunk(trunk_sid)))


def steps_as_dicts(steps: list[Step]) -> list[dict[str, str]]:
    """JSON-ready steps."""
    return [asdict(s) for s in steps]
