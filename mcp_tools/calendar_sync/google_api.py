"""The Google side, through google-api-python-client and google-auth (never hand-written HTTP).

The libraries are synchronous; every request runs in a worker thread (``asyncio.to_thread``)
and only the background sync calls them, never the voice path. Requests are retried with
exponential back-off and jitter (tenacity) on 429, 5xx and connection errors. Endpoints, CA
bundle and timeouts come from :class:`~switchboard.settings.CalendarSettings`, so tests point
the very same code at a local stand-in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from mcp_tools.calendar_sync.mapping import TRANSIENT_STATUSES
from switchboard.settings import CalendarSettings

log = logging.getLogger(__name__)


class GoogleError(RuntimeError):
    """A Google request failed for good (after retries); ``status`` is the HTTP status or 0."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class AccessRevoked(GoogleError):
    """Google refused the refresh token (revoked or expired): the user must connect again."""


class SyncTokenGone(GoogleError):
    """HTTP 410: the sync token is no longer valid; a full sync is needed."""


def status_of(exc: BaseException) -> int:
    """The HTTP status of a client-library error (0 for connection errors)."""
    if isinstance(exc, HttpError):
        return int(exc.resp.status)
    return 0


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: 429, 5xx, timeouts and connection failures."""
    if isinstance(exc, HttpError):
        return status_of(exc) in TRANSIENT_STATUSES
    return isinstance(exc, OSError | TimeoutError | TransportError | httplib2.HttpLib2Error)


@dataclass(frozen=True)
class TokenState:
    """Tokens after a round (the access token may have been refreshed)."""

    access_token: str | None
    expires_at: datetime | None


class CalendarApi:
    """One user's authorised Calendar v3 service plus retrying execution."""

    def __init__(
        self,
        cfg: CalendarSettings,
        refresh_token: str,
        access_token: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        self.cfg = cfg
        secret = cfg.client_secret.get_secret_value() if cfg.client_secret else None
        expiry = expires_at.astimezone(UTC).replace(tzinfo=None) if expires_at else None
        self.credentials = Credentials(  # type: ignore[no-untyped-call]
            token=access_token,
            refresh_token=refresh_token,
            token_uri=cfg.token_uri,
            client_id=cfg.client_id,
            client_secret=secret,
            scopes=list(cfg.scopes),
            expiry=expiry,
        )
        self.attempts = 0
        self.waits: list[float] = []
        """Back-off delays slept so far (for status and tests)."""
        self._service: Any = None

    def _http(self) -> httplib2.Http:
        ca = str(self.cfg.ca_file) if self.cfg.ca_file else None
        return httplib2.Http(timeout=self.cfg.request_timeout_s, ca_certs=ca)

    def _build(self) -> Any:
        if self._service is None:
            authed = AuthorizedHttp(self.credentials, http=self._http())
            self._service = build(
                "calendar",
                "v3",
                http=authed,
                static_discovery=True,
                cache_discovery=False,
                client_options={
                    "api_endpoint": self.cfg.api_endpoint.rstrip("/") + "/calendar/v3/"
                },
            )
        return self._service

    def tokens(self) -> TokenState:
        """The access token in force now (to keep it, encrypted, for the next round)."""
        expiry = self.credentials.expiry
        return TokenState(self.credentials.token, expiry.replace(tzinfo=UTC) if expiry else None)

    async def call(self, make: Callable[[Any], Any]) -> Any:
        """Execute ``make(service)`` (a request object) with retries; classify failures."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(max(1, self.cfg.retry_attempts)),
            wait=wait_exponential_jitter(
                multiplier=self.cfg.retry_base_s,
                max=self.cfg.retry_max_s,
                jitter=self.cfg.retry_base_s,
            ),
            reraise=True,
            before_sleep=self._note_wait,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    self.attempts += 1
                    return await asyncio.to_thread(self._execute, make)
        except RefreshError as exc:
            raise AccessRevoked(f"Google refused the stored grant: {exc}", 400) from None
        except HttpError as exc:
            status = status_of(exc)
            if status == 410:
                raise SyncTokenGone("sync token expired", 410) from None
            raise GoogleError(f"Google answered HTTP {status}: {exc.reason}", status) from None
        except Exception as exc:
            if is_transient(exc):
                raise GoogleError(f"Google unreachable: {type(exc).__name__}: {exc}") from None
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _note_wait(self, state: RetryCallState) -> None:
        delay = state.next_action.sleep if state.next_action else 0.0
        self.waits.append(float(delay))
        log.info("Google request failed (%s); retrying in %.2fs", state.outcome, delay)

    def _execute(self, make: Callable[[Any], Any]) -> Any:
        return make(self._build()).execute(num_retries=0)
