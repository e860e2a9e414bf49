"""Search settings: which embedding model(s) per language and how signals are fused.

Ranking fuses per-query z-normalised document scores:
``score = bm25_weight * z(bm25) + sum(w_i * z(dense_i))`` where a document's BM25 score is its
best chunk and its dense score is ``best chunk + knn_weight * mean(its knn best question-like
chunks) + proto_weight * cosine(its prototype)`` (see fusion.py). The defaults are the
configuration bench/kb_select.py chose per language on all development sets together (mean MAP
over the language's sets, among BM25 weights, dense models and weights, and aggregations);
each set held out, the choice made on the others is reported in the README."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from knowledge_base.embedders import check_model_spec
from knowledge_base.errors import SearchConfigError

DEFAULT_CALIBRATION = Path(__file__).resolve().parent / "calibration.json"
DEFAULT_ZERO_SHOT = Path(__file__).resolve().parent / "zero_shot.json"


@dataclass(frozen=True)
class LanguageSettings:
    """Signals for queries in one language: BM25 plus zero or more dense models, and how a
    document aggregates its chunks' cosines (``proto_weight``, ``knn_weight``, ``knn``)."""

    models: tuple[str, ...]
    bm25_weight: float
    dense_weights: tuple[float, ...]
    proto_weight: float = 0.0
    knn_weight: float = 0.0
    knn: int = 5

    def __post_init__(self) -> None:
        if len(self.models) != len(self.dense_weights):
            raise SearchConfigError("dense_weights", "needs one weight per model")
        if self.bm25_weight < 0 or any(w < 0 for w in self.dense_weights):
            raise SearchConfigError("weights", "fusion weights must be >= 0")
        if self.proto_weight < 0 or self.knn_weight < 0 or self.knn < 1:
            raise SearchConfigError("proto_weight/knn", "must be >= 0 (knn >= 1)")
        if self.bm25_weight == 0 and not any(self.dense_weights):
            raise SearchConfigError("weights", "at least one signal needs a positive weight")


DEFAULT_EN = LanguageSettings(
    models=("e5", "mpnet"),
    bm25_weight=0.1,
    dense_weights=(0.25, 1.0),
    proto_weight=0.25,
    knn_weight=1.0,
    knn=5,
)
DEFAULT_ZH = LanguageSettings(
    models=("use", "e5"),
    bm25_weight=0.1,
    dense_weights=(1.0, 0.5),
    proto_weight=0.5,
    knn_weight=1.0,
    knn=5,
)


@dataclass(frozen=True)
class SearchConfig:
    """All search settings. ``candidates`` = documents considered per query (k)."""

    en: LanguageSettings = DEFAULT_EN
    zh: LanguageSettings = DEFAULT_ZH
    candidates: int = 10
    cross_lingual: bool = True
    calibration_path: Path = field(default=DEFAULT_CALIBRATION, compare=False)
    zero_shot_path: Path = field(default=DEFAULT_ZERO_SHOT, compare=False)

    def language(self, lang: str) -> LanguageSettings:
        return self.zh if lang == "zh" else self.en

    def with_language(self, lang: str, settings: LanguageSettings) -> SearchConfig:
        return replace(self, zh=settings) if lang == "zh" else replace(self, en=settings)

    def all_models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.en.models + self.zh.models))

    def fingerprint(self) -> str:
        """Hash of everything that changes the index or the ranking (not the calibration path)."""
        data = asdict(self)
        data.pop("calibration_path")
        data.pop("zero_shot_path")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SearchConfig:
        """Read CIVIC_KB_MODEL_EN / CIVIC_KB_MODEL_ZH (builtin name - minilm, mpnet, e5, use, none -
        or a sentence-transformers model directory; several joined with '+'),
        CIVIC_KB_BM25_WEIGHT_EN / _ZH (a float >= 0), CIVIC_KB_CANDIDATES (int >= 1) and
        CIVIC_KB_CALIBRATION (a JSON file path). A malformed value raises SearchConfigError naming
        the variable."""
        config = cls()
        for lang in ("en", "zh"):
            settings = config.language(lang)
            model_var, weight_var = (
                f"CIVIC_KB_MODEL_{lang.upper()}",
                f"CIVIC_KB_BM25_WEIGHT_{lang.upper()}",
            )
            models, dense_weights = settings.models, settings.dense_weights
            bm25_weight = settings.bm25_weight
            if environ.get(model_var, "").strip():
                specs = [check_model_spec(s, model_var) for s in environ[model_var].split("+")]
                if tuple(s for s in specs if s != "none") != models:
                    models = tuple(s for s in specs if s != "none")
                    dense_weights = (1.0,) * len(models)
            if environ.get(weight_var, "").strip():
                bm25_weight = _float(environ[weight_var], weight_var)
            try:
                settings = replace(
                    settings, models=models, bm25_weight=bm25_weight, dense_weights=dense_weights
                )
            except SearchConfigError as exc:
                raise SearchConfigError(f"{model_var}/{weight_var}", exc.args[0]) from exc
            config = config.with_language(lang, settings)
        if environ.get("CIVIC_KB_CANDIDATES", "").strip():
            raw = environ["CIVIC_KB_CANDIDATES"]
            if not raw.strip().isdigit() or int(raw) < 1:
                raise SearchConfigError("CIVIC_KB_CANDIDATES", f"{raw!r} is not a positive integer")
            config = replace(config, candidates=int(raw))
        if environ.get("CIVIC_KB_CALIBRATION", "").strip():
            config = replace(config, calibration_path=Path(environ["CIVIC_KB_CALIBRATION"]))
        return config


def _float(raw: str, variable: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SearchConfigError(variable, f"{raw!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise SearchConfigError(variable, f"{raw!r} must be a finite number >= 0")
    return value
