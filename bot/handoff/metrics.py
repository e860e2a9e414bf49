"""Prometheus metrics of the handoff queue (served at /metrics by the gateway).

Counters and histograms are per gateway process (Prometheus sums the replicas); the queue
length is read from Redis at scrape time, so every replica reports the same shared value.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

BUCKETS = (15, 30, 60, 120, 180, 300, 600, 900, 1800, 3600, 7200)

TICKETS = Counter(
    "civic_handoff_tickets_total", "Handoff tickets opened", ["team", "priority", "kind"]
)
EVENTS = Counter("civic_handoff_events_total", "Handoff timing events appended", ["kind"])
PICKUP = Histogram(
    "civic_handoff_pickup_seconds",
    "Time from the handoff request to the first claim",
    ["priority"],
    buckets=BUCKETS,
)
AGENT_REPLY = Histogram(
    "civic_handoff_agent_reply_seconds",
    "Time from a citizen message (or the claim) to the agent's reply",
    buckets=BUCKETS,
)
SLA_BREACHES = Counter(
    "civic_handoff_pickup_sla_breaches_total",
    "Tickets picked up later than their priority's target",
    ["priority"],
)
QUEUE_LENGTH = Gauge("civic_handoff_queue_length", "Tickets waiting in the queue", ["team"])
HELD = Gauge("civic_handoff_tickets_held", "Tickets currently held by an agent")
