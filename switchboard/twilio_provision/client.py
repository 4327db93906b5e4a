"""A Twilio REST client from the settings, and Twilio's errors as one clear line each."""

from __future__ import annotations

import json
import logging
from typing import Any

from switchboard.settings import TwilioSettings


class ProvisionError(RuntimeError):
    """Provisioning stopped; the message is one line that says what to do."""


def make_client(tw: TwilioSettings) -> Any:
    """A ``twilio.rest.Client``; ``api_base_url`` points both APIs at another host."""
    from twilio.rest import Client

    if not tw.account_sid or tw.auth_token is None:
        raise ProvisionError(
            "no Twilio credentials: set twilio.account_sid and twilio.auth_token "
            "(or SWITCHBOARD_TWILIO__ACCOUNT_SID / SWITCHBOARD_TWILIO__AUTH_TOKEN)"
        )
    # The SDK logs every request and its headers at INFO: keep the command's output short.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    client = Client(tw.account_sid, tw.auth_token.get_secret_value())
    if tw.api_base_url:
        base = tw.api_base_url.rstrip("/")
        client.trunking.base_url = f"{base}/trunking"
        client.api.base_url = f"{base}/api"
    return client


def explain(exc: Exception, base_url: str = "") -> ProvisionError:
    """Turn an SDK or network exception into a one-line :class:`ProvisionError`."""
    from requests.exceptions import RequestException
    from twilio.base.exceptions import TwilioException, TwilioRestException

    if isinstance(exc, TwilioRestException):
        msg = str(exc.msg).splitlines()[0] if exc.msg else ""
        return _http_error(exc.status, exc.code, f"{exc.method} {exc.uri}: {msg}")
    page_response: Any = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(exc, TwilioException) and hasattr(page_response, "status_code"):
        # list() raises a bare TwilioException("Unable to fetch page", response)
        try:
            body = json.loads(page_response.text)
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        status = int(page_response.status_code)
        return _http_error(status, body.get("code"), f"listing: {body.get('message', '')}")
    if isinstance(exc, RequestException):
        where = base_url or "api.twilio.com"
        return ProvisionError(f"cannot reach Twilio ({where}): {type(exc).__name__}")
    if isinstance(exc, TwilioException):
        return ProvisionError(f"Twilio SDK error: {str(exc).splitlines()[0]}")
    return ProvisionError(str(exc))


def _http_error(status: int, code: Any, where: str) -> ProvisionError:
    if status in (401, 403):
        return ProvisionError(
            f"Twilio rejected the credentials (HTTP {status}, code {code}): "
            "check twilio.account_sid and twilio.auth_token"
        )
    return ProvisionError(f"Twilio API error HTTP {status} (code {code}) on {where}")
