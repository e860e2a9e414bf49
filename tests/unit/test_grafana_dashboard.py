"""deploy/grafana/civic-insights.json queries only metrics the gateway exports, with their
labels, and is a dashboard Grafana can import (ids, grid positions, one datasource input)."""

from __future__ import annotations

import json
import re

from prometheus_client import REGISTRY

import bot.handoff.metrics
import bot.outcomes.metrics
from bot.settings import PROJECT_ROOT

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "civic-insights.json"


def exported() -> dict[str, set[str]]:
    """Sample names -> label names, as /metrics serves them."""
    names: dict[str, set[str]] = {}
    for family in REGISTRY.collect():
        for sample in family.samples:
            names.setdefault(sample.name, set()).update(sample.labels)
        names.setdefault(family.name, set())
    return names


def test_every_query_names_an_exported_metric_and_its_labels() -> None:
    bot.outcomes.metrics.OUTCOMES.labels("answered", "en", "rest")  # a sample to list labels
    bot.outcomes.metrics.FORM_STEPS.labels("f", "1")
    bot.outcomes.metrics.FORM_DROPOUTS.labels("f", "1", "cancelled")
    bot.outcomes.metrics.FORM_INVALID.labels("f", "x")
    bot.outcomes.metrics.SEARCH_SECONDS.labels("en")
    bot.handoff.metrics.QUEUE_LENGTH.labels("general")
    bot.handoff.metrics.PICKUP.labels("0")
    known = exported()
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels) >= 8
    for panel in panels:
        assert panel["datasource"]["uid"] == "${datasource}"
        for target in panel["targets"]:
            expr = target["expr"]
            metrics = re.findall(r"\bcivic_[a-z_]+", expr)
            assert metrics, expr
            for name in metrics:
                assert name in known, f"{name} is not exported (panel {panel['title']!r})"
                for label in re.findall(r"by \(([^)]*)\)", expr):
                    wanted = {x.strip() for x in label.split(",")} - {"le"}
                    assert wanted <= known[name], (name, wanted, known[name])
