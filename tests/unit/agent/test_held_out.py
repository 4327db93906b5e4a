"""The held-out test sets stay held out: no code, prompt or doc of understanding quotes them,
and the tuning set does not share their sentences.

A test-set sentence counts as quoted when a file outside the test sets contains any run of six
of its words (after lowercasing and dropping punctuation) that is not just the title of an
item of the bench world (requests name those). Failures name the
file and the case id only, so reading the failure does not leak the sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

from agent.cases import load_answers, load_requests

ROOT = Path(__file__).parents[3]
SETS = ROOT / "tests" / "agent_sets"
HELD_OUT = ("requests_test.jsonl", "answers_test.jsonl")
SCANNED = (".py", ".md", ".txt", ".toml", ".cfg", ".yaml", ".yml", ".json", ".jsonl", ".conf")
SKIPPED_DIRS = {".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}
WHERE_UNDERSTANDING_LIVES = (
    "agent", "mcp_tools", "ari_app", "switchboard/cli/bench_agent.py", "docs/agent.md",
    "tests/agent_sets/README.md",
)  # fmt: skip
"""Code, prompts and docs that decide or describe how callers are understood. (Tests may speak
test-set phrasings: the e2e calls read them from the set. Other code uses sentences as audio.)"""
RUN = 6


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def held_out_sentences() -> dict[str, list[str]]:
    """Case id → the words of each sentence the test sets hold."""
    out: dict[str, list[str]] = {}
    for case in load_requests(SETS / HELD_OUT[0]):
        for index, turn in enumerate(case.turns):
            out[f"{case.id}#{index}"] = _words(turn)
    for answer in load_answers(SETS / HELD_OUT[1]):
        out[answer.id] = _words(answer.say)
    return out


def world_titles() -> str:
    """The bench world's item titles: requests name them, so they are no quotation."""
    from mcp_tools.seed_world import EVENTS, PERSONAL_TODOS, REMINDERS, TEAM_TODOS

    titles = [t[0] for t in (*PERSONAL_TODOS, *REMINDERS, *EVENTS)] + [t[1] for t in TEAM_TODOS]
    return " | ".join(" ".join(_words(t)) for t in titles)


def runs(words: list[str]) -> set[str]:
    """Every run of :data:`RUN` words that is not just an item's title."""
    titles = world_titles()
    found = {" ".join(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}
    return {run for run in found if run not in titles}


def scanned_files() -> list[Path]:
    """Every text file where understanding lives."""
    files = []
    for top in WHERE_UNDERSTANDING_LIVES:
        base = ROOT / top
        for path in [base] if base.is_file() else base.rglob("*"):
            if any(part in SKIPPED_DIRS for part in path.parts) or not path.is_file():
                continue
            if path.suffix in SCANNED:
                files.append(path)
    return files


def _line_of(path: Path, run: str) -> int:
    """The line of ``path`` where ``run`` starts (0 when it spans lines)."""
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="ignore").splitlines()):
        if run.split()[0] in " ".join(_words(line)) and run in " ".join(_words(line)):
            return number + 1
    return 0


def test_no_file_quotes_the_held_out_sets():
    wanted = {run: case for case, words in held_out_sentences().items() for run in runs(words)}
    assert len(wanted) > 50
    found: list[str] = []
    for path in scanned_files():
        text = " ".join(_words(path.read_text(encoding="utf-8", errors="ignore")))
        for run, case in wanted.items():
            if run in text:
                line = _line_of(path, run)
                found.append(f"{path.relative_to(ROOT)}:{line} quotes {case}")
    assert not found, found[:20]


def test_tuning_and_test_requests_do_not_share_sentences():
    tuning = {" ".join(_words(t)) for c in load_requests(SETS / "requests_tuning.jsonl")
              for t in c.turns}  # fmt: skip
    shared = [
        case for case, words in held_out_sentences().items()
        if "#" in case and len(words) >= 4 and " ".join(words) in tuning
    ]  # fmt: skip
    assert not shared, shared
