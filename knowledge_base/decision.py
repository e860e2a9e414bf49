"""The answer / clarify / decline decision: two small logistic-regression models over per-query
features (see fusion._features), whose product estimates P(the top document is right):

- scope: P(the question is in scope at all), from the absolute-level features (how close the
  best document and its prototype are, in units of the corpus's own near-miss scores);
- right: P(the top document is right | in scope), from all features (margins, votes, ...).

Then two thresholds on that confidence: answer above the first, clarify (offer candidates)
between the two, decline below. Everything comes from :func:`fit_decision` on labelled queries
(several corpora for the zero-shot model, or one deployment's own); nothing is a guessed
constant. A query set without out-of-scope queries fits the right model only."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from knowledge_base.errors import CalibrationError

Outcome = Literal["answer", "clarify", "decline"]
CLARIFY_MARGIN = 0.005  # a clarify band must add this much three-way accuracy to exist
SCOPE_FEATURES = ("dense_top", "proto_top")


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


@dataclass(frozen=True)
class DecisionModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    answer_threshold: float
    clarify_threshold: float
    settings: str  # fingerprint of the language settings it was fitted with ("any": zero-shot)
    scope_coef: tuple[float, ...] = ()  # empty: no scope model
    scope_intercept: float = 0.0

    def _linear(self, features: dict[str, float], coefs: tuple[float, ...]) -> float:
        z = 0.0
        for name, mean, scale, coef in zip(
            self.features, self.mean, self.scale, coefs, strict=True
        ):
            # a feature that cannot be measured for this query counts as its fitting mean
            # (no evidence either way), e.g. BM25's for a guide in another language
            z += coef * (features.get(name, mean) - mean) / scale
        return z

    def confidence(self, features: dict[str, float]) -> float:
        right = _sigmoid(self.intercept + self._linear(features, self.coef))
        if not self.scope_coef:
            return right
        return right * _sigmoid(self.scope_intercept + self._linear(features, self.scope_coef))

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
                scope_coef=tuple(float(v) for v in data.get("scope_coef", ())),
                scope_intercept=float(data.get("scope_intercept", 0.0)),
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


def _balanced_weights(labels: np.ndarray[Any, Any], group: np.ndarray[Any, Any]) -> Any:
    """Every corpus weighs the same, and within it both classes weigh the same."""
    weight = np.zeros(len(labels))
    for name in np.unique(group):
        for value in (True, False):
            cell = (group == name) & (labels == value)
            if cell.any():
                weight[cell] = 1.0 / cell.sum()
    return weight * len(weight) / weight.sum()


def _logistic(x: Any, labels: Any, weight: Any) -> tuple[list[float], float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(x, labels, sample_weight=weight)
    return model.coef_[0].tolist(), float(model.intercept_[0])


def fit_decision(
    observations: Sequence[Observation],
    settings: str,
    groups: Sequence[str] | None = None,
    clarify: bool = True,
    scope_features: Sequence[str] = SCOPE_FEATURES,
) -> DecisionModel:
    """Fit the right model (on the in-scope queries when there are out-of-scope ones, else on
    all) and the scope model (on the corpora that have out-of-scope queries, over
    ``scope_features``), then pick the answer threshold that maximises two-way accuracy (answer
    iff the top document is right, else decline) and the clarify threshold that maximises
    three-way accuracy (see :func:`outcome_correct`; ``clarify=False``: no band).

    ``groups`` names the corpus of each observation: every corpus then weighs the same in the
    fits and the thresholds maximise the mean of the per-corpus accuracies, so a model fitted
    across several corpora is not the model of the largest one."""
    labels = np.array([o.top1_right for o in observations])
    in_scope = np.array([o.in_scope for o in observations])
    if len(observations) < 10 or labels.all() or not labels.any():
        raise CalibrationError(
            f"need >= 10 calibration queries with both right and wrong top-1 results "
            f"(got {len(observations)}, {int(labels.sum())} right)"
        )
    group = np.array(list(groups) if groups is not None else ["all"] * len(observations))
    names = tuple(sorted(set().union(*(o.features for o in observations))))
    x = np.array([[o.features.get(n, np.nan) for n in names] for o in observations], np.float64)
    mean = np.nan_to_num(np.nanmean(x, axis=0)) if np.isnan(x).any() else x.mean(axis=0)
    x = np.where(np.isnan(x), mean, x)  # a feature a query lacks counts as the mean (see _linear)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = (x - mean) / scale
    has_oos = np.array([(~in_scope[group == g]).any() for g in group])
    rows = in_scope if (~in_scope).any() and not labels[in_scope].all() else np.ones_like(in_scope)
    coef, intercept = _logistic(x[rows], labels[rows], _balanced_weights(labels[rows], group[rows]))
    scope_coef: tuple[float, ...] = ()
    scope_intercept = 0.0
    if (~in_scope).any():
        used = [i for i, n in enumerate(names) if n in scope_features]
        part, scope_intercept = _logistic(
            x[has_oos][:, used],
            in_scope[has_oos],
            _balanced_weights(in_scope[has_oos], group[has_oos]),
        )
        full = [0.0] * len(names)
        for i, value in zip(used, part, strict=True):
            full[i] = value
        scope_coef = tuple(full)
    draft = DecisionModel(
        names,
        tuple(mean.tolist()),
        tuple(scale.tolist()),
        tuple(coef),
        intercept,
        0.5,
        0.5,
        settings,
        scope_coef,
        scope_intercept,
    )
    conf = np.array([draft.confidence(o.features) for o in observations])
    answer_t = _best_answer_threshold(conf, observations, group)
    clarify_t = (
        _best_clarify_threshold(conf, observations, answer_t, group) if clarify else answer_t
    )
    return DecisionModel(
        names,
        draft.mean,
        draft.scale,
        draft.coef,
        draft.intercept,
        answer_t,
        clarify_t,
        settings,
        scope_coef,
        scope_intercept,
    )


def _midpoints(values: np.ndarray[Any, Any], most: int = 1000) -> list[float]:
    """Candidate thresholds: midpoints between distinct values (at most ``most`` of them,
    evenly spaced in rank, for large fits)."""
    ordered = np.unique(values)
    if len(ordered) > most:
        ordered = ordered[np.linspace(0, len(ordered) - 1, most).round().astype(int)]
    return [float(v) for v in (ordered[:-1] + ordered[1:]) / 2] + [float(ordered[-1]) + 1e-9]


def outcome_correct(
    answered: np.ndarray[Any, Any],
    clarified: np.ndarray[Any, Any],
    obs: Sequence[Observation],
) -> np.ndarray[Any, Any]:
    """Which decisions are right. Answering is right iff the top document is relevant;
    declining is right iff it is not (out of scope, or a wrong top document); a clarify is right
    iff a relevant document is among its three candidates (so never for an out-of-scope query)."""
    right = np.array([o.top1_right for o in obs])
    top3 = np.array([o.top3_right for o in obs])
    declined = ~answered & ~clarified
    result: np.ndarray[Any, Any] = (answered & right) | (clarified & top3) | (declined & ~right)
    return result


def _group_accuracy(correct: np.ndarray[Any, Any], members: list[np.ndarray[Any, Any]]) -> float:
    return float(np.mean([correct[m].mean() for m in members]))


def _best_answer_threshold(
    conf: np.ndarray[Any, Any], obs: Sequence[Observation], group: np.ndarray[Any, Any]
) -> float:
    members = [group == name for name in np.unique(group)]
    none = np.zeros(len(obs), bool)
    best, best_t = -1.0, 0.5
    for t in _midpoints(conf):
        accuracy = _group_accuracy(outcome_correct(conf >= t, none, obs), members)
        if accuracy > best:
            best, best_t = accuracy, t
    return best_t


def _best_clarify_threshold(
    conf: np.ndarray[Any, Any],
    obs: Sequence[Observation],
    answer_t: float,
    group: np.ndarray[Any, Any],
) -> float:
    """The lower edge of the clarify band that maximises three-way accuracy (per-corpus mean);
    the band stays empty unless it beats answering-or-declining by more than CLARIFY_MARGIN."""
    members = [group == name for name in np.unique(group)]
    answered = conf >= answer_t
    best = _group_accuracy(outcome_correct(answered, np.zeros(len(obs), bool), obs), members)
    best += CLARIFY_MARGIN
    best_t = answer_t
    for t in _midpoints(conf[conf < answer_t]) if (conf < answer_t).any() else []:
        band = (conf >= t) & ~answered
        accuracy = _group_accuracy(outcome_correct(answered, band, obs), members)
        if accuracy > best:
            best, best_t = accuracy, t
    return best_t
