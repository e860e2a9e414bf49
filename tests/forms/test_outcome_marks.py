"""The form validator's outcome marks, from the engine's own decisions on a played-through form:
started, each question asked once (step 1..n), a refused answer, the summary, an early end."""

from __future__ import annotations

from typing import Any

from actions.forms.engine import decide
from actions.forms.marks import form_marks
from actions.forms.spec import forms
from actions.forms.turn import Turn
from tests.forms.test_engine import TODAY


class Played:
    def __init__(self, form: str) -> None:
        self.spec = forms()[form]
        self.slots: dict[str, Any] = {}
        self.marks: list[dict[str, Any]] = []

    def say(self, text: str) -> None:
        outcome = decide(self.spec, self.slots, Turn(text, True, "en", TODAY))
        if outcome.reject:
            return
        self.marks += form_marks(self.spec, self.slots, True, outcome)
        self.slots.update(outcome.slots)

    def kinds(self) -> list[tuple[str, str | None, int | None]]:
        return [(m["kind"], m.get("field"), m.get("step")) for m in self.marks]


def test_a_whole_form_marks_each_step_once_and_the_refusal() -> None:
    form = Played("book_appointment")
    form.say("I want to book an appointment")
    form.say("passport")
    form.say("2026-02-30")  # no such date: refused, asked again (no second step mark)
    form.say("tomorrow")
    form.say("1")
    form.say("Li Wei")
    form.say("13812345678")
    fields = [f.name for f in form.spec.fields]
    n = len(fields)
    assert form.kinds() == [
        ("form_started", None, None),
        *[("form_step", f, i + 1) for i, f in enumerate(fields[:2])],
        ("form_invalid", "date", 2),
        *[("form_step", f, i + 3) for i, f in enumerate(fields[2:])],
        ("form_summary", "summary", n + 1),
    ]


def test_cancel_marks_the_step_it_left_at() -> None:
    form = Played("book_appointment")
    form.say("I want to book an appointment")
    form.say("passport")
    form.say("cancel")
    assert form.kinds()[-1] == ("form_cancelled", "date", 2)


def test_the_summary_is_the_step_after_the_last_question() -> None:
    form = Played("book_appointment")
    form.say("book me a passport appointment for tomorrow, my mobile is 138 1234 5678")
    form.say("1")
    form.say("Li Wei")
    n = len(form.spec.fields)
    assert form.kinds() == [
        ("form_started", None, None),
        ("form_step", "time_slot", 3),  # service, date and phone came with the first message
        ("form_step", "name", 4),
        ("form_summary", "summary", n + 1),
    ]
