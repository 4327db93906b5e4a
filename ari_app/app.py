"""The Stasis application: ARI connection + call manager, run until cancelled."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from ari_app.ari.connection import AriEventStream
from ari_app.ari.events import AriEvent, Channel
from ari_app.ari.rest import AriAuthError, AriHttpError, AriRest
from ari_app.call.assistant import Assistant
from ari_app.call.base import CallEnv
from ari_app.call.echo import EchoCall
from ari_app.call.manager import CallManager, ManagedCall
from ari_app.call.queue_failover import CALL_KIND as FAILOVER_KIND
from ari_app.call.queue_failover import QueueFailoverCall
from ari_app.call.voice import VoiceCall
from ari_app.conversation.loop import ConversationTexts
from ari_app.conversation.speech_stack import SpeechStack
from ari_app.media.session import MediaChoice
from ari_app.observe.http import MetricsServer, metrics_app
from ari_app.observe.metrics import Metrics
from ari_app.observe.observer import Observers
from ari_app.observe.sentry import SentryObserver, init_sentry
from ari_app.reminders.dialer import ReminderDialer
from ari_app.supervise import ServiceFailed, Supervisor
from freepbx.versions import has_chan_websocket, parse_asterisk_version
from switchboard.settings import Settings

log = logging.getLogger(__name__)

TOOL_SERVER = "the tool server"
DIALER = "the reminder dialer"


class ConfigurationError(RuntimeError):
    """Switchboard cannot work with this Asterisk or these settings; the message says why."""


class SwitchboardApp:
    """Connects to ARI, checks the Asterisk it found, and serves calls."""

    def __init__(self, settings: Settings) -> None:
        if settings.ari.password is None:
            raise ConfigurationError(
                "no ARI password: set SWITCHBOARD_ARI__PASSWORD (or build the dev PBX)"
            )
        self.settings = settings
        password = settings.ari.password.get_secret_value()
        self.rest = AriRest(
            settings.ari_url, settings.ari.user, password, timeout_s=settings.ari.request_timeout_s
        )
        self.events = AriEventStream(
            settings.ari_url,
            settings.ari.app,
            settings.ari.user,
            password,
            connect_timeout_s=settings.ari.connect_timeout_s,
            reconnect_initial_s=settings.ari.reconnect_initial_s,
            reconnect_max_s=settings.ari.reconnect_max_s,
        )
        self.metrics = Metrics()
        observers = Observers([self.metrics])
        if init_sentry(settings.observe):
            observers.add(SentryObserver())
        self.env = CallEnv(
            rest=self.rest,
            app=settings.ari.app,
            ari_url=settings.ari_url,
            greeting=settings.call.greeting_sound,
            observer=observers,
            media=MediaChoice(rtp_bind_address=settings.media.rtp_bind_address),
        )
        self._metrics_server: MetricsServer | None = None
        self.calls = CallManager(self._new_call, kinds={FAILOVER_KIND: self._new_failover_call})
        self.asterisk_version = ""
        self.speech: SpeechStack | None = None
        self.assistant = Assistant(settings)
        self.agent_ready: asyncio.Task[None] | None = None
        """The local model reading its fixed prompt, once the agent side has started."""
        self._tool_server: Any = None
        self.dialer: ReminderDialer | None = None
        """Places reminder call-outs while callers sign in (the data side is up)."""
        self._dialer_task: asyncio.Task[None] | None = None
        self.call_mode = settings.call.mode
        self.supervisor = Supervisor()
        """Restarts the tool server and the reminder dialer if they die."""
        """What new calls do; tests switch it between ``echo`` and ``voice``."""

    def _new_call(self, channel: Channel, args: tuple[str, ...]) -> ManagedCall:
        if self.call_mode == "echo" or self.speech is None:
            return EchoCall(self.env, channel, args)
        return VoiceCall(
            self.env,
            channel,
            args,
            speech=self.speech,
            assistant=self.assistant,
            texts=ConversationTexts(greeting=self.settings.call.greeting_text),
        )

    def _new_failover_call(self, channel: Channel, args: tuple[str, ...]) -> ManagedCall:
        if self.speech is None:
            return EchoCall(self.env, channel, args)
        return QueueFailoverCall(
            self.env, channel, args, speech=self.speech, tools_app=self.assistant.tools_app
        )

    def _new_reminder_call(self, channel: Channel, args: tuple[str, ...]) -> ManagedCall:
        from ari_app.reminders.call import ReminderCall

        if self.dialer is None or self.speech is None:
            return EchoCall(self.env, channel, args)  # never placed by us: hung up at once
        tools = self.assistant.tools_app
        return ReminderCall(
            self.env,
            channel,
            args,
            speech=self.speech,
            dialer=self.dialer,
            records=tools.calls if tools is not None else None,
            auth=tools.auth if tools is not None else None,
        )

    async def load(self) -> None:
        """Load what calls share (speech models in ``voice`` mode); idempotent."""
        call = self.settings.call
        if self.call_mode == "voice" and self.speech is None:
            if call.agent == "langgraph":
                await self._start_agent_side()
            self.speech = await SpeechStack.load(self.settings.speech)
            log.info("speech models loaded")

    async def _start_agent_side(self) -> None:
        """The data side (sign-in, records), the tool server and the agent's model."""
        await self.use_assistant(self.settings)

    async def use_assistant(self, settings: Settings) -> None:
        """New calls sign in and talk to the LangGraph agent configured by ``settings``."""
        from agent.runtime import shared_runtime
        from mcp_tools.app import HttpToolServer, ToolsApp

        await self.use_standin()
        tools = ToolsApp.from_settings(settings)
        host, port = settings.tools.host, settings.tools.port

        async def start_tool_server() -> asyncio.Future[Any]:
            if self._tool_server is not None:  # a dead one may still hold its port
                await self._tool_server.stop()
            server = HttpToolServer(tools.server(host, port), host, port)
            await server.start()
            self._tool_server = server
            return server.task

        self.supervisor.watch(TOOL_SERVER, start_tool_server, await start_tool_server())
        server = self._tool_server
        runtime = await shared_runtime(settings)
        catalogue = await tools.server(host, port).list_tools()
        schemas: dict[str, dict[str, Any]] = {
            t.name: {"type": "function", "function": {"name": t.name, "description": t.description,
                                                      "parameters": t.inputSchema}}
            for t in catalogue
        }  # fmt: skip
        self.agent_ready = runtime.warm_up(
            tuple(schemas), lambda wanted: [schemas[n] for n in wanted if n in schemas]
        )
        self.assistant = Assistant(settings, tools)
        if settings.reminders.enabled:
            self.start_reminders(settings)
        log.info("agent ready (tools at %s)", server.url)

    def start_reminders(self, settings: Settings) -> None:
        """Place call-outs for due reminders (needs the data side: :meth:`use_assistant`)."""
        from ari_app.reminders.dialer import CALL_KIND

        tools = self.assistant.tools_app
        if tools is None:
            raise ConfigurationError("reminder call-outs need the data side (agent = langgraph)")
        if self.dialer is not None:
            return
        self.dialer = ReminderDialer(
            self.rest, tools.reminders, settings, connected=self.events.connected
        )
        self.calls.add_kind(CALL_KIND, self._new_reminder_call)
        dialer = self.dialer

        async def start_dialer() -> asyncio.Future[Any]:
            self._dialer_task = asyncio.create_task(dialer.run(), name="reminder-dialer")
            return self._dialer_task

        task = asyncio.create_task(dialer.run(), name="reminder-dialer")
        self._dialer_task = task
        self.supervisor.watch(DIALER, start_dialer, task)

    async def stop_reminders(self) -> None:
        """Stop placing call-outs; call-outs in flight are hung up and retried later."""
        from ari_app.reminders.dialer import CALL_KIND

        self.supervisor.forget(DIALER)
        task, self._dialer_task = self._dialer_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self.calls.remove_kind(CALL_KIND)
        self.dialer = None

    async def use_standin(self) -> None:
        """New calls talk to the scripted stand-in agent (no sign-in); stops the agent side."""
        from agent.runtime import close_shared_runtime

        await self.stop_reminders()
        self.assistant = Assistant(self.settings)
        self.supervisor.forget(TOOL_SERVER)
        if self._tool_server is not None:
            await self._tool_server.stop()
            self._tool_server = None
        await close_shared_runtime()

    async def _on_connect(self) -> None:
        info = await self.rest.asterisk_info()
        self.asterisk_version = info.version
        version = parse_asterisk_version(info.version)
        transport = self.settings.media.transport
        websocket_ok = has_chan_websocket(version) and await self.rest.module_loaded(
            "chan_websocket.so"
        )
        if transport == "websocket" and not websocket_ok:
            raise ConfigurationError(
                f"Asterisk {version} has no chan_websocket (needs 22.6+ with the module loaded); "
                "set media.transport = 'rtp' (or 'auto') to use RTP media"
            )
        self.env.media.transport = "websocket" if transport != "rtp" and websocket_ok else "rtp"
        kept, ended, adopted = await self.calls.reconcile(
            await self.rest.list_channels(), self.settings.ari.app
        )
        if kept or ended or adopted:
            log.info(
                "after reconnecting: %d call(s) carried on, %d ended, %d adopted",
                kept,
                ended,
                adopted,
            )
        log.info(
            "serving calls for app %r on Asterisk %s (%s media)",
            self.settings.ari.app,
            version,
            self.env.media.transport,
        )

    async def _on_disconnect(self) -> None:
        """The events websocket dropped: calls carry on until the reconnect reconciles them."""
        self.calls.connection_lost()

    async def _check_credentials(self) -> None:
        """Fail at once on a wrong ARI user or password (an unreachable ARI is retried later)."""
        try:
            await self.rest.asterisk_info()
        except AriAuthError:
            raise
        except (AriHttpError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.info("ARI not reachable yet (%s); will keep trying", exc)

    async def _start_metrics(self) -> None:
        observe = self.settings.observe
        if observe.metrics_port and self._metrics_server is None:
            app = metrics_app(self.metrics, self.events.connected.is_set)
            self._metrics_server = MetricsServer(app, observe.metrics_host, observe.metrics_port)
            await self._metrics_server.start()

    async def _on_event(self, event: AriEvent) -> None:
        if self.dialer is not None:
            self.dialer.observe(event)
        await self.calls.handle(event)

    async def prepare(self) -> None:
        """Check the ARI credentials, then load what calls share; idempotent."""
        await self._check_credentials()
        await self.load()

    async def run(self) -> None:
        """Serve calls until cancelled (reconnecting to ARI as needed), restarting background
        services that die; a service that cannot be kept stops the app with a
        :class:`ConfigurationError` saying which and why."""
        try:
            await self.prepare()
            await self._start_metrics()
            events = asyncio.create_task(
                self.events.run(
                    self._on_event, on_connect=self._on_connect, on_disconnect=self._on_disconnect
                )
            )
            watcher = asyncio.create_task(self.supervisor.run())
            try:
                await asyncio.wait({events, watcher}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (events, watcher):
                    task.cancel()
                results = await asyncio.gather(events, watcher, return_exceptions=True)
            for result in results:
                if isinstance(result, ServiceFailed):
                    raise ConfigurationError(f"stopping: {result}") from result
                if isinstance(result, Exception):
                    raise result
        finally:
            await self.calls.drop_all()
            await self.rest.close()
            if self._metrics_server is not None:
                await self._metrics_server.stop()
            if self._tool_server is not None or self.assistant.signs_in:
                await self.use_standin()
