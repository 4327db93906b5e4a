"""The guides in docs/ against the code: commands, options, settings, paths, variables."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest

from switchboard.cli import main
from switchboard.settings import Settings

REPO = Path(__file__).resolve().parents[3]
DOCS = REPO / "docs"
GUIDES = (
    "freepbx.md",
    "gcp-terraform.md",
    "twilio.md",
    "webrtc-agents.md",
    "sentry.md",
    "scaling.md",
    "troubleshooting.md",
)
MODULE = REPO / "provisioning" / "terraform-gcp" / "modules" / "switchboard-pbx"
REPO_DIRS = ("freepbx", "provisioning", "switchboard", "docs", "tests", "scripts", "webrtc_console")
DYNAMIC_CHECKS = {"http.tls_cert", "http.tls_key"}
CHECK_FAMILIES = ("queue.", "clash.", "block.", "include.", "route.")

_FILE = re.compile(r"\.(conf|md|py|tf|toml|json|crt|key|service|sh|tftpl|tmpl|txt)$")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
_INLINE = re.compile(r"`([^`\n]+)`")


def fenced(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(text)]


def inline(text: str) -> list[str]:
    return _INLINE.findall(_FENCE.sub("", text))


def dotted_names(text: str) -> list[str]:
    """Inline spans shaped ``a.b`` that are not file names."""
    return [s for s in inline(text) if re.fullmatch(r"[a-z_]+\.[a-z_]+", s) and not _FILE.search(s)]


def commands(text: str) -> list[str]:
    """`switchboard ...` invocations: lines of code blocks and inline spans that start so."""
    found = [s for s in inline(text) if s.startswith("switchboard ")]
    for _, block in fenced(text):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("switchboard "):
                found.append(line.split("#", 1)[0].strip())
    return found


def resolve(argv: list[str]) -> tuple[click.Command, list[str]]:
    """The click command an argv names, and the argv left for it."""
    cmd: click.Command = main
    rest = list(argv)
    while isinstance(cmd, click.Group) and rest and rest[0] in cmd.commands:
        cmd = cmd.commands[rest.pop(0)]
    return cmd, rest


def option_names(cmd: click.Command) -> set[str]:
    return {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)} | {"-h", "--help"}


def settings_keys() -> dict[str, set[str]]:
    keys = {}
    for name, field in Settings.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and hasattr(model, "model_fields"):
            keys[name] = set(model.model_fields)
    return keys


CHECK_SOURCES = ("checks.py", "first_call.py", "trust.py")
CHECK_PREFIXES = "freepbx|asterisk|pjsip|http|ari|rtp|trunk|cert|agents|firewall|fail2ban"
CHECK_ONLY_PREFIXES = ("pjsip", "http", "asterisk", "rtp", "trunk", "cert", "agents", "fail2ban")
"""Prefixes that name doctor checks only (``freepbx.``/``ari.`` are settings sections too)."""


def check_names() -> set[str]:
    source = "".join((REPO / "freepbx" / name).read_text() for name in CHECK_SOURCES)
    return set(re.findall(rf'"((?:{CHECK_PREFIXES})\.[a-z_]+)"', source)) | DYNAMIC_CHECKS


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_exists(guide: str) -> None:
    assert len((DOCS / guide).read_text()) > 1000


@pytest.mark.parametrize("guide", GUIDES)
def test_commands_and_options_are_real(guide: str) -> None:
    for line in commands((DOCS / guide).read_text()):
        words = line.split()[1:]
        cmd, rest = resolve([w for w in words if not w.startswith("<")])
        assert cmd is not main, line
        assert not isinstance(cmd, click.Group), f"{line}: names a group, not a command"
        for word in rest:
            if word.startswith("-"):
                assert word.split("=")[0] in option_names(cmd), f"{guide}: {line}: {word}"


@pytest.mark.parametrize("guide", GUIDES)
def test_settings_named_exist(guide: str) -> None:
    text = (DOCS / guide).read_text()
    keys = settings_keys()
    checks = check_names()
    for span in dotted_names(text):
        section, key = span.split(".")
        if section in keys:
            assert key in keys[section] or span in checks, f"{guide}: `{span}`"
    for lang, block in fenced(text):
        if lang == "toml":
            for section, values in tomllib.loads(block).items():
                assert section in keys, f"{guide}: [{section}]"
                assert set(values) <= keys[section], f"{guide}: [{section}] {set(values)}"


@pytest.mark.parametrize("guide", GUIDES)
def test_doctor_checks_named_exist(guide: str) -> None:
    checks = check_names()
    for span in dotted_names((DOCS / guide).read_text()):
        if span.split(".")[0] in CHECK_ONLY_PREFIXES:
            assert span in checks, f"{guide}: `{span}`"
    for span in inline((DOCS / guide).read_text()):
        if span.startswith(CHECK_FAMILIES) and not _FILE.search(span):
            assert re.fullmatch(r"[a-z]+\.<[a-z]+>(\.[a-z]+)?", span), f"{guide}: `{span}`"


@pytest.mark.parametrize("guide", GUIDES)
def test_repo_paths_exist(guide: str) -> None:
    for span in inline((DOCS / guide).read_text()):
        if re.fullmatch(rf"(?:{'|'.join(REPO_DIRS)})/[\w./*-]*", span):
            path = span.rstrip("/")
            assert list(REPO.glob(path)), f"{guide}: `{span}` does not exist"


def test_terraform_variables_and_outputs_are_documented() -> None:
    text = (DOCS / "gcp-terraform.md").read_text()
    table = text[text.index("## Variables") : text.index("## Security choices")]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))
    declared = set(
        re.findall(r'^variable "([a-z_]+)"', (MODULE / "variables.tf").read_text(), re.M)
    )
    assert documented == declared
    outputs = set(re.findall(r'^output "([a-z_]+)"', (MODULE / "outputs.tf").read_text(), re.M))
    assert {"external_ip", "sip_uri", "console_url", "wss_url"} <= outputs
    for name in ("external_ip", "sip_uri", "console_url", "wss_url"):
        assert f"| `{name}` |" in text


def test_freepbx_guide_lists_every_file_the_installer_writes() -> None:
    from freepbx.layout import TARGETS

    text = (DOCS / "freepbx.md").read_text()
    for t in TARGETS:
        assert f"| `{t.filename}` |" in text, t.filename
        rendered_by_code = ("queues_custom.conf", "pjsip.endpoint_custom_post.conf")
        assert (REPO / "freepbx" / "conf" / t.filename).exists() or t.filename in rendered_by_code
