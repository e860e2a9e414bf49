"""Prometheus metrics of the bot's own outcomes (served at /metrics by the gateway)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

OUTCOMES = Counter(
    "civic_bot_outcomes_total",
    "What citizen turns came to (answered, clarified, declined, handed_off, form_*)",
    ["outcome", "lang", "channel"],
)
FORM_STEPS = Counter(
    "civic_bot_form_steps_total", "Form questions asked (step 0 is the summary)", ["form", "step"]
)
FORM_DROPOUTS = Counter(
    "civic_bot_form_dropouts_total",
    "Forms left before submitting, at a step: cancelled, paused, handed to a person, or left"
    " (no answer for longer than the session idle time, CIVIC_SESSION_IDLE_MIN)",
    ["form", "step", "reason"],
)
FORM_INVALID = Counter(
    "civic_bot_form_validation_failures_total", "Form answers refused", ["form", "field"]
)
SEARCH_SECONDS = Histogram(
    "civic_kb_search_seconds",
    "Knowledge-base search time of answered, clarified and declined questions",
    ["lang"],
    buckets=(0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0),
)
