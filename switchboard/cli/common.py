"""Helpers shared by the subcommands: the app context and result printing."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from switchboard.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """What every subcommand receives: the loaded settings."""

    settings: Settings


pass_app = click.make_pass_decorator(AppContext)


def json_option(func: F) -> F:
    """Add ``--json`` (print one JSON object instead of text) to a command."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(func)


def emit(
    result: Mapping[str, Any], as_json: bool, text: Callable[[Mapping[str, Any]], str]
) -> None:
    """Print a command's result: one JSON object with ``--json``, else human text."""
    if as_json:
        click.echo(json.dumps(result, default=str))
    else:
        click.echo(text(result))
