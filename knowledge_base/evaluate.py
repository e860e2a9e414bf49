"""Evaluation of the search + decision path on any query set of the shared eval format.

Ranking metrics (recall_at_1, recall_at_5, mrr_at_10, map) are over in-scope queries only.
``map`` is mean average precision over the top 10 documents, divided by the number of relevant
documents (so a query with two relevant documents needs both in the top 10 for AP = 1).

``decision_accuracy`` is over all queries: an in-scope query counts as right only when the
outcome is ``answer`` and hits[0] is relevant; an out-of-scope query counts as right only when
the outcome is ``decline``. ``clarify`` counts as not answered: wrong for in-scope queries
(even if a relevant guide is among the candidates) and wrong for out-of-scope ones, so the
figure is strict; ``clarify_rate`` and ``clarify_recall`` (share of clarified in-scope queries
whose candidates contain a relevant guide) are reported alongside.

``two_way_accuracy``: over all queries, a decision is right when it answers a query whose top
document is relevant or declines one whose top document is not (out of scope, or a wrong top
document); ``three_way_accuracy`` also counts a clarify as right when a relevant document is
among its three candidates (never for an out-of-scope query). These are the figures the
decision model optimises (see decision.outcome_correct).

``oos_auroc`` (only when the set has out-of-scope queries): AUROC of the confidence for
in-scope (positive) vs out-of-scope (negative) queries. Latency is the search's own
``elapsed_ms`` (one query at a time)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from knowledge_base.dataset import LabelledQuery
from knowledge_base.knowledge_base import KnowledgeBase, SearchResult


@dataclass(frozen=True)
class EvalReport:
    queries: int
    in_scope: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    map: float
    decision_accuracy: float
    two_way_accuracy: float
    three_way_accuracy: float
    oos_auroc: float | None
    p50_ms: float
    p95_ms: float
    clarify_rate: float
    clarify_recall: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def average_precision(ranked: list[str], relevant: set[str], depth: int = 10) -> float:
    hits, total = 0, 0.0
    for position, doc_id in enumerate(ranked[:depth], 1):
        if doc_id in relevant:
            hits += 1
            total += hits / position
    return total / len(relevant) if relevant else 0.0


def auroc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    pos, neg = np.asarray(positives), np.asarray(negatives)
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def score(queries: list[LabelledQuery], results: list[SearchResult]) -> EvalReport:
    """Metrics of already computed results (results[i] answers queries[i])."""
    r1 = r5 = mrr = ap = 0.0
    right = clarified = clarified_in = clarified_found = two_way = three_way = 0
    conf_in: list[float] = []
    conf_out: list[float] = []
    for query, result in zip(queries, results, strict=True):
        ranked = [hit.guide_id for hit in result.hits]
        relevant = set(query.relevant)
        clarified += result.outcome == "clarify"
        top1 = bool(ranked) and ranked[0] in relevant
        two_way += (result.outcome == "answer") == top1
        three_way += (
            (result.outcome == "answer" and top1)
            or (result.outcome == "clarify" and bool(relevant & set(ranked[:3])))
            or (result.outcome == "decline" and not top1)
        )
        if query.in_scope:
            conf_in.append(result.confidence)
            first = next((i for i, d in enumerate(ranked[:10]) if d in relevant), None)
            if first is not None:
                r1 += first == 0
                r5 += first < 5
                mrr += 1.0 / (first + 1)
            ap += average_precision(ranked, relevant)
            right += result.outcome == "answer" and bool(ranked) and ranked[0] in relevant
            if result.outcome == "clarify":
                clarified_in += 1
                clarified_found += bool(relevant & set(ranked[:3]))
        else:
            conf_out.append(result.confidence)
            right += result.outcome == "decline"
    n_in = max(len(conf_in), 1)
    latencies = np.array([r.elapsed_ms for r in results]) if results else np.zeros(1)
    return EvalReport(
        queries=len(queries),
        in_scope=len(conf_in),
        recall_at_1=r1 / n_in,
        recall_at_5=r5 / n_in,
        mrr_at_10=mrr / n_in,
        map=ap / n_in,
        decision_accuracy=right / max(len(queries), 1),
        two_way_accuracy=two_way / max(len(queries), 1),
        three_way_accuracy=three_way / max(len(queries), 1),
        oos_auroc=auroc(conf_in, conf_out) if conf_out and conf_in else None,
        p50_ms=float(np.percentile(latencies, 50)),
        p95_ms=float(np.percentile(latencies, 95)),
        clarify_rate=clarified / max(len(queries), 1),
        clarify_recall=clarified_found / clarified_in if clarified_in else None,
    )


def evaluate(kb: KnowledgeBase, queries: list[LabelledQuery], depth: int = 10) -> EvalReport:
    """Run every query through kb.search (one at a time) and score the results."""
    results = [kb.search(q.query, q.lang, top_k=depth) for q in queries]
    return score(queries, results)
