"""Decision models on file.

- The zero-shot model (``knowledge_base/zero_shot.json``, written by ``bench/kb_decide.py``):
  one model fitted across several development corpora on features in corpus units (see
  reference.py), so it decides on a corpus it never saw. Used whenever no calibration applies.
- An optional per-deployment calibration (``civic kb calibrate``: labelled queries of the
  city's own, through the real search path, one model per language, written to
  ``knowledge_base/calibration.json`` or ``CIVIC_KB_CALIBRATION``). Its models record the
  settings they were fitted with; a model fitted with other settings is ignored (the zero-shot
  model decides instead)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge_base.config import LanguageSettings, SearchConfig
from knowledge_base.dataset import LabelledQuery
from knowledge_base.decision import DecisionModel, Observation, fit_decision
from knowledge_base.errors import CalibrationError

if TYPE_CHECKING:
    from knowledge_base.knowledge_base import KnowledgeBase

FORMAT = 1


def settings_key(settings: LanguageSettings) -> str:
    blob = json.dumps(asdict(settings), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def observe(kb: KnowledgeBase, queries: list[LabelledQuery]) -> dict[str, list[Observation]]:
    """Features and outcomes of each query through the real ranking, grouped by language."""
    out: dict[str, list[Observation]] = {}
    for query in queries:
        ranking = kb.rank(query.query, query.lang)
        top = [kb.index.doc_ids[int(d)] for d in ranking.order[:3]]
        relevant = set(query.relevant)
        out.setdefault(query.lang, []).append(
            Observation(
                features=ranking.features,
                top1_right=bool(top) and top[0] in relevant,
                top3_right=bool(relevant & set(top)),
                in_scope=query.in_scope,
            )
        )
    return out


def calibrate(
    kb: KnowledgeBase, queries: list[LabelledQuery], path: Path | None = None
) -> dict[str, DecisionModel]:
    """Fit a decision model per language on the queries; write them to ``path`` if given."""
    decisions = {
        lang: fit_decision(obs, settings_key(kb.config.language(lang)))
        for lang, obs in sorted(observe(kb, queries).items())
    }
    if path is not None:
        save_decisions(path, decisions, {lang: len(o) for lang, o in observe_counts(queries)})
    return decisions


def observe_counts(queries: list[LabelledQuery]) -> list[tuple[str, list[LabelledQuery]]]:
    by_lang: dict[str, list[LabelledQuery]] = {}
    for query in queries:
        by_lang.setdefault(query.lang, []).append(query)
    return sorted(by_lang.items())


def save_decisions(
    path: Path, decisions: dict[str, DecisionModel], counts: dict[str, int] | None = None
) -> None:
    data: dict[str, Any] = {
        "format": FORMAT,
        "kind": "calibration",
        "note": "written by `civic kb calibrate` (knowledge_base.calibration.calibrate); "
        "do not edit by hand",
        "queries": counts or {},
        "languages": {lang: model.to_json() for lang, model in decisions.items()},
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


def served_fingerprint(index_fingerprint: str, config: SearchConfig) -> str:
    """What a knowledge base serves: its index's fingerprint, and the calibration file's content
    when there is one (so `civic kb reload` after `civic kb calibrate` switches the action
    servers to the new decisions, and waits until each one has)."""
    try:
        stamp = hashlib.sha256(config.calibration_path.read_bytes()).hexdigest()
    except OSError:  # no calibration: the zero-shot model decides
        return index_fingerprint
    return hashlib.sha256(f"{index_fingerprint}:{stamp}".encode()).hexdigest()[:16]


def load_decisions(config: SearchConfig) -> dict[str, DecisionModel]:
    """Decision models from config.calibration_path (empty when the file does not exist)."""
    path = config.calibration_path
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
        languages = data["languages"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CalibrationError(f"{path}: unreadable calibration file: {exc}") from exc
    return {lang: DecisionModel.from_json(model) for lang, model in languages.items()}


ANY_SETTINGS = "any"


# What the zero-shot model's features and fit are computed by: when one of these changes, the
# model must be fitted again (bench/kb_decide.py --write); a test compares this hash with the
# one the shipped model was written with.
FEATURE_CODE = ("fusion.py", "reference.py", "index.py", "documents.py", "text.py", "decision.py")


def feature_code() -> str:
    here = Path(__file__).resolve().parent
    blob = b"".join((here / name).read_bytes() for name in FEATURE_CODE)
    return hashlib.sha256(blob).hexdigest()[:16]


def save_zero_shot(path: Path, model: DecisionModel, corpora: dict[str, int]) -> None:
    data: dict[str, Any] = {
        "format": FORMAT,
        "kind": "zero-shot",
        "note": "written by bench/kb_decide.py --write; fitted across the corpora listed, "
        "on features in corpus units; do not edit by hand",
        "corpora": corpora,
        "feature_code": feature_code(),
        "model": model.to_json(),
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


def load_zero_shot(config: SearchConfig) -> DecisionModel | None:
    """The zero-shot decision model (None when its file does not exist)."""
    path = config.zero_shot_path
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        return DecisionModel.from_json(data["model"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CalibrationError(f"{path}: unreadable zero-shot decision file: {exc}") from exc
