"""A form's turns decided from data alone (no Rasa): pre-fill, invalid then valid answers,
questions in between, change, cancel, pause, the summary."""

from __future__ import annotations

from datetime import date
from typing import Any

from actions.forms.engine import decide
from actions.forms.spec import forms
from actions.forms.summary import summary_text
from actions.forms.turn import Outcome, Turn
from actions.validators.id_number import check_character

TODAY = date(2026, 12, 1)
ID = "11010519440312001" + check_character("11010519440312001")


class Draft:
    """Plays one citizen through one form, keeping the slots like Rasa would."""

    def __init__(self, form: str, lang: str = "en") -> None:
        self.spec = forms()[form]
        self.lang = lang
        self.slots: dict[str, Any] = {}

    def say(
        self,
        text: str,
        fresh: bool = True,
        intent: str | None = None,
        confidence: float = 0.0,
        metadata: dict[str, Any] | None = None,
    ) -> Outcome:
        turn = Turn(text, fresh, self.lang, TODAY, intent, confidence, metadata or {})
        outcome = decide(self.spec, self.slots, turn)
        if not outcome.reject:
            self.slots.update(outcome.slots)
        return outcome

    def value(self, field: str) -> Any:
        return self.slots.get(f"{self.spec.name}_{field}")

    @property
    def asking(self) -> str | None:
        slot = self.slots.get("requested_slot")
        return slot.removeprefix(self.spec.name + "_") if slot else None


def test_prefill_from_the_first_message_skips_those_questions() -> None:
    form = Draft("book_appointment")
    form.say("book me a passport appointment for tomorrow, my mobile is 138 1234 5678")
    assert form.value("service") == "passport"
    assert form.value("date") == "2026-12-02"
    assert form.value("phone") == "13812345678"
    assert form.asking == "time_slot"
    assert form.slots["form_progress"] == "Step 3 of 5:"


def test_prefill_ignores_what_does_not_validate() -> None:
    form = Draft("apply_old_age_allowance")
    wrong_check = ID[:17] + ("0" if ID[-1] != "0" else "1")
    form.say(f"apply for the old-age allowance, ID {wrong_check}")
    assert form.value("id_number") is None
    form = Draft("apply_old_age_allowance")
    form.say(f"apply for the old-age allowance, my ID is {ID}")
    assert form.value("id_number") == ID
    assert form.asking == "name"


def test_an_invalid_answer_gives_the_reason_and_keeps_earlier_answers() -> None:
    form = Draft("apply_old_age_allowance", "zh")
    form.say("申请高龄津贴")
    form.say("王秀英")
    out = form.say(ID[:17] + ("0" if ID[-1] != "0" else "1"))
    assert "校验位" in out.messages[0].text
    assert form.value("name") == "王秀英" and form.asking == "id_number"
    assert form.slots["form_progress"] == "第2步，共6步："
    form.say(ID)  # the ID number holds the date of birth: it is not asked again
    assert form.value("date_of_birth") == "1944-03-12" and form.asking == "address"
    out = form.say("change date of birth to 1944年3月13日")
    assert form.value("date_of_birth") is None and form.asking == "date_of_birth"
    out = form.say("1944年3月13日")
    assert "不一致" in out.messages[0].text and form.asking == "date_of_birth"
    form.say("1944年3月12日")
    assert form.asking == "address"


def test_a_question_is_left_to_the_knowledge_base_and_the_step_is_kept() -> None:
    form = Draft("report_street_problem")
    form.say("I want to report a broken streetlight")
    assert form.value("type") == "streetlight" and form.asking == "location"
    out = form.say("how long does a repair take?", intent="ask_question", confidence=0.97)
    assert out.reject
    back = form.say("", fresh=False)  # the form comes back after the answer
    assert not back.reject and form.asking == "location" and not back.messages


def test_change_any_field_by_saying_so_then_back_to_the_summary() -> None:
    form = Draft("book_appointment")
    for text in ("book an appointment", "1", "next monday", "9:30", "Li Lei", "13812345678"):
        form.say(text)
    assert form.asking == "form_confirm"
    form.say("change my phone number")
    assert form.asking == "phone" and form.value("phone") is None
    assert form.value("name") == "Li Lei"
    form.say("13900001111")
    assert form.asking == "form_confirm"
    form.say("change the time to 10:30")
    assert form.value("time_slot") == "10:30" and form.asking == "form_confirm"
    out = form.say("yes")
    assert out.deactivate and form.slots["form_status"] == "confirmed"


def test_change_in_chinese_and_by_picking_from_the_list() -> None:
    form = Draft("book_appointment", "zh")
    for text in ("我要预约", "护照", "明天", "下午2点半", "李雷", "13812345678"):
        form.say(text)
    form.say("修改电话")
    assert form.asking == "phone"
    form.say("13900001111")
    out = form.say("不对")
    assert out.messages[0].text == "您想修改哪一项？"
    assert [b["title"] for b in out.messages[0].buttons][:2] == ["办理事项", "日期"]
    form.say("修改姓名")
    assert form.asking == "name"


def test_cancel_at_any_step_clears_the_draft() -> None:
    form = Draft("register_birth")
    form.say("register my baby's birth")
    form.say("王小宝")
    out = form.say("cancel")
    assert out.deactivate and form.slots["form_status"] == "cancelled"
    assert form.value("baby_name") is None


def test_pause_keeps_the_answers_and_a_later_start_resumes_them() -> None:
    form = Draft("register_birth")
    form.say("register my baby's birth")
    form.say("Wang Xiaobao")
    out = form.say("pause")
    assert out.deactivate and form.slots["form_status"] == "paused"
    assert form.value("baby_name") == "Wang Xiaobao"
    form.slots["requested_slot"] = None  # Rasa ends the form
    out = form.say("register birth")
    assert "Welcome back" in out.messages[0].text
    assert form.asking == "baby_sex"


def test_shared_location_and_photo_come_from_metadata() -> None:
    form = Draft("report_street_problem")
    form.say("report a pothole")
    form.say("", metadata={"location": {"lat": 30.25, "lon": 120.17}})
    assert form.value("location") == {"lat": 30.25, "lon": 120.17}
    form.say("A deep hole in the middle of the cycle lane")
    form.say("", metadata={"photo": {"file_id": "AgAD"}})
    assert form.value("photo") == {"file_id": "AgAD"}
    summary = summary_text(form.spec, form.slots, "en")
    assert "30.25, 120.17 (shared location)" in summary and "photo attached" in summary


def test_the_summary_lists_every_answer_in_the_citizens_language() -> None:
    form = Draft("register_birth", "zh")
    for text in ("给宝宝上户口", "王小宝", "1", "昨天", ID, "是", "邮寄"):
        form.say(text)
    assert form.asking == "post_address"  # 'by post' needs an address
    for text in ("湖滨市港湾路18号3单元", "13812345678"):
        form.say(text)
    assert form.asking == "form_confirm"
    text = summary_text(form.spec, form.slots, "zh")
    for expected in (
        "婴儿姓名: 王小宝",
        "性别: 男",
        "2026-11-30 (星期一)",
        "父母是否已婚: 是",
        "邮寄到家",
        "邮寄地址: 湖滨市港湾路18号3单元",
        "确认",
    ):
        assert expected in text


def test_the_field_sees_a_message_before_the_general_intents() -> None:
    form = Draft("book_appointment")
    form.say("book an appointment")
    form.say("passport")
    assert form.asking == "date"
    # the NLU has never seen a date and is sure it is 'goodbye': the field reads it first
    out = form.say("31/02/2027", intent="goodbye", confidence=0.98)
    assert not out.reject and "does not exist" in out.messages[0].text
    out = form.say("bye", intent="goodbye", confidence=0.98)
    assert out.reject  # real small talk is still the general rules'


def test_a_second_wrong_answer_brings_an_example_and_a_person() -> None:
    form = Draft("renew_residence_permit")
    for text in ("renew my residence permit", "Li Na", ID, "next monday", "8 Lake Road, Lakeside"):
        form.say(text)
    assert form.asking == "postcode"
    out = form.say("3100")
    assert len(out.messages) == 1
    out = form.say("31000")
    assert "310000" in out.messages[1].text
    assert out.messages[1].buttons[0]["payload"] == "/request_human"
    form.say("310000")
    out = form.say("I don't have one")  # the email is optional
    assert form.value("email") == "" and form.asking == "phone"


def test_corrections_at_the_summary_by_field_words_or_by_value() -> None:
    form = Draft("book_appointment", "zh")
    for text in ("预约下周一上午9点办护照", "王小红", "13900001111"):
        form.say(text)
    assert form.asking == "form_confirm"
    form.say("名字写错了，要改")
    assert form.asking == "name" and form.value("name") is None
    form.say("王晓红")
    assert form.asking == "form_confirm"
    form.say("yes the phone number is correct")  # praise names a field but changes nothing
    assert form.asking == "form_confirm" and form.value("phone") == "13900001111"
    form.say("13900001111")
    assert form.asking == "phone"


def test_continue_inside_a_form_carries_on() -> None:
    form = Draft("report_street_problem")
    form.say("report a problem")
    out = form.say("continue", intent="resume", confidence=0.99)
    assert not out.reject and form.asking == "type" and "still on" in out.messages[0].text


def test_the_time_slot_question_listens_to_the_part_of_the_day() -> None:
    form = Draft("book_appointment", "zh")
    form.say("我要预约下周一办护照")
    assert form.asking == "time_slot"
    out = form.say("下午", intent="greet", confidence=0.97)
    assert not out.reject and not out.messages and form.asking == "time_slot"
