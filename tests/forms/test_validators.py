"""Table-driven tests of every validator: (input, expected value or expected reason)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from actions.validators import VALIDATORS, Context, Invalid, Valid
from actions.validators.dates import parse_date
from actions.validators.id_number import check_character
from actions.validators.text import is_skip

TODAY = date(2026, 12, 1)  # a Tuesday
CTX = Context(today=TODAY)


def run(validator: str, text: str, params: dict[str, Any] | None = None, ctx: Context = CTX) -> Any:
    result = VALIDATORS[validator](text, params or {}, ctx)
    return result.value if isinstance(result, Valid) else ("invalid", result.reason)


def make_id(prefix17: str) -> str:
    return prefix17 + check_character(prefix17)


VALID_ID = make_id("11010519440312001")  # born 1944-03-12
VALID_ID_X = next(
    make_id(f"3301061990010100{i}") for i in range(10) if make_id(f"3301061990010100{i}")[-1] == "X"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 12, 1)),
        ("tomorrow", date(2026, 12, 2)),
        ("the day after tomorrow", date(2026, 12, 3)),
        ("明天", date(2026, 12, 2)),
        ("后天", date(2026, 12, 3)),
        ("大后天", date(2026, 12, 4)),
        ("next Monday", date(2026, 12, 7)),
        ("monday", date(2026, 12, 7)),
        ("this friday", date(2026, 12, 4)),
        ("下周一", date(2026, 12, 7)),
        ("下星期三", date(2026, 12, 9)),
        ("周五", date(2026, 12, 4)),
        ("in 3 days", date(2026, 12, 4)),
        ("3天后", date(2026, 12, 4)),
        ("2026-12-05", date(2026, 12, 5)),
        ("2026/12/5", date(2026, 12, 5)),
        ("19440312", date(1944, 3, 12)),
        ("1944年3月12日", date(1944, 3, 12)),
        ("一九四四年三月十二日", date(1944, 3, 12)),
        ("12月5日", date(2026, 12, 5)),
        ("十二月五号", date(2026, 12, 5)),
        ("5 December", date(2026, 12, 5)),
        ("December 5th", date(2026, 12, 5)),
        ("12 March 1944", date(1944, 3, 12)),
        ("Mar 12, 1944", date(1944, 3, 12)),
        ("no date here", None),
    ],
)
def test_parse_date_with_an_injected_today(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "params", "expected"),
    [
        ("30 February 2027", {}, ("invalid", "date_not_exist")),
        ("2026-02-30", {}, ("invalid", "date_not_exist")),
        ("2月30日", {}, ("invalid", "date_not_exist")),
        ("2028-02-29", {}, "2028-02-29"),  # a leap year
        ("2027-02-29", {}, ("invalid", "date_not_exist")),
        ("2026-13-01", {}, ("invalid", "date_not_exist")),
        ("03/05/2026", {}, ("invalid", "date_ambiguous")),
        ("09/12/2026", {}, ("invalid", "date_ambiguous")),
        ("31/12/2026", {}, "2026-12-31"),  # the day is over 12: day first
        ("12/31/2026", {}, "2026-12-31"),
        ("05.05.2027", {}, "2027-05-05"),
        ("31/02/2027", {}, ("invalid", "date_not_exist")),
        ("15 January 2027", {}, "2027-01-15"),
        ("whenever", {}, ("invalid", "date_unreadable")),
        ("yesterday", {"min_days": 0, "max_days": 7}, ("invalid", "date_in_past")),
        ("tomorrow", {"min_days": 0, "max_days": 7}, "2026-12-02"),
        ("2027-06-01", {"min_days": 0, "max_days": 7}, ("invalid", "date_too_far")),
        ("2999-01-01", {"max_days": 0}, ("invalid", "date_in_future")),
        ("this sunday", {"closed_weekdays": [6]}, ("invalid", "date_closed")),
        ("1944-03-12", {"max_days": 0, "min_age": 80}, "1944-03-12"),
        ("1950-03-12", {"max_days": 0, "min_age": 80}, ("invalid", "age_too_low")),
        ("1850-03-12", {"max_days": 0, "max_age": 130}, ("invalid", "age_too_high")),
        ("2026-10-01", {"min_days": -30}, ("invalid", "date_too_early")),
    ],
)
def test_date_validator(text: str, params: dict[str, Any], expected: Any) -> None:
    assert run("date", text, params) == expected


def test_date_of_birth_must_agree_with_the_id_number() -> None:
    ctx = Context(today=TODAY, answers={"id_number": VALID_ID})
    params = {"id_number_field": "id_number"}
    assert run("date", "1944-03-12", params, ctx) == "1944-03-12"
    assert run("date", "1944-03-13", params, ctx) == ("invalid", "dob_mismatch_id")


@pytest.mark.parametrize(
    ("text", "params", "expected"),
    [
        ("13812345678", {}, "13812345678"),
        ("138 1234 5678", {}, "13812345678"),
        ("138-1234-5678", {}, "13812345678"),
        ("+86 138 1234 5678", {}, "13812345678"),
        ("19912345678", {}, "19912345678"),
        ("12812345678", {}, ("invalid", "mobile_prefix")),
        ("1381234567", {}, ("invalid", "mobile_length")),
        ("my number is 13912345678", {}, "13912345678"),
        ("我的电话是1381234567", {}, ("invalid", "mobile_length")),
        ("call 139 1234 5678 please", {}, "13912345678"),
        ("138123456789", {}, ("invalid", "mobile_length")),
        ("0571-88001234", {}, "057188001234"),
        ("010 6512 3456", {}, "01065123456"),
        ("(021) 5555 1234", {}, "02155551234"),
        ("0571-1234", {}, ("invalid", "landline_format")),
        ("0571-88001234", {"mobile_only": True}, ("invalid", "mobile_required")),
        ("call me", {}, ("invalid", "phone_not_digits")),
        ("88001234", {}, ("invalid", "phone_format")),
    ],
)
def test_phone_validator(text: str, params: dict[str, Any], expected: Any) -> None:
    assert run("phone", text, params) == expected


def _with_last(number: str, last: str) -> str:
    return number[:17] + last


@pytest.mark.parametrize(
    ("text", "params", "expected"),
    [
        (VALID_ID, {}, VALID_ID),
        (VALID_ID_X.lower(), {}, VALID_ID_X),  # a lower-case x is accepted and stored as X
        (f"{VALID_ID[:6]} {VALID_ID[6:14]} {VALID_ID[14:]}", {}, VALID_ID),
        # every wrong check character is refused
        *[
            (_with_last(VALID_ID, c), {}, ("invalid", "id_checksum"))
            for c in "0123456789X"
            if c != VALID_ID[-1]
        ],
        (VALID_ID[:17], {}, ("invalid", "id_length")),
        (VALID_ID + "1", {}, ("invalid", "id_length")),
        ("11010519440312001Y", {}, ("invalid", "id_characters")),
        ("1101051944031200X1", {}, ("invalid", "id_characters")),
        (make_id("99010519440312001"), {}, ("invalid", "id_region")),
        (make_id("11010519440230001"), {}, ("invalid", "id_birth_date")),  # 30 February
        (make_id("11010530000101001"), {}, ("invalid", "id_birth_date")),  # born in 3000
        (VALID_ID, {"min_age": 80}, VALID_ID),
        (make_id("11010519900101001"), {"min_age": 80}, ("invalid", "age_too_low")),
    ],
)
def test_id_number_validator(text: str, params: dict[str, Any], expected: Any) -> None:
    assert run("id_number", text, params) == expected


def test_id_number_must_agree_with_the_date_of_birth() -> None:
    params = {"date_of_birth_field": "date_of_birth"}
    same = Context(today=TODAY, answers={"date_of_birth": "1944-03-12"})
    other = Context(today=TODAY, answers={"date_of_birth": "1944-03-13"})
    assert run("id_number", VALID_ID, params, same) == VALID_ID
    assert run("id_number", VALID_ID, params, other) == ("invalid", "id_mismatch_dob")


OPTIONS = {
    "options": [
        {"id": "pothole", "en": "Pothole", "zh": "道路坑洼", "aliases": ["pothole", "坑"]},
        {
            "id": "streetlight",
            "en": "Broken streetlight",
            "zh": "路灯损坏",
            "aliases": ["streetlight", "light", "路灯"],
        },
        {"id": "noise", "en": "Noise", "zh": "噪音", "aliases": ["noise", "吵", "light noise"]},
    ]
}
SLOTS = {"options": [{"id": t, "en": t, "zh": t} for t in ("09:00", "09:30", "14:30")]}


@pytest.mark.parametrize(
    ("text", "params", "expected"),
    [
        ("1", OPTIONS, "pothole"),
        ("2.", OPTIONS, "streetlight"),
        ("第三个", OPTIONS, "noise"),
        ("三", OPTIONS, "noise"),
        ("4", OPTIONS, ("invalid", "choice_number")),
        ("0", OPTIONS, ("invalid", "choice_number")),
        ("Broken streetlight", OPTIONS, "streetlight"),
        ("路灯损坏", OPTIONS, "streetlight"),
        ("the light outside is broken", OPTIONS, "streetlight"),
        ("楼下太吵了", OPTIONS, "noise"),
        ("light noise at night", OPTIONS, "noise"),  # the longest matching word wins
        ("a cat", OPTIONS, ("invalid", "choice_unknown")),
        ("9:30", SLOTS, "09:30"),
        ("2:30pm", SLOTS, "14:30"),
        ("下午两点半", SLOTS, ("invalid", "choice_unknown")),
        ("下午2点半", SLOTS, "14:30"),
        ("9点", SLOTS, "09:00"),
    ],
)
def test_choice_validator(text: str, params: dict[str, Any], expected: Any) -> None:
    assert run("choice", text, params) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Yes.", True),
        ("y", True),
        ("是", True),
        ("是的", True),
        ("对", True),
        ("no", False),
        ("No!", False),
        ("不是", False),
        ("否", False),
        ("没有", False),
        ("maybe", ("invalid", "yes_no")),
        ("也许吧", ("invalid", "yes_no")),
    ],
)
def test_yes_no_validator(text: str, expected: Any) -> None:
    assert run("yes_no", text) == expected


@pytest.mark.parametrize(
    ("validator", "text", "params", "expected"),
    [
        ("email", "Li.Lei@Example.com", {}, "li.lei@example.com"),
        ("email", "li.lei@example", {}, ("invalid", "email_format")),
        ("email", "li lei@example.com", {}, ("invalid", "email_format")),
        ("email", "@example.com", {}, ("invalid", "email_format")),
        ("postcode", "310000", {}, "310000"),
        ("postcode", "31000", {}, ("invalid", "postcode_format")),
        ("postcode", "3100001", {}, ("invalid", "postcode_format")),
        ("postcode", "31OOOO", {}, ("invalid", "postcode_format")),
        ("bank_account", "6222 0212 3456 7890 123", {}, "6222021234567890123"),
        ("bank_account", "6222", {}, ("invalid", "bank_length")),
        ("bank_account", "6222-abc", {}, ("invalid", "bank_digits")),
        ("text", "short", {"min": 10}, ("invalid", "text_too_short")),
        ("text", "x" * 501, {"max": 500}, ("invalid", "text_too_long")),
        ("text", "  two   spaces  ", {}, "two spaces"),
        ("name", "Li Lei", {}, "Li Lei"),
        ("name", "王小明", {}, "王小明"),
        ("name", "R2D2", {}, ("invalid", "name_digits")),
        ("name", "王", {}, ("invalid", "text_too_short")),
        ("name", "Li <b>Lei</b>", {}, ("invalid", "name_characters")),
    ],
)
def test_format_validators(
    validator: str, text: str, params: dict[str, Any], expected: Any
) -> None:
    assert run(validator, text, params) == expected


def test_location_from_text_or_shared_location() -> None:
    shared = Context(today=TODAY, metadata={"location": {"lat": 30.25, "lon": 120.1667}})
    assert run("location", "", {}, shared) == {"lat": 30.25, "lon": 120.1667}
    assert run("location", "Outside 12 Lake Road", {}) == "Outside 12 Lake Road"
    assert run("location", "x", {}) == ("invalid", "text_too_short")
    bad = Context(today=TODAY, metadata={"location": {"lat": 130, "lon": 0}})
    assert run("location", "", {}, bad) == ("invalid", "text_too_short")


def test_photo_from_metadata_or_skip() -> None:
    photo = Context(today=TODAY, metadata={"photo": {"file_id": "AgAD123"}})
    assert run("photo", "", {}, photo) == {"file_id": "AgAD123"}
    assert run("photo", "skip", {}) == ""
    assert run("photo", "跳过", {}) == ""
    assert run("photo", "here it is", {}) == ("invalid", "photo_expected")


def test_every_reason_has_both_languages() -> None:
    from actions.validators.reasons import REASONS, reason_text

    for key, variants in REASONS.items():
        assert set(variants) == {"en", "zh"}, key
    text = reason_text("date_not_exist", "en", {"year": 2026, "month": 2, "day": 30})
    assert text == "That date does not exist: 2026-02 has no day 30."
    assert isinstance(run("date", "2026-02-30"), tuple)
    assert not isinstance(VALIDATORS["date"]("2026-02-30", {}, CTX), Valid)
    assert isinstance(VALIDATORS["date"]("2026-02-30", {}, CTX), Invalid)


@pytest.mark.parametrize(
    ("validator", "text", "expected"),
    [
        ("name", "多少钱", ("invalid", "name_question")),
        ("name", "how much is it?", ("invalid", "name_question")),
        ("name", "昨天", ("invalid", "name_time")),
        ("name", "tomorrow", ("invalid", "name_time")),
        ("name", "Li Ming 2", ("invalid", "name_digits")),
        ("name", "张小明", "张小明"),
        ("id_number", f"她的身份证是{VALID_ID}", VALID_ID),
        ("id_number", f"my id is {VALID_ID} ok", VALID_ID),
        ("bank_account", "the card number is 6222 0212 3456 7890", "6222021234567890"),
        ("postcode", "邮编是310000", "310000"),
        ("email", "my email is Sam@Example.com", "sam@example.com"),
    ],
)
def test_answers_inside_sentences_and_what_is_not_a_name(
    validator: str, text: str, expected: Any
) -> None:
    assert run(validator, text, {}) == expected


@pytest.mark.parametrize(
    ("text", "skip"),
    [
        ("skip", True),
        ("i dont have email", True),
        ("I don't know", True),
        ("no photo sorry", True),
        ("不知道", True),
        ("没有邮箱", True),
        ("跳过吧", True),
        ("310000", False),
        ("sam@example.com", False),
    ],
)
def test_what_skips_an_optional_question(text: str, skip: bool) -> None:
    assert is_skip(text) is skip
