"""Render the configuration templates shipped in ``freepbx/`` (``@@NAME@@`` placeholders).

Asterisk's own syntax uses ``${...}``, so templates use ``@@NAME@@`` instead; every
placeholder must be given a value, and every value must be used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources

PLACEHOLDER = re.compile(r"@@([A-Z0-9_]+)@@")


class TemplateError(ValueError):
    """A template names a value that was not given, or a given value is unused."""


def render(template: str, values: Mapping[str, str], *, name: str = "template") -> str:
    """Replace every ``@@NAME@@`` in ``template`` with ``values[NAME]``."""
    wanted = set(PLACEHOLDER.findall(template))
    missing = wanted - values.keys()
    if missing:
        raise TemplateError(f"{name}: no value for {', '.join(sorted(missing))}")
    unused = values.keys() - wanted
    if unused:
        raise TemplateError(f"{name}: unused values {', '.join(sorted(unused))}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def read_template(package: str, filename: str) -> str:
    """Read a template shipped as package data, e.g. ``("freepbx.conf", "ari_...conf")``."""
    return resources.files(package).joinpath(filename).read_text()
