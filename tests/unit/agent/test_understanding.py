"""Pure parts of understanding: catalogue, grammar, reading plans, references, sibling kinds,
answer labels, and the case files of the bench."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from agent.cases import (
    Call,
    CaseError,
    Observed,
    Write,
    answer_case,
    judge_request,
    load_answers,
    load_requests,
    placeholders,
    request_case,
)
from agent.understanding.answers import LABELS, AnswerReader, options_of, pick_by_name
from agent.understanding.calls import parse_line, parse_plan, speech_prefix
from agent.understanding.catalogue import ordered_specs, render, spec_of, visible_schema
from agent.understanding.grammar import call_rule, grammar
from agent.understanding.planner import call_line
from agent.understanding.references import Item, listed_items, position, resolve_reference
from agent.understanding.siblings import alternatives
from tests.fixtures.agent_fakes import TOOLS

SCHEMAS = [
    {
        "type": "function",
        "function": {
            "name": "delete_todo",
            "description": "Delete a todo for good (asks the caller first). More text.",
            "parameters": {
                "type": "object",
                "properties": {"todo": {"type": "string"}, "confirm": {"type": "string"}},
                "required": ["todo"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "create_todo",
            "description": "Add a personal todo for the caller.",
            "parameters": {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "due": {"type": "string"},
                    "priority": {"type": "string"},
                },
                "required": ["title"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "list_events",
            "description": "List events.",
            "parameters": {
                "type": "object",
                "properties": {"day": {"type": "string"}, "days": {"type": "integer"}},
            },
        },
    },
    {
        "type": "function",
        "function": {"name": "zz_new_tool", "description": "Something new.", "parameters": {}},
    },
]


def test_catalogue_hides_system_arguments_and_keeps_a_fixed_order():
    specs = ordered_specs(SCHEMAS)
    assert [s.name for s in specs] == ["create_todo", "delete_todo", "list_events", "zz_new_tool"]
    text = render(specs)
    assert "delete_todo(todo): Delete a todo for good (asks the caller first)" in text
    assert "confirm" not in text
    assert "create_todo(title, due?, priority?)" in text
    assert text.index("# Personal todos") < text.index("# Calendar") < text.index("# Other")
    assert render(ordered_specs(reversed(SCHEMAS))) == text  # same bytes whatever the order
    assert "confirm" not in json.dumps(visible_schema(SCHEMAS[0]))
    assert spec_of(SCHEMAS[2]).args[1].kind == "integer"


def test_grammar_allows_known_calls_and_values_only():
    specs = ordered_specs(SCHEMAS)
    text = grammar(specs)
    assert text.startswith("root ::= say | goodbye | calls")
    rule = call_rule(specs[0])
    assert rule.startswith('t-create-todo ::= "create_todo(" "title=" str')
    assert '"priority=" "\\"" ("low" | "normal" | "high" | "urgent") "\\""' in rule
    assert 't-list-events ::= "list_events(" ((' in text  # all-optional: any first argument
    assert "confirm" not in text and 't-zz-new-tool ::= "zz_new_tool(" ")"' in text
    assert 'str ::= "\\"" [^"\\\\\\n#]' in text  # a value never starts with "#"


def test_plans_are_read_not_evaluated():
    known = {"create_todo", "list_events"}
    plan = 'create_todo(title="oat milk", due="friday")\nlist_events(day="monday", days=7)'
    assert [(a.name, a.args) for a in parse_plan(plan, known)] == [
        ("create_todo", {"title": "oat milk", "due": "friday"}),
        ("list_events", {"day": "monday", "days": 7}),
    ]
    assert parse_line('__import__("os").system("x")', known) is None
    assert parse_line('rm_rf(path="/")', known) is None
    assert parse_line("create_todo(title=open('x'))", known) is None
    assert parse_line('create_todo("positional")', known) is None
    assert parse_line('say("Hi there!")', known).text == "Hi there!"  # type: ignore[union-attr]
    assert parse_line('goodbye("Bye!")', known).kind == "goodbye"  # type: ignore[union-attr]
    assert speech_prefix('say("Hello the') == "Hello the"
    assert speech_prefix('say("Hi.")') == "Hi."
    assert speech_prefix("create_todo(") is None
    assert call_line("delete_todo", {"todo": "gym", "confirm": "t"}) == 'delete_todo(todo="gym")'


def test_references_to_items_heard_earlier():
    listed = listed_items(
        {"todos": [{"id": 3, "title": "Call the bank"}, {"id": 4, "title": "Mum"}]}
    )
    assert listed == [Item("todo", 3, "Call the bank"), Item("todo", 4, "Mum")]
    assert listed_items({"reminders": [{"id": 9, "text": "Bins"}]}) == [Item("reminder", 9, "Bins")]
    assert [position(t) for t in ("the second one", "number 3", "the last one", "2", "bank")] == [
        2, 3, -1, 2, None,
    ]  # fmt: skip
    last = Item("todo", 7, "Vet")
    assert resolve_reference("todo", "the second one", listed, None) == "#4"
    assert resolve_reference("todo", "the last one", listed, None) == "#4"
    assert resolve_reference("todo", "the fifth one", listed, None) is None
    assert resolve_reference("event", "the first one", listed, None) is None  # other kind
    assert resolve_reference("todo", "it", listed, last) == "#7"
    assert resolve_reference("reminder", "that one", listed, last) is None
    assert resolve_reference("todo", "dentist", listed, last) is None


def test_the_same_action_on_other_kinds_names_first_what_the_caller_said():
    tried = alternatives("delete_event", {"event": "gas bill"}, "cancel the gas bill reminder")
    assert tried == [
        ("cancel_reminder", {"reminder": "gas bill"}),
        ("delete_todo", {"todo": "gas bill"}),
    ]
    moved = alternatives("update_todo", {"todo": "dentist", "due": "friday", "priority": "high"})
    assert ("update_event", {"event": "dentist", "start": "friday"}) in moved
    assert ("update_reminder", {"reminder": "dentist", "when": "friday"}) in moved
    assert alternatives("create_todo", {"title": "x"}) == []
    assert alternatives("delete_todo", {"todo": "#4"}) == []  # an exact item is never moved


async def test_answers_by_meaning_and_which_one_by_name_or_position():
    reader = AnswerReader()
    confirm = "Delete Renew passport? Yes or no?"
    assert await reader.read("confirm", confirm, "yep go ahead") == "yes"
    assert await reader.read("confirm", confirm, "nah leave it") == "no"
    assert await reader.read("confirm", confirm, "   ") == "unclear"
    which = "Which one: Call the bank, or Call mum?"
    assert options_of(which) == ["Call the bank", "Call mum"]
    assert options_of("Which one: A, B, or C?") == ["A", "B", "C"]
    assert pick_by_name(which, "the mum one") == "2"
    assert pick_by_name(which, "the last one") == "2"
    assert pick_by_name(which, "um") is None  # a hesitation names nothing
    assert pick_by_name(which, "call") is None  # both have it
    thursday = "Which one: Quarterly review at 10 am, or Budget planning at 3 pm?"
    assert pick_by_name(thursday, "the three o'clock") == "2"
    assert await reader.read("which", which, "the bank one") == "1"
    for dialog, labels in LABELS.items():
        assert await reader.read(dialog, "?", "hello") in labels
    with pytest.raises(ValueError, match="unknown dialog"):
        await reader.read("nonsense", "?", "yes")


def test_case_files_and_judging(tmp_path: Path):
    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"id": "a", "family": "todos", "say": "delete the fence", "tools": ["delete_todo"],'
        ' "item": "Fix the garden fence", "no_write": true, "asks": true}\n'
        "// a comment line\n"
        '{"id": "b", "say": ["add a todo to call the vet", "make that friday"], "tools":'
        ' ["update_todo"], "args": ["friday|{friday}"]}\n'
    )
    first, second = load_requests(path)
    assert second.turns == ("add a todo to call the vet", "make that friday")
    dates = placeholders(date(2026, 12, 5))  # a Saturday
    assert dates["friday"] == "2026-12-11" and dates["saturday"] == "2026-12-12"
    ids = {"fix the garden fence": "7"}
    asked = Observed((Call("delete_todo", {"todo": "fence"}, True, "Fix the garden fence"),),
                     "Delete Fix the garden fence? Yes or no?")  # fmt: skip
    assert judge_request(first, asked, dates, ids).right
    wrote = Observed(asked.calls, "Deleted.", (Write("todo.delete", "todo", "7"),), 1)
    verdict = judge_request(first, wrote, dates, ids)
    assert set(verdict.failed_checks) == {"no_write", "asks", "destructive_unconfirmed"}
    guessed = Observed((Call("delete_todo", {"todo": "x"}, True, "Call mum"),), "Deleted?",
                       (Write("todo.delete", "todo", "3"),))  # fmt: skip
    assert judge_request(first, guessed, dates, ids).guessed_writes == 1
    moved = Observed((Call("update_todo", {"todo": "vet", "due": "2026-12-11"}),), "Updated.")
    assert judge_request(second, moved, dates, {}).right
    with pytest.raises(CaseError, match="missing 'tools'"):
        request_case({"id": "x", "say": "hi"})
    with pytest.raises(CaseError, match="not an answer of the confirm dialog"):
        answer_case({"id": "x", "dialog": "confirm", "say": "hi", "expect": "done"})


def test_the_repository_sets_load():
    sets = Path(__file__).parents[2] / "agent_sets"
    for name in ("requests_tuning.jsonl", "requests_test.jsonl"):
        assert len(load_requests(sets / name)) >= 80
    for name in ("answers_tuning.jsonl", "answers_test.jsonl"):
        assert len(load_answers(sets / name)) >= 60


def test_the_first_call_can_be_narrowed_to_a_few_tools_or_to_words():
    specs = ordered_specs(SCHEMAS)
    narrowed = grammar(specs, {"delete_todo"})
    assert "first ::= t-delete-todo\n" in narrowed
    assert "call ::= t-create-todo | t-delete-todo | t-list-events | t-zz-new-tool" in narrowed
    assert grammar(specs, set()).startswith("root ::= say | goodbye\n")  # words only
    assert "first ::= t-create-todo | t-delete-todo" in grammar(specs)  # not narrowed


def test_the_request_classifier_ranks_tools_and_keeps_a_follow_up_open():
    from agent.understanding.tool_classifier import candidates

    known = set(TOOLS)
    assert candidates("put oat milk on my to do list", known)[0] == "create_todo"
    assert candidates("cancel the reminder about the bins", known)[0] == "cancel_reminder"
    assert candidates("put me through to sales please", known)[0] == "transfer_to_department"
    decided = candidates("put me through to sales please", known, decide=0.5)
    assert decided == ["transfer_to_department"]
    assert candidates("thanks that's everything bye", known, decide=0.5) == []
    follow = candidates("make that friday", known, previous=["create_todo"])
    assert follow is None or {"update_todo", "create_todo"} <= set(follow)
    assert all(t in known for t in candidates("what's on my list", known) or ())


def test_the_callers_words_point_at_items_heard_earlier():
    from agent.execution import Memory, pointed_at
    from agent.understanding.references import spoken_position

    assert spoken_position("move the second one to four") == 2
    assert spoken_position("number three is done") == 3
    assert spoken_position("the last one please") == -1
    assert spoken_position("first thing tomorrow") is None
    events = [Item("event", 11, "Quarterly review"), Item("event", 12, "Budget planning")]
    memory = Memory(events, None, "move the second one to four")
    # the model guessed a todo and a name; the words point at the second event listed
    assert pointed_at("update_todo", {"todo": "second one", "due": "four"}, memory) == (
        "update_event",
        {"event": "#12", "start": "four"},
    )
    made = Memory([], Item("reminder", 5, "Call the vet"), "actually make it half past four")
    assert pointed_at("update_todo", {"todo": "call the vet", "due": "half past four"}, made) == (
        "update_reminder",
        {"reminder": "#5", "when": "half past four"},
    )
    same_kind = Memory([], Item("todo", 7, "Vet"), "move it to friday")
    assert pointed_at("update_todo", {"todo": "it", "due": "friday"}, same_kind)[1]["todo"] == "#7"
    named = pointed_at("update_todo", {"todo": "dentist", "due": "friday"}, same_kind)
    assert named[1]["todo"] == "dentist"  # a real name of the same kind is kept
    assert pointed_at("create_todo", {"title": "it"}, same_kind) == ("create_todo", {"title": "it"})


def test_a_position_points_into_the_last_list_for_any_item_tool():
    from agent.execution import Memory, pointed_at

    listed = [Item("reminder", 21, "Take the bins out"), Item("reminder", 22, "Pay the bill")]
    memory = Memory(listed, None, "snooze the second one")
    guessed = {"reminder": "pay the electricity bill", "duration": "an hour"}
    assert pointed_at("snooze_reminder", guessed, memory) == (
        "snooze_reminder",
        {"reminder": "#22", "duration": "an hour"},
    )
