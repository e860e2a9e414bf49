"""The citizen's status lookup: one case with its history, in their language."""

from __future__ import annotations

from actions.case_status import describe, with_history

CASE = {
    "reference": "RC-2026-000123",
    "form": "report_street_problem",
    "status": "more_information_needed",
    "status_label": {"en": "more information needed", "zh": "需补充材料"},
    "created_at": "2026-12-01T08:00:00+00:00",
    "history": [
        {"at": "2026-12-01T08:00:00+00:00", "kind": "created", "to_status": "received",
         "to_label": {"en": "received", "zh": "已受理"}, "note": None},
        {"at": "2026-12-02T09:00:00+00:00", "kind": "status", "to_status": "in_review",
         "to_label": {"en": "in review", "zh": "审核中"}, "note": None},
        {"at": "2026-12-03T10:00:00+00:00", "kind": "status",
         "to_status": "more_information_needed",
         "to_label": {"en": "more information needed", "zh": "需补充材料"},
         "note": "Please send a photo"},
    ],
}  # fmt: skip


def test_a_lookup_shows_every_step_with_the_office_notes() -> None:
    text = with_history(CASE, "en")
    assert text.splitlines() == [
        "RC-2026-000123 (street problem report), sent on 2026-12-01: more information needed.",
        "What happened so far:",
        "- 2026-12-01: received",
        "- 2026-12-02: in review",
        "- 2026-12-03: more information needed (Please send a photo)",
    ]
    zh = with_history(CASE, "zh")
    assert "需补充材料" in zh and "办理记录" in zh and "- 2026-12-02：审核中" in zh


def test_a_case_without_labels_still_reads() -> None:
    assert "received, waiting" in describe({**CASE, "status": "received", "status_label": None},
                                           "en")  # fmt: skip
