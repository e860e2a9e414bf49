"""The answer / clarify / decline decision: a small logistic-regression model over per-query
features (fused top score, margin, raw cosine, prototype cosine, kNN vote share, BM25 match
share, agreement of the signals; see fusion._features) that estimates P(the top document is
right), and two thresholds on that confidence.

Everything here comes from :func:`fit_decision` on labelled calibration queries; nothing is a
guessed constant. Without a calibration that matches the settings, the knowledge base never
answers on its own: it offers candidates (clarify) or declines when there is no hit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from knowledge_base.errors import CalibrationError

Outcome = Literal["answer", "clarify", "decline"]
CLARIFY_OOS_COST = 2.0  # offering candidates for an out-of-scope query costs this many wins


@dataclass(frozen=True)
class DecisionModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    answer_threshold: float
    clarify_threshold: float
    settings: str  # fingerprint of the language settings it was fitted with

    def confidence(self, features: dict[str, float]) -> float:
        z = self.intercept
        for name, mean, scale, coef in zip(
            self.features, self.mean, self.scale, self.coef, strict=True
        ):
            z += coef * (features.get(name, 0.0) - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def decide(self, confidence: float) -> Outcome:
        if confidence >= self.answer_threshold:
            return "answer"
        if confidence >= self.clarify_threshold:
            return "clarify"
        return "decline"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DecisionModel:
        try:
            return cls(
                features=tuple(data["features"]),
                mean=tuple(float(v) for v in data["mean"]),
                scale=tuple(float(v) for v in data["scale"]),
                coef=tuple(float(v) for v in data["coef"]),
                intercept=float(data["intercept"]),
                answer_threshold=float(data["answer_threshold"]),
                clarify_threshold=float(data["clarify_threshold"]),
                settings=str(data["settings"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(f"malformed decision model: {exc}") from exc


@dataclass(frozen=True)
class Observation:
    """One calibration query: its features, whether top-1 was relevant, whether a relevant
    document was in the top 3, and whether the query is in scope at all."""

    features: dict[str, float]
    top1_right: bool
    top3_right: bool
    in_scope: bool


def fit_decision(observations: Sequence[Observation], settings: str) -> DecisionModel:
    """Fit the logistic model, then pick the answer threshold that maximises decision accuracy
    (answer iff right) and the clarify threshold that maximises (in-scope queries whose relevant
    guide is among the top 3) - CLARIFY_OOS_COST x (out-of-scope queries) inside the band."""
    from sklearn.linear_model import LogisticRegression

    labels = np.array([o.top1_right for o in observations])
    if len(observations) < 10 or labels.all() or not labels.any():
        raise CalibrationError(
            f"need >= 10 calibration queries with both right and wrong top-1 results "
            f"(got {len(observations)}, {int(labels.sum())} right)"
        )
    names = tuple(sorted(observations[0].features))
    x = np.array([[o.features.get(n, 0.0) for n in names] for o in observations], np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    model.fit((x - mean) / scale, labels)
    draft = DecisionModel(
        names,
        tuple(mean.tolist()),
        tuple(scale.tolist()),
        tuple(model.coef_[0].tolist()),
        float(model.intercept_[0]),
        0.5,
        0.5,
        settings,
    )
    conf = np.array([draft.confidence(o.features) for o in observations])
    answer_t = _best_answer_threshold(conf, observations)
    clarify_t = _best_clarify_threshold(conf, observations, answer_t)
    return DecisionModel(
        names, draft.mean, draft.scale, draft.coef, draft.intercept, answer_t, clarify_t, settings
    )


def _midpoints(values: np.ndarray[Any, Any]) -> list[float]:
    ordered = np.unique(values)
    return [float(v) for v in (ordered[:-1] + ordered[1:]) / 2] + [float(ordered[-1]) + 1e-9]


def _best_answer_threshold(conf: np.ndarray[Any, Any], obs: Sequence[Observation]) -> float:
    right = np.array([o.top1_right for o in obs])
    oos = np.array([not o.in_scope for o in obs])
    best, best_t = -1.0, 0.5
    for t in _midpoints(conf):
        answered = conf >= t
        accuracy = float(np.mean((answered & right) | (~answered & oos)))
        if accuracy > best:
            best, best_t = accuracy, t
    return best_t


def _best_clarify_threshold(
    conf: np.ndarray[Any, Any], obs: Sequence[Observation], answer_t: float
) -> float:
    gain_each = np.array(
        [(1.0 if o.top3_right else 0.0) if o.in_scope else -CLARIFY_OOS_COST for o in obs]
    )
    best, best_t = 0.0, answer_t
    for t in _midpoints(conf[conf < answer_t]) if (conf < answer_t).any() else []:
        band = (conf >= t) & (conf < answer_t)
        gain = float(gain_each[band].sum())
        if gain > best:
            best, best_t = gain, t
    return best_t
