"""provisioning/terraform-gcp: fmt, checkov, validate, and every firewall rule via tfparse."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agent.local_model import PART_COUNT
from tests.integration.provisioning.iac import (
    REPO,
    TF_DIR,
    google_provider_mirror,
    iac_tool,
    parse,
    terraform,
)

TWILIO_SIGNALLING = [
    "54.172.60.0/30",
    "54.244.51.0/30",
    "54.171.127.192/30",
    "35.156.191.128/30",
    "54.65.63.192/30",
    "54.169.127.128/30",
    "54.252.254.64/30",
    "177.71.206.192/30",
]
ADMIN = ["198.51.100.7/32"]
AGENTS = ["203.0.113.0/24"]
TFVARS = f"""
project_id         = "acme-pbx"
admin_networks     = {json.dumps(ADMIN)}
agent_networks     = {json.dumps(AGENTS)}
switchboard_source = "switchboard==0.1.0"
twilio_domain_name = "acme.pstn.twilio.com"
phone_numbers      = ["+15550100"]
freepbx_installer_sha256 = "abababababababababababababababababababababababababababababababab"
"""
JUSTIFIED_SKIPS = {"CKV_GCP_40", "CKV_GCP_38"}


def example_copy(tmp_path: Path, tfvars: str) -> Path:
    """A copy of the Terraform tree (with the install script and constraints it ships to the
    VM, at their places in the repository) and a tfvars file in the example root."""
    tree = tmp_path / "provisioning" / "terraform-gcp"
    shutil.copytree(TF_DIR, tree, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "install.sh", tmp_path / "scripts" / "install.sh")
    shutil.copy(REPO / "constraints.txt", tmp_path / "constraints.txt")
    (tree / "examples" / "basic" / "test.tfvars").write_text(tfvars)
    return tree / "examples" / "basic"


def allows(rule: dict[str, Any]) -> set[tuple[str, str]]:
    """(protocol, port) pairs a firewall rule allows (one block parses as a dict)."""
    blocks = rule["allow"] if isinstance(rule["allow"], list) else [rule["allow"]]
    return {(b["protocol"], p) for b in blocks for p in b["ports"]}


def rules(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Firewall rules that exist (count not 0), by name."""
    return {r["name"]: r for r in config["google_compute_firewall"] if r.get("count") != 0}


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return parse(example_copy(tmp_path_factory.mktemp("tf"), TFVARS), "test.tfvars")


def test_every_firewall_rule_sources_ports_and_targets(config: dict[str, Any]) -> None:
    found = rules(config)
    expected = {
        "switchboard-pbx-sip-twilio": (
            TWILIO_SIGNALLING,
            {("udp", "5060"), ("tcp", "5060"), ("tcp", "5061")},
        ),
        "switchboard-pbx-rtp-twilio": (["168.86.128.0/18"], {("udp", "10000-20000")}),
        "switchboard-pbx-wss-agents": (AGENTS, {("tcp", "7443"), ("tcp", "8443")}),
        "switchboard-pbx-rtp-agents": (AGENTS, {("udp", "10000-20000")}),
        "switchboard-pbx-admin": (ADMIN, {("tcp", "443")}),
        "switchboard-pbx-ssh": (["35.235.240.0/20"], {("tcp", "22")}),
    }
    assert set(found) == set(expected)
    for name, (sources, ports) in expected.items():
        rule = found[name]
        assert rule["source_ranges"] == sources, name
        assert allows(rule) == ports, name
        assert rule["target_tags"] == ["switchboard-pbx"], name
        assert rule["direction"] == "INGRESS", name
        assert "deny" not in rule and "source_tags" not in rule, name


def test_nothing_is_open_to_the_world(config: dict[str, Any]) -> None:
    for rule in config["google_compute_firewall"]:
        assert "0.0.0.0/0" not in rule["source_ranges"], rule["name"]
        assert "::/0" not in rule["source_ranges"], rule["name"]
    # the module's own VPC: GCP's default-network rules (SSH from anywhere) do not apply
    (network,) = config["google_compute_network"]
    assert network["auto_create_subnetworks"] is False


def test_empty_agent_and_admin_networks_make_no_rules(tmp_path: Path) -> None:
    bare = TFVARS.replace(json.dumps(ADMIN), "[]").replace(json.dumps(AGENTS), "[]")
    found = rules(parse(example_copy(tmp_path, bare), "test.tfvars"))
    assert set(found) == {
        "switchboard-pbx-sip-twilio",
        "switchboard-pbx-rtp-twilio",
        "switchboard-pbx-ssh",  # IAP's range only: nothing from the world
    }


def test_ssh_from_admin_networks_only_when_asked() -> None:
    variables = (TF_DIR / "modules" / "switchboard-pbx" / "variables.tf").read_text()
    assert 'variable "ssh_from_admin_networks"' in variables
    firewall = (TF_DIR / "modules" / "switchboard-pbx" / "firewall.tf").read_text()
    assert "var.ssh_from_admin_networks ? var.admin_networks : []" in firewall


def test_service_account_id_is_validated_to_gcp_rules() -> None:
    variables = (TF_DIR / "modules" / "switchboard-pbx" / "variables.tf").read_text()
    block = variables[variables.index('variable "service_account_id"') :]
    pattern = re.search(r'regex\("([^"]+)"', block)
    assert pattern is not None
    rx = re.compile(pattern.group(1).replace("\\\\", "\\"))
    assert rx.fullmatch("switchboard-pbx") and rx.fullmatch("sb-pbx")
    assert not rx.fullmatch("sbpbx")  # 5 characters: GCP refuses
    assert not rx.fullmatch("a" * 31) and not rx.fullmatch("switchboard-pbx-")


def test_vm_ip_account_and_tags(config: dict[str, Any]) -> None:
    (vm,) = config["google_compute_instance"]
    assert vm["tags"] == ["switchboard-pbx"]
    assert vm["boot_disk"]["initialize_params"]["image"] == "debian-cloud/debian-12"
    assert vm["can_ip_forward"] is False
    assert vm["metadata"]["block-project-ssh-keys"] == "true"
    assert "startup-script" in vm["metadata"]  # metadata: changing it does not replace the VM
    assert vm.get("metadata_startup_script") is None
    assert vm["shielded_instance_config"]["enable_secure_boot"] is True
    assert vm["service_account"]["email"]["__attribute__"] == "google_service_account.pbx.email"
    nat = vm["network_interface"]["access_config"]["nat_ip"]
    assert nat["__attribute__"] == "google_compute_address.pbx.address"
    (address,) = config["google_compute_address"]
    assert address["address_type"] == "EXTERNAL"
    roles = sorted(m["role"] for m in config["google_project_iam_member"])
    assert roles == ["roles/logging.logWriter", "roles/monitoring.metricWriter"]


def test_outputs(config: dict[str, Any]) -> None:
    outputs = {o["__tfmeta"]["label"] for o in config["output"]}
    assert {"external_ip", "sip_uri", "console_url", "wss_url"} <= outputs
    module_outputs = (TF_DIR / "modules" / "switchboard-pbx" / "outputs.tf").read_text()
    assert 'value       = "sip:${google_compute_address.pbx.address}:5060"' in module_outputs
    assert "https://${google_compute_address.pbx.address}/admin" in module_outputs


def test_twilio_ranges_are_a_variable_with_documented_defaults() -> None:
    variables = (TF_DIR / "modules" / "switchboard-pbx" / "variables.tf").read_text()
    block = variables[variables.index('variable "twilio_signalling_ranges"') :]
    block = block[: block.index("\nvariable ")]
    assert re.findall(r'"(\d+\.\d+\.\d+\.\d+/\d+)"', block) == TWILIO_SIGNALLING
    assert "re-check" in block


def test_startup_script_renders_to_valid_bash(tmp_path: Path) -> None:
    template = (TF_DIR / "modules" / "switchboard-pbx" / "startup.sh.tftpl").read_text()
    values = {
        "install_sh_b64": base64.b64encode((REPO / "scripts/install.sh").read_bytes()).decode(),
        "constraints_b64": base64.b64encode((REPO / "constraints.txt").read_bytes()).decode(),
        "external_address": "203.0.113.10",
        "local_networks": '["10.60.0.0/24"]',
        "trunk_match": json.dumps(TWILIO_SIGNALLING),
        "media_ranges": '["168.86.128.0/18"]',
        "agent_networks": json.dumps(AGENTS),
        "agent_extensions": '["2001", "2002"]',
        "dns_name": "pbx.example.com",
        "letsencrypt_name": "pbx.example.com",
        "letsencrypt_email": "ops@example.com",
        "acme_server": "https://acme-v02.api.letsencrypt.org/directory",
        "switchboard_source": "switchboard==0.1.0",
        "twilio_domain_name": "acme.pstn.twilio.com",
        "phone_numbers": '["+15550100"]',
        "wss_port": "7443",
        "console_port": "8443",
        "pbx_host": "pbx.example.com",
        "cert_san": "DNS:pbx.example.com,IP:203.0.113.10",
        "installer_url": "https://example.com/installer.sh",
        "installer_sha256": "ab" * 32,
        "rtp_start": "10000",
        "rtp_end": "20000",
    }
    assert set(re.findall(r"\$\{(\w+)\}", template)) == set(values)  # no stray ${...}
    script = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], template)
    (tmp_path / "startup.sh").write_text(script)
    subprocess.run(["bash", "-n", str(tmp_path / "startup.sh")], check=True)
    assert "switchboard freepbx install --json" in script
    assert "sng_freepbx_debian_install.sh" in script
    assert 'tls_cert_file = "/etc/asterisk/keys/switchboard.crt"' in script
    assert "sha256sum -c -" in script  # the installer is checked before it runs
    assert "User=switchboard" in script and "User=root" not in script
    assert "NoNewPrivileges=yes" in script and "ProtectSystem=strict" in script
    assert 'origin = "https://pbx.example.com:8443"' in script
    assert 'wss_url = "wss://pbx.example.com:7443/ws"' in script
    assert 'sip_domain = "pbx.example.com"' in script
    # the one install script, profile pbx, with the constraints the tests used, and models
    assert "bash /opt/switchboard/install.sh --profile pbx" in script
    assert "--constraints /opt/switchboard/constraints.txt" in script
    assert "--cache-dir /var/lib/switchboard/cache --owner switchboard" in script
    # NAT, trust and the agents as FreePBX extensions, from Terraform's own values
    assert 'external_address = "203.0.113.10"' in script
    assert 'local_networks = ["10.60.0.0/24"]' in script
    assert f"trunk_match = {json.dumps(TWILIO_SIGNALLING)}" in script
    assert f"agent_networks = {json.dumps(AGENTS)}" in script
    assert 'webrtc_agents = ["2001", "2002"]' in script
    assert 'member_interface = "Local/{extension}@from-queue/n"' in script
    assert 'dns_name = "pbx.example.com"' in script
    # Let's Encrypt by DNS-01 (no port opens), renewed by certbot.timer, renewal dry-run
    assert (
        "--dns-google" in script
        and "--deploy-hook /usr/local/sbin/switchboard-cert-deploy" in script
    )
    assert "systemctl enable --now certbot.timer" in script
    assert "certbot renew --dry-run" in script
    assert "--standalone" not in script and "--http-01" not in script


def test_checkov_clean_with_justified_skips_only() -> None:
    checkov = iac_tool("checkov")
    proc = subprocess.run(
        [
            str(checkov),
            "-d",
            str(TF_DIR),
            "--framework",
            "terraform",
            "--skip-download",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(proc.stdout)
    summary = report["summary"]
    assert summary["failed"] == 0, proc.stdout[:4000]
    assert proc.returncode == 0
    skipped = {c["check_id"] for c in report["results"]["skipped_checks"]}
    assert skipped == JUSTIFIED_SKIPS
    for check in report["results"]["skipped_checks"]:
        assert len(check["check_result"].get("suppress_comment", "")) > 40, check["check_id"]


def test_terraform_fmt() -> None:
    proc = subprocess.run(
        [terraform(), "fmt", "-check", "-recursive", "-diff", str(TF_DIR)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_terraform_validate(tmp_path: Path) -> None:
    exe = terraform()
    mirror = google_provider_mirror()
    if mirror is None:
        pytest.skip(
            "no hashicorp/google provider on this machine (no reachable registry has it); "
            "set SWITCHBOARD_TF_PLUGIN_DIR to a filesystem mirror to run validate"
        )
    root = example_copy(tmp_path, TFVARS)
    env = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"}
    for args in (["init", "-backend=false", f"-plugin-dir={mirror}"], ["validate"]):
        proc = subprocess.run(
            [exe, f"-chdir={root}", *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env=env,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def module_locals(config: dict[str, Any]) -> dict[str, Any]:
    """The module's locals as tfparse resolved them (all ``locals`` blocks merged)."""
    merged: dict[str, Any] = {}
    for block in config["locals"]:
        merged.update({k: v for k, v in block.items() if k not in ("__tfmeta", "id")})
    return merged


def test_the_vm_installs_with_the_repository_install_script(config: dict[str, Any]) -> None:
    """What the VM runs is scripts/install.sh and constraints.txt, byte for byte."""
    found = module_locals(config)
    assert found["install_sh"] == (REPO / "scripts" / "install.sh").read_text()
    assert found["constraints"] == (REPO / "constraints.txt").read_text()
    main = (TF_DIR / "modules" / "switchboard-pbx" / "main.tf").read_text()
    assert "install_sh_b64     = base64encode(local.install_sh)" in main
    assert "constraints_b64    = base64encode(local.constraints)" in main


def test_makefile_installs_with_the_same_script() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "./scripts/install.sh --profile dev" in makefile
    assert "--steps models" in makefile and "--steps python" in makefile
    script = (REPO / "scripts" / "install.sh").read_text()
    assert 'SILERO_VAD="silero-vad==6.2.3"' in script
    assert f"AGENT_MODEL_PARTS={PART_COUNT}" in script  # as agent/local_model.py assembles
    assert "ari_app.speech.turn_model_install" in script
    subprocess.run(["bash", "-n", str(REPO / "scripts" / "install.sh")], check=True)
    usage = subprocess.run(
        ["bash", str(REPO / "scripts" / "install.sh"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--profile dev|pbx" in usage
    wrong = subprocess.run(
        ["bash", str(REPO / "scripts" / "install.sh"), "--profile", "vm", "--steps", "none"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrong.returncode == 2 and "--profile dev or pbx" in wrong.stderr


def test_no_dns_zone_no_dns_resources(config: dict[str, Any]) -> None:
    for kind in ("google_dns_record_set", "google_project_iam_custom_role"):
        assert all(r.get("count") == 0 for r in config.get(kind, [])), kind
    assert module_locals(config)["letsencrypt"] is False  # self-signed only


def test_dns_zone_gives_a_record_and_a_dns_01_role_only(tmp_path: Path) -> None:
    tfvars = TFVARS + (
        'dns_name = "pbx.example.com"\ndns_zone = "example-com"\n'
        'letsencrypt_email = "ops@example.com"\n'
    )
    config = parse(example_copy(tmp_path, tfvars), "test.tfvars")
    (record,) = [r for r in config["google_dns_record_set"] if r.get("count") != 0]
    assert record["name"] == "pbx.example.com." and record["type"] == "A"
    assert record["managed_zone"] == "example-com"
    (role,) = [r for r in config["google_project_iam_custom_role"] if r.get("count") != 0]
    assert all(p.startswith("dns.") for p in role["permissions"])
    assert "dns.resourceRecordSets.create" in role["permissions"]
    members = [m for m in config["google_project_iam_member"] if m.get("count") != 0]
    assert len(members) == 3  # logs, metrics, and the DNS-01 role
    found = module_locals(config)
    assert found["letsencrypt"] is True
    assert found["acme_server"] == "https://acme-v02.api.letsencrypt.org/directory"
    main = (TF_DIR / "modules" / "switchboard-pbx" / "main.tf").read_text()
    assert 'letsencrypt_name   = local.letsencrypt ? var.dns_name : ""' in main
    # still nothing open to the world: DNS-01 needs no inbound port
    for rule in rules(config).values():
        assert "0.0.0.0/0" not in rule["source_ranges"]
        assert ("tcp", "80") not in allows(rule)
