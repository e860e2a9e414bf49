"""Why an answer was not accepted, in words a citizen understands (English and Chinese)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REASONS: dict[str, dict[str, str]] = {
    "date_unreadable": {
        "en": "I couldn't read that as a date. Please write it like 2026-03-05, '5 March', "
        "'tomorrow' or 'next Monday'.",
        "zh": "没能识别这个日期。请这样写：2026-03-05、3月5日、明天、下周一。",
    },
    "date_ambiguous": {
        "en": "A date like 03/05/2026 can be read two ways. Please write it as 2026-03-05 or "
        "'5 March 2026'.",
        "zh": "“03/05/2026”这种写法看不出是几月几号。请写成2026-03-05或2026年3月5日。",
    },
    "date_not_exist": {
        "en": "That date does not exist: {year}-{month:02d} has no day {day}.",
        "zh": "这个日期不存在：{year}年{month}月没有{day}日。",
    },
    "date_in_past": {
        "en": "That date has already passed. The first date you can pick is {earliest}.",
        "zh": "这个日期已经过去了，最早可以选 {earliest}。",
    },
    "date_too_early": {
        "en": "That date is too far in the past; the earliest accepted is {earliest}.",
        "zh": "这个日期太早了，最早只能是 {earliest}。",
    },
    "date_in_future": {
        "en": "That date is in the future. Please give a date up to {latest}.",
        "zh": "这个日期在将来，请填写 {latest} 或更早的日期。",
    },
    "date_too_far": {
        "en": "That is too far ahead: you can choose a date up to {days} days from today "
        "(until {latest}).",
        "zh": "日期太远了。只能选今天起{days}天以内的日期（{latest}之前）。",
    },
    "date_closed": {
        "en": "Service centres are closed on that day ({date}). Please choose another day.",
        "zh": "{date} 服务中心不开放，请另选一天。",
    },
    "age_too_low": {
        "en": "This is only for people aged {min_age} or over (that date gives {age}).",
        "zh": "仅限{min_age}周岁及以上人员申请（按这个日期是{age}岁）。",
    },
    "age_too_high": {
        "en": "That date would make the person older than {max_age}. Please check the year.",
        "zh": "按这个日期年龄超过{max_age}岁，请核对年份。",
    },
    "dob_mismatch_id": {
        "en": "This date of birth doesn't match the one in the ID number you gave. Please check.",
        "zh": "出生日期与您填写的身份证号码中的出生日期不一致，请核对。",
    },
    "id_characters": {
        "en": "An ID number has 17 digits and then a digit or the letter X.",
        "zh": "身份证号码由17位数字加1位数字或字母X组成。",
    },
    "id_length": {
        "en": "An ID number has 18 characters; you gave {count}.",
        "zh": "身份证号码应为18位，您输入了{count}位。",
    },
    "id_region": {
        "en": "The first two digits of this ID number are not a valid region code.",
        "zh": "身份证号码前两位不是有效的地区代码。",
    },
    "id_birth_date": {
        "en": "Digits 7 to 14 of an ID number are the date of birth, and here they are not a "
        "valid date.",
        "zh": "身份证号码第7到14位是出生日期，这里不是有效日期。",
    },
    "id_checksum": {
        "en": "This ID number is not valid: the last character doesn't match the others "
        "(check digit). Please check for a typo.",
        "zh": "身份证号码校验位不正确，请检查是否有输错的数字。",
    },
    "id_mismatch_dob": {
        "en": "The date of birth in this ID number doesn't match the date of birth you gave "
        "({dob}).",
        "zh": "身份证号码中的出生日期与您填写的出生日期（{dob}）不一致。",
    },
    "phone_not_digits": {
        "en": "Please use only digits for a phone number. Spaces and dashes are OK.",
        "zh": "电话号码只能包含数字（可以有空格或横线）。",
    },
    "mobile_length": {
        "en": "A mobile number has 11 digits; you gave {count}.",
        "zh": "手机号码应为11位，您输入了{count}位。",
    },
    "mobile_prefix": {
        "en": "A mobile number starts with 13 to 19.",
        "zh": "手机号码应以13至19开头。",
    },
    "mobile_required": {
        "en": "Please give a mobile number (11 digits starting with 1) so we can text you.",
        "zh": "请填写手机号码（1开头的11位数字），以便接收短信。",
    },
    "landline_format": {
        "en": "A landline number is the area code starting with 0 and then 7 or 8 digits, "
        "like 0571-88001234.",
        "zh": "固定电话是区号加7到8位号码。区号以0开头，例如 0571-88001234。",
    },
    "phone_format": {
        "en": "That isn't a phone number: give a mobile (11 digits starting with 1) or a "
        "landline with its area code.",
        "zh": "这不是电话号码。请填写手机号（1开头，11位），或带区号的固定电话。",
    },
    "email_format": {
        "en": "That isn't an email address; it should look like name@example.com.",
        "zh": "邮箱地址格式不正确，应类似 name@example.com。",
    },
    "postcode_format": {
        "en": "A postcode has 6 digits, like 310000.",
        "zh": "邮政编码为6位数字，例如 310000。",
    },
    "bank_digits": {
        "en": "Please use only digits for a bank account number.",
        "zh": "银行账号只能包含数字。",
    },
    "bank_length": {
        "en": "A bank account number has 12 to 19 digits; you gave {count}.",
        "zh": "银行账号应为12到19位数字，您输入了{count}位。",
    },
    "text_too_short": {
        "en": "That is too short: please write at least {min} characters.",
        "zh": "内容太短了，请至少填写{min}个字。",
    },
    "text_too_long": {
        "en": "That is too long ({count} characters): please keep it under {max}.",
        "zh": "内容太长了（{count}个字），请控制在{max}个字以内。",
    },
    "name_digits": {
        "en": "A name can't contain digits.",
        "zh": "姓名中不能包含数字。",
    },
    "name_question": {
        "en": "That looks like a question, not a name. Please write the name only.",
        "zh": "这像是一个问题，不是姓名。请只写姓名。",
    },
    "name_time": {
        "en": "'{word}' is a time word, not a name. Please write the name only.",
        "zh": "“{word}”是表示时间的词，不是姓名。请只写姓名。",
    },
    "name_characters": {
        "en": "A name can only have letters, spaces, dots (·) and hyphens (-).",
        "zh": "姓名只能包含文字、空格、间隔号或连字符。",
    },
    "choice_number": {
        "en": "Please choose a number from 1 to {count}.",
        "zh": "请选择1到{count}之间的数字。",
    },
    "choice_unknown": {
        "en": "That isn't one of the choices. Type its number (1 to {count}) or its name.",
        "zh": "这不在可选项中，请输入选项编号（1到{count}）或名称。",
    },
    "choice_ambiguous": {
        "en": "That fits more than one choice. Please type the number (1 to {count}).",
        "zh": "这符合多个选项，请直接输入编号（1到{count}）。",
    },
    "yes_no": {
        "en": "Please answer yes or no.",
        "zh": "请回答“是”或“否”。",
    },
    "photo_expected": {
        "en": "I didn't get a photo. Send one with the paperclip/camera button, or type 'skip'.",
        "zh": "没有收到照片。请通过附件或相机按钮发送照片，或输入“跳过”。",
    },
}


def reason_text(reason: str, lang: str, details: Mapping[str, Any]) -> str:
    variants = REASONS[reason]
    template = variants.get(lang) or variants["en"]
    try:
        return template.format(**details)
    except (KeyError, IndexError, ValueError):
        return template
