"""The one settings object, loaded once at start-up.

Sources, highest priority first:

1. environment variables ``SWITCHBOARD_<SECTION>__<FIELD>`` (e.g. ``SWITCHBOARD_ARI__URL``),
2. a TOML file named by ``SWITCHBOARD_CONFIG`` (default ``~/.config/switchboard/config.toml``),
3. the embedded defaults below (local dev PBX, SQLite, local models).

Secrets (ARI password, token keys) come from the environment or that file; none live in the
repository. When the ARI password is not given and Switchboard drives its own dev PBX, the
password the dev PBX generated at build time is used (see
:func:`switchboard.loading.load_settings`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from switchboard.settings_sections import (
    AGENT_PRESETS,
    AgentProvider,
    AgentSettings,
    CalendarSettings,
    ConsoleSettings,
    FreepbxSettings,
    Section,
    SpeechSettings,
    TwilioSettings,
)

__all__ = [
    "AGENT_PRESETS",
    "AgentProvider",
    "AgentSettings",
    "AriSettings",
    "CalendarSettings",
    "CallSettings",
    "ConsoleSettings",
    "DatabaseSettings",
    "FreepbxSettings",
    "MediaSettings",
    "ObserveSettings",
    "PbxSettings",
    "Settings",
    "SpeechSettings",
    "ToolsSettings",
    "TwilioSettings",
    "config_file_path",
    "default_cache_dir",
    "default_state_dir",
]


def default_cache_dir() -> Path:
    """Where downloaded-once artefacts live (PBX root tarball, assembled models)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "switchboard"


def default_state_dir() -> Path:
    """Where run-time state lives (the dev PBX root, its secrets, the SQLite database)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "switchboard"


class PbxSettings(Section):
    """Which Asterisk Switchboard talks to, and how the dev PBX is laid out."""

    mode: Literal["dev", "external"] = "dev"
    """``dev``: Switchboard builds and runs its own Asterisk in a chroot; ``external``: use
    an existing Asterisk/FreePBX reached through the ``ari`` settings."""
    bind_address: str = "127.0.0.1"
    """Address the dev PBX's SIP, HTTP and WSS listeners bind to (``0.0.0.0`` for a LAN)."""
    sip_port: int = 5060
    http_port: int = 8088
    wss_port: int = 7443
    rtp_start: int = 10000
    rtp_end: int = 10999
    trunk_address: str = "127.0.0.2"
    """Source address the dev PBX identifies as the Twilio trunk (Twilio's stand-in)."""
    demo_did: str = "+15550100"
    """The dialled number the dev PBX routes to the Stasis app."""
    min_asterisk_version: str = "22.6.0"
    max_calls_per_did: int = 100
    """The dev PBX's cap of calls at once per DID (high: benchmarks place 50 at once)."""
    max_calls_per_tenant: int = 100


class AriSettings(Section):
    """How to reach ARI (REST + events websocket)."""

    url: str = ""
    """Base URL such as ``http://127.0.0.1:8088``; empty means "the dev PBX's"."""
    user: str = "switchboard"
    password: SecretStr | None = None
    app: str = "switchboard"
    connect_timeout_s: float = 5.0
    request_timeout_s: float = 5.0
    reconnect_initial_s: float = 0.5
    reconnect_max_s: float = 10.0


class MediaSettings(Section):
    """Media transport between Asterisk and the app."""

    transport: Literal["websocket", "rtp", "auto"] = "auto"
    """``websocket`` (chan_websocket, Asterisk ≥ 22.6), ``rtp`` (ulaw externalMedia), or
    ``auto``: websocket when the connected Asterisk has chan_websocket."""
    format: Literal["slin16"] = "slin16"
    rtp_bind_address: str = "127.0.0.1"


class CallSettings(Section):
    """What a call does once answered."""

    mode: Literal["echo", "voice"] = "voice"
    """``voice``: the spoken conversation; ``echo``: greeting prompt, then echo (diagnostics)."""
    agent: Literal["standin", "langgraph"] = "langgraph"
    """Who answers in ``voice`` mode: a scripted stand-in, or the LangGraph agent."""
    standin_delay_s: float = 0.3
    """The stand-in agent's fixed time to first sentence."""
    greeting_sound: str = "sound:hello-world"
    """The Asterisk prompt played when an ``echo`` call is answered."""
    greeting_text: str = "Hello, this is Switchboard. How can I help?"
    """What the stand-in agent says first (the signed-in assistant greets by name)."""
    locked_transfer_queue: str = ""
    """Queue a caller locked out of sign-in is transferred to (e.g. ``400``); empty: goodbye."""
    fallback_queue: str = "400"
    """Queue a caller is put through to when the data side cannot answer (database down or
    hung, tool server gone): a person instead of silence. Empty: apologise and hang up."""
    data_timeout_s: float = 10.0
    """How long one sign-in step may wait on the data side before the caller is told."""
    answer_timeout_s: float = 5.0
    queue_wait_s: int = 300
    """How long a transferred caller waits in the dev PBX's queue before coming back to the
    assistant (told, callback filed); on FreePBX the queue's Max Wait Time decides."""


class RemindersSettings(Section):
    """Reminders that call the user: when the dialer looks, how it rings, how it retries."""

    enabled: bool = True
    """Place call-outs for due reminders (only when callers sign in: needs the data side)."""
    poll_s: float = 15.0
    """How often the dialer looks for due reminders."""
    trunk: str = "twilio"
    """The PJSIP endpoint call-outs leave through: ``PJSIP/<number>@<trunk>``."""
    caller_id: str = ""
    """The number call-outs come from; empty: the PBX's assistant DID (``pbx.demo_did``)."""
    ring_timeout_s: int = 30
    """How long the user's phone rings before the attempt counts as not answered."""
    max_attempts: int = 3
    """Call-outs per reminder before it is marked failed."""
    retry_after_s: float = 300.0
    """Wait before ringing again after a failed attempt."""
    snooze_minutes: int = 10
    """What "snooze" (or key 2) means without a length of time."""
    max_concurrent: int = 2
    """Call-outs in progress at once (each holds speech models' CPU)."""
    silence_s: float = 15.0
    """Hang up politely after this long without an answer from the user."""
    stale_after_s: float = 600.0
    identify: Literal["pin", "key"] = "pin"
    """Before the reminder is spoken, whoever answered proves they are the user: ``pin``
    (their PIN, checked like a sign-in) or ``key`` (press 1 if you are <name>). Nothing of
    the reminder is said before that, so voicemail and family hear no content."""
    """A reminder stuck in ``calling`` this long (the dialer died) is released for retry."""


class ObserveSettings(Section):
    """Sentry and the Prometheus ``/metrics`` endpoint."""

    sentry_dsn: SecretStr | None = None
    """Sentry DSN; unset: Sentry is off."""
    sentry_environment: str = "dev"
    traces_sample_rate: float = 1.0
    """Share of calls sent as Sentry transactions."""
    send_transcripts: bool = False
    """Include what callers said in Sentry events (PINs are scrubbed regardless)."""
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9180
    """Port of ``/metrics`` and ``/healthz``; 0 turns the endpoint off."""


class DatabaseSettings(Section):
    """Where the team data lives (``mcp_tools``)."""

    url: SecretStr | None = None
    """SQLAlchemy async URL (``postgresql+asyncpg://...``); unset means the embedded SQLite
    database ``<state_dir>/switchboard.db``."""
    echo: bool = False
    pool_size: int = 10
    connect_timeout_s: float = 5.0
    """Give up opening a connection after this long (PostgreSQL; SQLite: the lock wait)."""
    statement_timeout_s: float = 10.0
    """Give up on one statement after this long (a hung database fails the call's request,
    not the call)."""


class ToolsSettings(Section):
    """The MCP tool server: per-call tokens, PIN policy and its listener."""

    token_key: SecretStr | None = None
    """HMAC key signing per-call tool tokens; unset means a key generated once and kept in
    ``<state_dir>/tool_token.key``."""
    token_ttl_s: int = 900
    token_issuer: str = "switchboard"
    host: str = "127.0.0.1"
    port: int = 8765
    bcrypt_rounds: int = 12
    pin_max_failures: int = 3
    """Failures allowed (per user and per calling number) before the first lockout."""
    pin_lockout_base_s: float = 30.0
    """First lockout; each further failure doubles it up to ``pin_lockout_max_s``."""
    pin_lockout_max_s: float = 3600.0
    pin_failure_decay_s: float = 900.0
    """Each this long without a failure forgives one counted failure (0: never)."""
    token_refresh_s: int = 300
    """A call's tool token is re-minted once it is this old (long calls keep working)."""


class Settings(BaseSettings):
    """Every setting Switchboard reads, frozen after loading."""

    model_config = SettingsConfigDict(
        env_prefix="SWITCHBOARD_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
    )

    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    cache_dir: Path = Field(default_factory=default_cache_dir)
    state_dir: Path = Field(default_factory=default_state_dir)
    pbx: PbxSettings = PbxSettings()
    ari: AriSettings = AriSettings()
    media: MediaSettings = MediaSettings()
    call: CallSettings = CallSettings()
    observe: ObserveSettings = ObserveSettings()
    reminders: RemindersSettings = RemindersSettings()
    freepbx: FreepbxSettings = FreepbxSettings()
    twilio: TwilioSettings = TwilioSettings()
    database: DatabaseSettings = DatabaseSettings()
    tools: ToolsSettings = ToolsSettings()
    speech: SpeechSettings = SpeechSettings()
    agent: AgentSettings = AgentSettings()
    console: ConsoleSettings = ConsoleSettings()
    calendar: CalendarSettings = CalendarSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init arguments, then the environment, then the TOML config file."""
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=config_file_path()),
        )

    @property
    def ari_url(self) -> str:
        """The ARI base URL in force (explicit, or the dev PBX's HTTP listener)."""
        if self.ari.url:
            return self.ari.url.rstrip("/")
        host = "127.0.0.1" if self.pbx.bind_address in ("0.0.0.0", "") else self.pbx.bind_address
        return f"http://{host}:{self.pbx.http_port}"

    @property
    def devpbx_dir(self) -> Path:
        """State folder of the dev PBX (its root filesystem, secrets, logs)."""
        return self.state_dir / "devpbx"


def config_file_path() -> Path:
    """The TOML config file read by :class:`Settings`."""
    explicit = os.environ.get("SWITCHBOARD_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "switchboard" / "config.toml"
