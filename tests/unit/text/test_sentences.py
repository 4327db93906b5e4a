"""Streaming sentence splitting for TTS; structured output is never spoken."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from switchboard.text.sentences import SentenceSplitter, SplitterConfig, split_sentences


def stream(text: str, step: int = 1) -> tuple[list[str], SentenceSplitter]:
    sp = SentenceSplitter()
    out: list[str] = []
    for i in range(0, len(text), step):
        out += sp.push(text[i : i + step])
    return out + sp.flush(), sp


def test_simple_sentences() -> None:
    assert split_sentences("Done. Anything else? Great!") == ["Done.", "Anything else?", "Great!"]


def test_sentence_is_emitted_only_when_its_end_is_certain() -> None:
    sp = SentenceSplitter()
    assert sp.push("I added it.") == []
    assert sp.push(" Next") == ["I added it."]
    assert sp.flush() == ["Next"]


def test_long_first_sentence_is_split_at_a_pause() -> None:
    text = "Sure, I have added a todo to call the bank tomorrow at nine, and set a reminder."
    parts = split_sentences(text)
    assert parts == [
        "Sure, I have added a todo to call the bank tomorrow at nine,",
        "and set a reminder.",
    ]


def test_only_the_first_sentence_is_split_early() -> None:
    second = "Then, after that, I will also remind you about the meeting with the whole team."
    parts = split_sentences("Okay. " + second)
    assert parts == ["Okay.", second]


def test_incomplete_long_first_sentence_is_split_before_it_ends() -> None:
    sp = SentenceSplitter(SplitterConfig(first_max_chars=40, first_min_chars=10))
    out = sp.push("Your next meeting is with the design team, on Friday at three in the")
    assert out == ["Your next meeting is with the design team,"]


def test_abbreviations_do_not_end_sentences() -> None:
    assert split_sentences("Call Dr. Smith at 3 p.m. tomorrow. Bye.") == [
        "Call Dr. Smith at 3 p.m. tomorrow.",
        "Bye.",
    ]
    assert split_sentences("It is at 3 p.m. See you.") == ["It is at 3 p.m.", "See you."]


def test_decimals_and_times_stay_whole() -> None:
    assert split_sentences("It costs 3.50 dollars at 10:30.") == ["It costs 3.50 dollars at 10:30."]


def test_markdown_and_lists_are_cleaned() -> None:
    parts, _ = stream("You have **two** todos:\n- buy milk\n- call `Bob`\n")
    assert parts == ["You have two todos:", "buy milk", "call Bob"]


def test_json_reply_is_held_back() -> None:
    parts, sp = stream('  {"name": "add_todo", "arguments": {"title": "Milk."}}')
    assert parts == []
    assert sp.structured
    assert '"add_todo"' in sp.held_back


def test_fenced_reply_is_held_back_even_when_the_fence_arrives_in_pieces() -> None:
    parts, sp = stream('```json\n{"a": 1}\n```', step=1)
    assert parts == [] and sp.structured


def test_fenced_block_inside_a_reply_is_not_spoken() -> None:
    parts, sp = stream('Here it is. ```json\n{"a": "b. c"}\n``` All done.', step=3)
    assert parts == ["Here it is.", "All done."]
    assert '"a"' in sp.held_back


def test_nothing_speakable_gives_nothing() -> None:
    assert split_sentences("  ...  ") == []
    assert split_sentences("") == []


words = st.lists(st.sampled_from(["hello", "there", "I", "added", "it", "3", "ok"]), min_size=1)
ends = st.sampled_from([".", "!", "?", ",", ""])


@given(st.lists(st.tuples(words, ends), min_size=1, max_size=8), st.integers(1, 7))
def test_chunking_does_not_change_the_words(parts: list[tuple[list[str], str]], step: int) -> None:
    text = " ".join(" ".join(w) + e for w, e in parts)
    streamed, _ = stream(text, step)
    assert " ".join(streamed).split() == text.split()
    assert streamed == split_sentences(text)


def test_first_piece_of_a_reply_is_cut_at_its_first_pause() -> None:
    from switchboard.text.sentences import FIRST_PIECE

    assert split_sentences("You said: Add buy milk to my to do list.", FIRST_PIECE) == [
        "You said:",
        "Add buy milk to my to do list.",
    ]
    assert split_sentences("Sure, I added it to your list.", FIRST_PIECE)[0] == "Sure,"
    # short sentences and sentences without a pause stay whole
    assert split_sentences("Okay, done.", FIRST_PIECE) == ["Okay, done."]
    assert split_sentences("Add buy milk to my to do list.", FIRST_PIECE) == [
        "Add buy milk to my to do list."
    ]
