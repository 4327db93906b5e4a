"""Certificates for the tests: a leaf issued by a throw-away CA (as Let's Encrypt would issue
one), or a self-signed one, with chosen names and lifetime."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def write_certificate(
    crt: Path,
    key: Path,
    names: tuple[str, ...] = ("pbx.example.com",),
    days: float = 80.0,
    *,
    self_signed: bool = False,
) -> None:
    """Write a PEM certificate for ``names`` (DNS names or IP addresses) valid ``days`` more
    days (negative: already expired), and its key."""
    now = datetime.now(UTC)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    issuer_key = leaf_key if self_signed else ec.generate_private_key(ec.SECP256R1())
    issuer = _name(names[0]) if self_signed else _name("Test Issuing CA R1")
    sans: list[x509.GeneralName] = []
    for n in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            sans.append(x509.DNSName(n))
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0]))
        .issuer_name(issuer)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=10))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )
    crt.parent.mkdir(parents=True, exist_ok=True)
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
