"""Settings sections of the integrations (agent, speech, calendar, console, FreePBX, Twilio).

Split from :mod:`switchboard.settings` (which assembles the one ``Settings`` object and
re-exports these) to keep each module to one screenful of concerns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Section(BaseModel):
    """Base of every settings section: frozen, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CalendarSettings(Section):
    """Google Calendar sync (OAuth2 client, endpoints, schedule) and the iCalendar feeds."""

    client_id: str = ""
    """OAuth2 client id of the Google Cloud project ("Web application" or "Desktop")."""
    client_secret: SecretStr | None = None
    redirect_uri: str = "http://127.0.0.1:8766/calendar/oauth/callback"
    """Where Google sends the browser back with the code (the callback handler's URL)."""
    auth_uri: str = "https://accounts.google.com/o/oauth2/auth"
    token_uri: str = "https://oauth2.googleapis.com/token"
    revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    api_endpoint: str = "https://www.googleapis.com/"
    """Root of the Calendar v3 API (``calendar/v3/`` is appended)."""
    ca_file: Path | None = None
    """Extra CA bundle for the endpoints above (a local stand-in with its own certificate)."""
    scopes: tuple[str, ...] = ("https://www.googleapis.com/auth/calendar",)
    token_key: SecretStr | None = None
    """Fernet key encrypting refresh tokens at rest; unset means a key generated once and
    kept in ``<state_dir>/calendar_token.key``."""
    sync_interval_s: float = 60.0
    """How often the worker pulls changes from Google for each connection."""
    outbox_poll_s: float = 2.0
    """How often the worker looks for voice-made changes to push."""
    retry_attempts: int = 4
    """Tries per Google request on 429/5xx/connection errors before giving up this round."""
    retry_base_s: float = 0.5
    retry_max_s: float = 30.0
    failure_backoff_max_s: float = 900.0
    """A connection that keeps failing is retried at doubling intervals up to this."""
    request_timeout_s: float = 10.0
    past_days: int = 30
    """How far back the first sync imports events."""
    feeds_host: str = "127.0.0.1"
    feeds_port: int = 8766
    feeds_base_url: str = ""
    """Public base URL printed for feed links (default ``http://feeds_host:feeds_port``)."""


TWILIO_SIGNALLING_RANGES: tuple[str, ...] = (
    "54.172.60.0/30",
    "54.244.51.0/30",
    "54.171.127.192/30",
    "35.156.191.128/30",
    "54.65.63.192/30",
    "54.169.127.128/30",
    "54.252.254.64/30",
    "177.71.206.192/30",
)
"""Twilio Elastic SIP Trunking signalling edges (us1, us2, ie1, de1, jp1, sg1, au1, br1).
Twilio asks that all be allowed; re-check Twilio's IP page before deploying."""

TWILIO_MEDIA_RANGES: tuple[str, ...] = ("168.86.128.0/18",)
"""Twilio's media (RTP) range, every edge, since February 2024."""


class FreepbxSettings(Section):
    """How ``switchboard freepbx install`` and ``switchboard doctor`` see a FreePBX 17 box."""

    root: Path = Path("/")
    """Filesystem root the PBX's own paths are under (``/``; a chroot for the dev PBX)."""
    etc_dir: Path = Path("/etc/asterisk")
    """Asterisk's config folder, as the PBX sees it (under ``root``)."""
    fwconsole: str = "fwconsole"
    """FreePBX's command line (looked up on PATH)."""
    asterisk: str = "asterisk"
    """Asterisk's binary, used as ``asterisk -rx "..."``."""
    min_freepbx_major: int = 17
    udp_transport: str = "0.0.0.0-udp"
    """The PJSIP UDP transport FreePBX made (Settings → Asterisk SIP Settings)."""
    trunk_match: tuple[str, ...] = TWILIO_SIGNALLING_RANGES
    """Source networks identified as the Twilio trunk (``match =`` lines)."""
    assistant_exten: str = "7000"
    """Internal extension that reaches the assistant."""
    assistant_did: str = ""
    """DID the internal extension pretends to have dialled (empty: the first Twilio number)."""
    departments: dict[str, str] = Field(
        default_factory=lambda: {"general": "400", "support": "401", "sales": "402"}
    )
    """Department name → FreePBX queue number (``ext-queues,<number>,1``)."""
    webrtc_agents: tuple[str, ...] = ()
    """WebRTC agents to create in ``pjsip.endpoint_custom.conf`` (made in the GUI: leave empty)."""
    wss_port: int = 7443
    wss_bind_address: str = "::"
    """Where HTTPS/WSS listens: all addresses, so agents can reach it (FreePBX's installer
    binds it to 127.0.0.1)."""
    tls_cert_file: Path = Path("/etc/asterisk/keys/integration/webserver.crt")
    tls_key_file: Path = Path("/etc/asterisk/keys/integration/webserver.key")
    command_timeout_s: float = 120.0
    max_calls_per_did: int = 20
    """Calls the dialplan lets in at once per dialled number (more get "busy")."""
    max_calls_per_tenant: int = 30
    """Calls the dialplan lets in at once per tenant (all its numbers together)."""
    agents_as_extensions: bool = True
    """Make ``webrtc_agents`` real FreePBX extensions (``fwconsole bulkimport``), so GUI
    queues ring them; False: Switchboard's own endpoints in ``pjsip.endpoint_custom.conf``."""
    external_address: str = ""
    """The PBX's public address for NAT (FreePBX's External Address); empty: leave it alone."""
    local_networks: tuple[str, ...] = ()
    """Networks reached without NAT (FreePBX's Local Networks), e.g. the VM's subnet."""
    media_ranges: tuple[str, ...] = TWILIO_MEDIA_RANGES
    """Twilio's media sources: trusted by FreePBX's firewall and fail2ban with ``trunk_match``."""
    agent_networks: tuple[str, ...] = ()
    """Networks the agents' browsers come from: trusted by FreePBX's firewall and fail2ban."""
    manage_firewall: bool = True
    """Add the trunk's, media and agent networks to FreePBX Firewall's trusted zone and to
    fail2ban's whitelist (when the firewall module / fail2ban are there)."""
    fail2ban_jail_dir: Path = Path("/etc/fail2ban/jail.d")
    """Where the fail2ban whitelist drop-in goes (``switchboard.local``)."""
    fail2ban_client: str = "fail2ban-client"
    """fail2ban's command line (looked up on PATH; absent: fail2ban is not managed)."""
    dns_name: str = ""
    """The PBX's DNS name: the certificate must be valid for it (doctor ``cert.valid``)."""
    cert_min_days: int = 21
    """Warn when the certificate expires sooner (Let's Encrypt renews at 30 days left)."""
    php: str = "php"
    """PHP CLI, used to write FreePBX's SIP settings (NAT) through its own settings store."""
    freepbx_conf: Path = Path("/etc/freepbx.conf")
    """FreePBX's bootstrap file (PHP), loaded to reach its settings store."""

    def on_host(self, path: Path) -> Path:
        """Where a PBX-side absolute path is on this machine (under ``root``)."""
        return self.root / path.relative_to("/") if path.is_absolute() else self.root / path

    @property
    def etc(self) -> Path:
        """Asterisk's config folder on this machine."""
        return self.on_host(self.etc_dir)


class TwilioSettings(Section):
    """The Twilio Elastic SIP trunk ``switchboard twilio provision`` creates or checks."""

    account_sid: str = ""
    auth_token: SecretStr | None = None
    trunk_name: str = "switchboard"
    """Friendly name that identifies the trunk (and its ACL/credential list) on re-runs."""
    domain_name: str = ""
    """Termination SIP domain, ``<name>.pstn.twilio.com``; FreePBX's trunk AOR points there."""
    origination_uri: str = ""
    """Where Twilio sends inbound calls: ``sip:<PBX public IP>:5060`` (Terraform prints it)."""
    pbx_ips: tuple[str, ...] = ()
    """PBX public addresses allowed to place outbound calls (IP access control list)."""
    credential_username: str = ""
    """Optional credential list user for termination (empty: IP ACL only)."""
    credential_password: SecretStr | None = None
    phone_numbers: tuple[str, ...] = ()
    """E.164 numbers of the account to route to the trunk."""
    api_base_url: str = ""
    """Point the SDK at another host (a local fake in tests); empty means Twilio's own."""


class SpeechSettings(Section):
    """Speech models and thresholds (VAD, endpointing, barge-in, STT, TTS)."""

    stt_backend: Literal["whisper", "vosk", "openai"] = "whisper"
    whisper_model: Literal["tiny.en", "base"] = "tiny.en"
    """``tiny.en`` (bundled, fastest) or ``base`` (more accurate, ~2× the time; needs
    ``make whisper-base``)."""
    whisper_model_dir: Path | None = None
    """A CTranslate2 Whisper model directory; overrides ``whisper_model``."""
    model_cache_dir: Path | None = None
    """Where Whisper base is joined from its two packages; unset: ``<cache_dir>/models``."""
    whisper_cpu_threads: int = 2
    vosk_model_dir: Path | None = None
    """Vosk model directory (download ``vosk-model-small-en-us`` yourself)."""
    tts_backend: Literal["piper", "openai"] = "piper"
    piper_model: Path | None = None
    """A Piper ``.onnx`` voice (its ``.onnx.json`` beside it); unset: the bundled joe voice."""
    piper_threads: int = 1
    tts_deterministic: bool = False
    """Piper with noise 0: identical audio for identical text (tests, benchmarks)."""
    openai_base_url: str = "https://api.openai.com/v1"
    openai_api_key: SecretStr | None = None
    openai_stt_model: str = "whisper-1"
    openai_tts_model: str = "tts-1"
    openai_tts_voice: str = "alloy"
    openai_timeout_s: float = 15.0
    vad_threshold: float = 0.5
    vad_neg_threshold: float = 0.35
    min_speech_ms: float = 150.0
    """Speech needed before an utterance starts (rejects clicks)."""
    end_silence_ms: float = 500.0
    """Silence that ends an utterance (endpointing delay)."""
    speculative_stt_ms: float = 150.0
    """Start recognising after this much silence, before the utterance is known to end
    (the result is used if it does end there); 0 turns it off."""
    pre_roll_ms: float = 300.0
    barge_in_min_speech_ms: float = 64.0
    """Clear caller speech (windows at or above ``barge_in_suspect_threshold``) that pauses
    the assistant: a suspected interruption. Two 32 ms windows: pausing is reversible (the
    reply resumes where it stopped), so it can be eager; was 120 ms."""
    barge_in_suspect_threshold: float = 0.7
    """VAD probability a window needs to count towards ``barge_in_min_speech_ms`` (stricter
    than ``barge_in_threshold``: line noise scores ≤ 0.03, speech 0.75–1.0)."""
    barge_in_confirm_ms: float = 800.0
    """Caller speech that confirms the interruption (shorter "mm-hm"s resume playout). The
    caller hears the pause at once, so confirming later costs nothing audible; 800 ms (was
    600) keeps a drawn-out "mm-hm" (Piper's is 700 ms of voice) from cutting the reply."""
    barge_in_threshold: float = 0.6
    """VAD probability that starts a candidate interruption."""
    turn_model: Literal["smart-turn", "none"] = "smart-turn"
    """Who decides the caller has finished: ``smart-turn`` (Smart Turn v3.2 judges each short
    pause from the sound, with the words as a check; ``make smart-turn`` installs it) or
    ``none`` (``end_silence_ms`` of silence, as before)."""
    turn_check_ms: float = 200.0
    """Pause that asks the turn-end model and starts speculative recognition."""
    turn_cap_ms: float = 2000.0
    """Longest silence waited when the model says the caller has not finished."""
    turn_threshold: float = 0.5
    """Model probability at or above which a pause ends the turn."""
    turn_words: bool = True
    """Also wait when the words stop on one no request ends with ("at", "the", "um")."""
    whisper_window_s: float = 10.0
    """Shortest audio window Whisper encodes (it pads to this; longer utterances get their
    own length). Whisper's own is 30 s; 10 s costs a quarter of the time at the same WER."""


AgentProvider = Literal["local", "openai", "sambanova", "vllm", "ollama"]

AGENT_PRESETS: dict[str, tuple[str, str]] = {
    "openai": ("https://api.openai.com/v1", "gpt-4o-mini"),
    "sambanova": ("https://api.sambanova.ai/v1", "Meta-Llama-3.3-70B-Instruct"),
    "vllm": ("http://127.0.0.1:8000/v1", "Qwen/Qwen2.5-7B-Instruct"),
    "ollama": ("http://127.0.0.1:11434/v1", "qwen2.5:7b-instruct"),
    "local": ("", "qwen2.5-coder-1.5b-instruct"),
}
"""Provider → (base URL, model) used when ``base_url`` / ``model`` are left empty."""


class AgentSettings(Section):
    """The conversation brain: chat model endpoint, budgets, state and the local model server."""

    provider: AgentProvider = "local"
    """``local`` (the bundled model served by Switchboard) or an OpenAI-compatible preset."""
    base_url: str = ""
    """Override the preset's endpoint (``.../v1``); empty: the preset's (local: our server)."""
    model: str = ""
    """Override the preset's model name."""
    api_key: SecretStr | None = None
    """Key for the endpoint (OpenAI, SambaNova); local servers ignore it."""
    request_timeout_s: float = 30.0
    """HTTP timeout of one model request (the turn budget usually ends it first)."""
    tool_budget_s: float = 8.0
    """Deadline of one tool call."""
    turn_budget_s: float = 10.0
    """Deadline of one turn, from the caller's words to the last sentence."""
    filler_after_s: float = 1.5
    """Say a short "one moment" line when nothing has been said after this long."""
    max_model_calls: int = 4
    """Model calls allowed in one turn (tool loops stop there)."""
    history_turns: int = 6
    """Caller turns of history sent to the model (older ones stay checkpointed)."""
    planner: Literal["auto", "grammar", "tools"] = "auto"
    """How the model chooses tools: ``grammar`` (the whole catalogue in a cached prompt, output
    constrained to valid calls: llama.cpp servers), ``tools`` (native tool calling: OpenAI-
    compatible endpoints); ``auto``: grammar for the bundled local model, tools otherwise."""
    narrow_tools: bool = True
    """Let a request classifier narrow the grammar planner's first call to the likeliest tools
    (the prompt still shows them all); off: any tool."""
    classifier_decides_above: float = 0.5
    """With narrowing: when the request classifier is at least this sure, only its first
    choice is offered (or only words, when it is that sure no tool fits); above 1: never."""
    speak_tool_results: bool | None = None
    """Say the tools' own short sentences instead of asking the model again; unset: on for
    the local model (one model call per turn), off for remote ones."""
    ground_arguments: bool | None = None
    """Fix dates to the day the caller named and drop optional arguments nothing said
    supports (small models invent them); unset: on for the local model only."""
    checkpoint_url: str = ""
    """Conversation state store: empty → SQLite ``<state_dir>/agent_state.db``;
    ``sqlite:///path`` or ``postgresql://...`` (production)."""
    mcp_url: str = ""
    """The tool server's streamable HTTP endpoint; empty → ``http://<tools.host>:<tools.port>/mcp``."""
    local_port: int = 0
    """Port of the bundled model server (0: a free port chosen at start)."""
    local_threads: int = 2
    local_ctx: int = 6144
    """Context of each slot of the bundled model's server (tokens)."""
    local_slots: int = 1
    """Slots of the bundled model's server (each keeps its own prompt cache; a request goes to
    the slot whose cached prompt shares the most with it)."""
    local_start_timeout_s: float = 180.0

    @property
    def effective_base_url(self) -> str:
        """The endpoint in force (empty for ``local`` until its server has started)."""
        return self.base_url or AGENT_PRESETS[self.provider][0]

    @property
    def effective_model(self) -> str:
        """The model name in force."""
        return self.model or AGENT_PRESETS[self.provider][1]

    @property
    def grammar_planner(self) -> bool:
        """Whether turns are planned with the grammar planner (see ``planner``)."""
        if self.planner == "auto":
            return self.provider == "local"
        return self.planner == "grammar"

    @property
    def grounded_arguments(self) -> bool:
        """Whether tool arguments are grounded (see ``ground_arguments``)."""
        if self.ground_arguments is None:
            return self.provider == "local"
        return self.ground_arguments

    @property
    def direct_tool_replies(self) -> bool:
        """Whether tool sentences are spoken as the reply (see ``speak_tool_results``)."""
        if self.speak_tool_results is None:
            return self.provider == "local"
        return self.speak_tool_results


class ConsoleSettings(Section):
    """The agents' console (``webrtc_console``): its web listener, sessions and SIP over WSS."""

    host: str = "127.0.0.1"
    port: int = 8780
    tls_cert_file: Path | None = None
    """Serve the console over HTTPS with this certificate (the PBX's: FreePBX's or certbot's
    for ``dns_name``); unset: plain HTTP (loopback only)."""
    tls_key_file: Path | None = None
    origin: str = ""
    """Public origin browsers use (``https://console.example.com``); empty means
    ``http://<host>:<port>``. POSTs from any other origin are refused (CSRF)."""
    cookie_secure: bool | None = None
    """Mark the session cookie ``Secure``; unset means "when the origin is https"."""
    session_ttl_s: int = 8 * 3600
    login_link_ttl_s: int = 900
    """How long a one-time sign-in link stays valid."""
    wss_url: str = ""
    """The PBX's SIP-over-WebSocket URL for agents; empty means the dev PBX's
    ``wss://<bind>:<wss_port>/ws``."""
    sip_domain: str = ""
    """SIP domain of the agents' URIs; empty means the PBX's address."""
    queues: tuple[str, ...] = ("400", "401", "402")
    """Department queues whose members the console pauses and resumes."""
    member_interface: str = "PJSIP/{extension}"
    """An agent's queue member interface; FreePBX names members
    ``Local/{extension}@from-queue/n``."""
    assistant_exten: str = "7000"
    """Where "back to the assistant" transfers go."""
    tryit_extension: str = "2003"
    """The try-it page's own endpoint (it dials ``assistant_exten``); on the PBX its context
    reaches the assistant only."""
    tryit_roles: tuple[str, ...] = ("owner", "admin", "member")
    """Tenant roles that may use the try-it page (it hands out its endpoint's password)."""
    call_roles: tuple[str, ...] = ("owner", "admin", "member")
    """Tenant roles that take calls: only they get their own extension's SIP password."""
    screen_pop_ttl_s: int = 2 * 3600
    """How long after the hand-off a call's screen-pop stays readable (by the department
    it was handed to)."""
    tryit_ws_url: str = ""
    """Plain ``ws://`` SIP websocket for the try-it page; empty means the dev PBX's 8088."""
    extension_secrets: dict[str, SecretStr] = {}
    """SIP passwords of agent extensions on an external PBX; the dev PBX's come from its
    secrets file."""
