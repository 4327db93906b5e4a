"""What a PEM certificate says about itself: names, expiry, issuer (pure apart from reading).

``switchboard doctor`` uses it to tell whether browsers will accept the certificate WSS 7443
and the agents' console serve: valid for the PBX's DNS name, not expired or about to, and
not self-signed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID


class CertificateError(ValueError):
    """The file is not a readable PEM certificate."""


@dataclass(frozen=True)
class CertInfo:
    """The facts of one certificate a check needs."""

    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    common_name: str
    not_after: datetime
    self_signed: bool
    issuer: str

    def days_left(self, now: datetime) -> float:
        """Days from ``now`` until it expires (negative once expired)."""
        return (self.not_after - now).total_seconds() / 86400

    def covers(self, name: str) -> bool:
        """Whether a browser would accept it for ``name`` (SAN names, ``*.`` one label deep,
        or an IP address SAN)."""
        try:
            return str(ipaddress.ip_address(name)) in self.ip_addresses
        except ValueError:
            pass
        name = name.lower().rstrip(".")
        for pattern in self.dns_names:
            pattern = pattern.lower().rstrip(".")
            if pattern == name:
                return True
            if pattern.startswith("*.") and "." in name:
                head, _, rest = name.partition(".")
                if head and rest == pattern[2:]:
                    return True
        return False


def read_certificate(path: Path) -> CertInfo:
    """Parse the first certificate of a PEM file; raise :class:`CertificateError`."""
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CertificateError(f"{path}: not a PEM certificate ({exc})") from exc
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns, ips = (), ()
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    cn = str(cns[0].value) if cns else ""
    return CertInfo(
        dns_names=dns,
        ip_addresses=ips,
        common_name=cn,
        not_after=cert.not_valid_after_utc,
        self_signed=cert.issuer == cert.subject,
        issuer=cert.issuer.rfc4514_string(),
    )


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)
