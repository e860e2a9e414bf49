"""Unanswered questions grouped by meaning, for editors (`civic insights cluster`).

- Questions: declined and clarified questions (outcome events) of the last N days whose
  transcript message still exists (retention removes the text, and with it the question), each
  flagged when the same citizen was handed to a person later in the same session.
- Meaning: the knowledge base's own dense models for the question's language (English MiniLM +
  USE, Chinese USE, or whatever CIVIC_KB_MODEL_* configures), their normalised vectors joined
  with the square roots of their fusion weights, so a dot product is the weighted cosine.
- Groups: agglomerative clustering per language, average linkage on cosine distance, cut at
  DISTANCE (scikit-learn). A question alone is a group of one.
- Each group: its size, the questions of the last 7 days against the 7 before (trend), up to
  five examples nearest its centre, and the nearest guide: the knowledge base's own search for
  the example nearest the centre, with its fused score.
- A run replaces the groups in SQL; an editor's mark (new guide needed, covered by guide X,
  out of scope) carries over to the new group holding at least half of a marked group's
  questions that are still there.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, select

from bot.masking import mask_text
from bot.settings import PROJECT_ROOT
from bot.storage.db import Database
from bot.storage.models import OutcomeEvent, QuestionCluster, TranscriptMessage

DISTANCE = 0.45  # cosine distance at which groups stop merging
EXAMPLES = 5
STATUSES = ("open", "new_guide", "covered", "out_of_scope")

Embed = Callable[[str, list[str]], np.ndarray]  # (lang, texts) -> unit vectors
Nearest = Callable[[str, str], tuple[str | None, float | None]]  # (lang, text) -> guide, score


@dataclass(frozen=True)
class Question:
    message_id: int
    text: str
    lang: str
    at: datetime
    kind: str  # declined | clarified
    handed_off: bool


def unanswered(db: Database, since: datetime, until: datetime, idle_s: int) -> list[Question]:
    """The declined and clarified questions in [since, until) whose text is still kept."""
    with db.session() as session:
        rows = session.execute(
            select(OutcomeEvent, TranscriptMessage.text)
            .join(TranscriptMessage, TranscriptMessage.id == OutcomeEvent.message_id)
            .where(
                OutcomeEvent.kind.in_(("declined", "clarified")),
                OutcomeEvent.at >= since,
                OutcomeEvent.at < until,
            )
            .order_by(OutcomeEvent.at, OutcomeEvent.id)
        ).all()
        subjects = {event.subject for event, _ in rows}
        handoffs: dict[str, list[datetime]] = {}
        if subjects:
            for subject, at in session.execute(
                select(OutcomeEvent.subject, OutcomeEvent.at).where(
                    OutcomeEvent.kind == "handed_off",
                    OutcomeEvent.subject.in_(subjects),
                    OutcomeEvent.at >= since,
                )
            ):
                handoffs.setdefault(subject, []).append(at)
    out = []
    for event, text in rows:
        later = [at for at in handoffs.get(event.subject, []) if event.at <= at]
        handed = bool(later) and (min(later) - event.at).total_seconds() <= idle_s
        out.append(Question(event.message_id or 0, text, event.lang, event.at, event.kind, handed))
    return out


def group(vectors: np.ndarray, distance: float = DISTANCE) -> list[int]:
    """Cluster labels (0..k-1) of unit vectors: average linkage on cosine distance."""
    if len(vectors) == 0:
        return []
    if len(vectors) == 1:
        return [0]
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance
    )
    return [int(label) for label in model.fit_predict(vectors)]


def build_clusters(
    questions: Sequence[Question], embed: Embed, nearest: Nearest, now: datetime
) -> list[dict[str, Any]]:
    """The groups of one run (plain dicts in QuestionCluster's columns), largest first."""
    week = timedelta(days=7)
    clusters: list[dict[str, Any]] = []
    for lang in sorted({q.lang for q in questions}):
        members = [q for q in questions if q.lang == lang]
        vectors = embed(lang, [q.text for q in members])
        labels = group(vectors)
        for label in sorted(set(labels)):
            idx = [i for i, lab in enumerate(labels) if lab == label]
            centre = vectors[idx].mean(axis=0)
            centre = centre / (np.linalg.norm(centre) or 1.0)
            order = sorted(idx, key=lambda i: (-float(vectors[i] @ centre), members[i].message_id))
            guide, score = nearest(lang, members[order[0]].text)
            clusters.append(
                {
                    "lang": lang,
                    "size": len(idx),
                    "recent": sum(1 for i in idx if members[i].at >= now - week),
                    "previous": sum(1 for i in idx if now - 2 * week <= members[i].at < now - week),
                    "message_ids": sorted(members[i].message_id for i in idx),
                    "examples": [members[i].message_id for i in order[:EXAMPLES]],
                    "guide": guide,
                    "guide_score": None if score is None else round(float(score), 4),
                }
            )
    clusters.sort(key=lambda c: (-c["size"], c["lang"], c["message_ids"][0]))
    return clusters


def carry_marks(old: Sequence[QuestionCluster], new: list[dict[str, Any]]) -> None:
    """Copy each marked old group's mark to the new group with at least half of its questions."""
    for previous in old:
        if previous.status == "open":
            continue
        members = set(previous.message_ids)
        best = max(new, key=lambda c: len(members & set(c["message_ids"])), default=None)
        if best is None:
            continue
        kept = members & {m for c in new for m in c["message_ids"]}
        if kept and len(kept & set(best["message_ids"])) * 2 >= len(kept):
            best.update(
                status=previous.status,
                covered_by=previous.covered_by,
                marked_by=previous.marked_by,
                marked_at=previous.marked_at,
            )


def store(db: Database, clusters: list[dict[str, Any]], now: datetime) -> None:
    with db.session() as session:
        old = session.scalars(select(QuestionCluster)).all()
        carry_marks(old, clusters)
        session.execute(delete(QuestionCluster))
        for c in clusters:
            session.add(QuestionCluster(run_at=now, **{"status": "open", **c}))


def kb_embed() -> Embed:
    """The knowledge base's dense models per language (see the module's docstring)."""
    from knowledge_base import SearchConfig
    from knowledge_base.embedders import make_embedder

    config = SearchConfig.from_env(os.environ)

    def embed(lang: str, texts: list[str]) -> np.ndarray:
        settings = config.language(lang)
        parts = []
        for spec, weight in zip(settings.models, settings.dense_weights, strict=True):
            embedder = make_embedder(spec)
            if embedder is not None and weight > 0:
                parts.append(math.sqrt(weight) * np.asarray(embedder.embed_queries(texts)))
        if not parts:
            raise RuntimeError(f"no dense model configured for {lang}: cannot cluster")
        joined = np.concatenate(parts, axis=1)
        unit: np.ndarray = joined / np.linalg.norm(joined, axis=1, keepdims=True)
        return unit

    return embed


def guides_dir() -> Path:
    return Path(os.environ.get("CIVIC_GUIDES_DIR") or PROJECT_ROOT / "knowledge_base" / "guides")


def kb_nearest() -> Nearest:
    from knowledge_base import KnowledgeBase, SearchConfig

    var_dir = Path(os.environ.get("CIVIC_VAR_DIR") or PROJECT_ROOT / "var")
    index_dir = Path(os.environ.get("CIVIC_INDEX_DIR") or var_dir / "index" / "guides")
    kb = KnowledgeBase.open(guides_dir(), index_dir, SearchConfig.from_env(os.environ))

    def nearest(lang: str, text: str) -> tuple[str | None, float | None]:
        hits = kb.search(text, lang).hits
        return (hits[0].guide_id, hits[0].score) if hits else (None, None)

    return nearest


def run_clustering(
    db: Database,
    now: datetime,
    days: int = 28,
    idle_s: int = 1800,
    embed: Embed | None = None,
    nearest: Nearest | None = None,
) -> dict[str, Any]:
    questions = unanswered(db, now - timedelta(days=days), now, idle_s)
    clusters = build_clusters(
        questions, embed or kb_embed(), nearest or kb_nearest(), now
    ) if questions else []  # fmt: skip
    store(db, clusters, now)
    return {"questions": len(questions), "clusters": len(clusters), "days": days}


def texts(db: Database, ids: Sequence[int]) -> dict[int, str]:
    """Message texts by id (masked: ID and phone numbers), for those the transcript still has."""
    if not ids:
        return {}
    with db.session() as session:
        rows = session.execute(
            select(TranscriptMessage.id, TranscriptMessage.text).where(
                TranscriptMessage.id.in_(list(ids))
            )
        ).all()
    return {r.id: mask_text(r.text) for r in rows}


def list_clusters(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        rows = session.scalars(select(QuestionCluster).order_by(QuestionCluster.id)).all()
    shown = texts(db, [i for c in rows for i in c.examples])
    return [
        {
            "id": c.id,
            "lang": c.lang,
            "size": c.size,
            "recent": c.recent,
            "previous": c.previous,
            "trend": c.recent - c.previous,
            "examples": [shown[i] for i in c.examples if i in shown],
            "guide": c.guide,
            "guide_score": c.guide_score,
            "status": c.status,
            "covered_by": c.covered_by,
            "marked_by": c.marked_by,
            "marked_at": c.marked_at.isoformat() if c.marked_at else None,
            "run_at": c.run_at.isoformat(),
        }
        for c in rows
    ]


class MarkError(ValueError):
    pass


def mark(
    db: Database, cluster_id: int, status: str, editor: str, now: datetime, guide: str | None
) -> None:
    """An editor's decision on a group; `covered` needs the guide that covers it."""
    if status not in STATUSES:
        raise MarkError(f"status must be one of {', '.join(STATUSES)}")
    if status == "covered" and not guide:
        raise MarkError("'covered' needs the guide that covers the questions")
    with db.session() as session:
        cluster = session.get(QuestionCluster, cluster_id)
        if cluster is None:
            raise KeyError(cluster_id)
        if status == "covered" and guide and not _guide_path(cluster.lang, guide).is_file():
            raise MarkError(f"no guide {guide!r} in {cluster.lang}")
        cluster.status = status
        cluster.covered_by = guide if status == "covered" else None
        cluster.marked_by, cluster.marked_at = editor, now


def _guide_path(lang: str, guide: str) -> Path:
    if not guide.replace("-", "").isalnum() or guide != guide.lower():
        raise MarkError(f"not a guide id: {guide!r}")
    return guides_dir() / lang / f"{guide}.md"


def guide_patch(db: Database, cluster_id: int, guide: str | None = None) -> str:
    """The group's questions added to a guide's `questions:` list, as a unified diff that
    `git apply` takes (paths relative to the repository). Texts are masked; questions the
    guide already has are not added again."""
    with db.session() as session:
        cluster = session.get(QuestionCluster, cluster_id)
        if cluster is None:
            raise KeyError(cluster_id)
        lang, target = cluster.lang, guide or cluster.covered_by or cluster.guide
        ids = list(cluster.message_ids)
    if not target:
        raise MarkError("no guide to add the questions to")
    path = _guide_path(lang, target)
    if not path.is_file():
        raise MarkError(f"no guide {target!r} in {lang}")
    before = path.read_text(encoding="utf-8")
    lines = before.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "questions:"), None)
    if start is None:
        raise MarkError(f"guide {target!r} has no questions list")
    end = start + 1
    while end < len(lines) and lines[end].startswith("  - "):
        end += 1
    present = {line[4:].strip().strip('"').lower() for line in lines[start + 1 : end]}
    found = texts(db, ids)
    added = []
    for message_id in ids:
        text = " ".join(found.get(message_id, "").split())
        if text and text.lower() not in present:
            present.add(text.lower())
            added.append(f"  - {_yaml_string(text)}\n")
    after = "".join([*lines[:end], *added, *lines[end:]])
    name = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )


def _yaml_string(text: str) -> str:
    """A YAML scalar for a list item: plain when safe, else double-quoted."""
    import json

    plain = text[0].isalnum() and not any(ch in text for ch in ":#\"'{}[],&*!|>%@`")
    return text if plain else json.dumps(text, ensure_ascii=False)
