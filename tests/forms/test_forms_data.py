"""Data consistency of every form: rules table, domain file, Rasa rules, NLU and guides agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.forms.spec import CONFIRM_SLOT, FormSpec, forms, load_forms
from actions.validators import EXTRACTORS, VALIDATORS
from tests.conftest import ROOT

DOMAIN = ROOT / "intents" / "domain"
FORMS = forms()


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _domain_keys(key: str) -> set[str]:
    found: set[str] = set()
    for path in DOMAIN.rglob("*.yml"):
        found |= set((_yaml(path) or {}).get(key) or ())
    return found


def test_the_five_required_forms_exist() -> None:
    assert {
        "report_street_problem",
        "book_appointment",
        "apply_old_age_allowance",
        "renew_residence_permit",
        "register_birth",
    } <= set(FORMS)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_domain_file_matches_the_rules_table(name: str) -> None:
    spec: FormSpec = FORMS[name]
    domain = _yaml(DOMAIN / "forms" / f"{name}.yml")
    assert f"validate_{name}" in domain["actions"]
    assert domain["forms"][name]["required_slots"] == [*spec.slots, CONFIRM_SLOT]
    assert set(domain["slots"]) == set(spec.slots), "slots and rules fields differ"
    for slot, definition in domain["slots"].items():
        assert definition["mappings"] == [{"type": "custom"}], slot
        assert definition.get("influence_conversation") is False, slot
    responses = domain["responses"]
    assert set(responses) == {f"utter_ask_{s}" for s in spec.slots}
    for field in spec.fields:
        variants = responses[f"utter_ask_{field.slot}"]
        zh = [v for v in variants if v.get("condition")]
        en = [v for v in variants if not v.get("condition")]
        assert len(zh) == 1 and len(en) == 1, f"{field.slot}: one en and one zh question"
        assert zh[0]["condition"] == [{"type": "slot", "name": "lang", "value": "zh"}]
        for variant in (*zh, *en):
            assert variant["text"].startswith("{form_progress}"), field.slot
            assert len(variant["text"]) > len("{form_progress}") + 3
        if field.validator == "choice":
            options = field.params["options"]
            for lang, variant in (("en", en[0]), ("zh", zh[0])):
                assert [b["title"] for b in variant["buttons"]] == [o[lang] for o in options]
                assert [b["payload"] for b in variant["buttons"]] == [
                    str(i + 1) for i in range(len(options))
                ]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_validators_and_parameters_are_known(name: str) -> None:
    spec = FORMS[name]
    names = {f.name for f in spec.fields}
    for field in spec.fields:
        assert field.validator in VALIDATORS
        assert not field.prefill or field.validator in EXTRACTORS
        for key in ("date_of_birth_field", "id_number_field"):
            if key in field.params:
                assert field.params[key] in names, f"{field.name}: {key} names no field"
        assert field.aliases, f"{field.name}: needs words to say 'change <field>'"
        assert field.label["en"] and field.label["zh"]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_form_is_started_and_finished_by_rules(name: str) -> None:
    spec = FORMS[name]
    rules = _yaml(ROOT / "intents" / "rules" / "forms.yml")["rules"]
    starts = [
        r for r in rules if r["steps"][:2] == [{"intent": spec.start_intent}, {"action": name}]
    ]
    finishes = [
        r
        for r in rules
        if r.get("condition") == [{"active_loop": name}]
        and r["steps"][-1] == {"action": "action_finish_form"}
    ]
    assert len(starts) == 1 and len(finishes) == 1
    assert spec.start_intent in _domain_keys("intents")
    for lang in ("en", "zh"):
        nlu = _yaml(ROOT / "intents" / "nlu" / f"{lang}.yml")["nlu"]
        assert any(item.get("intent") == spec.start_intent for item in nlu), lang


def test_shared_form_actions_and_slots_are_declared() -> None:
    actions = _domain_keys("actions")
    assert {
        "action_ask_form_confirm",
        "action_finish_form",
        "action_resume_form",
        "action_check_case_status",
    } <= actions
    assert {"form_confirm", "form_progress", "form_status", "form_draft"} <= _domain_keys("slots")


def test_every_guide_form_exists_and_every_form_has_a_guide() -> None:
    named: set[str] = set()
    for path in (ROOT / "knowledge_base" / "guides").glob("*/*.md"):
        front = path.read_text(encoding="utf-8").split("---")[1]
        form = (yaml.safe_load(front) or {}).get("form")
        if form:
            named.add(form)
            assert form in FORMS, f"{path.name} links an unknown form {form!r}"
    assert set(FORMS) <= named


def test_a_malformed_rules_table_is_refused(tmp_path: Path) -> None:
    from actions.forms.spec import FormSpecError

    (tmp_path / "broken.yml").write_text(
        "form: broken\nstart_intent: x\ntitle: {en: a, zh: b}\n"
        "fields:\n  - field: f\n    label: {en: f, zh: f}\n    validator: telepathy\n"
    )
    with pytest.raises(FormSpecError, match="unknown validator 'telepathy'"):
        load_forms(tmp_path)
