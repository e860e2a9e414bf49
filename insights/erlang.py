"""Agents needed per interval: Erlang C (M/M/n, everyone waits) and Erlang A (M/M/n+M, people
give up after an exponential patience).

Erlang C (the textbook formulas): with offered load A = arrival rate x handling time (erlangs)
and n > A agents, the probability of waiting is

    C(n, A) = (A^n / n! * n / (n - A)) / (sum_{k<n} A^k / k! + A^n / n! * n / (n - A))

computed through Erlang B's recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)) and
C = n B / (n - A (1 - B)) (no factorials, stable for hundreds of agents); the service level
(answered within t) is 1 - C e^{-(n - A) t / h} and the average speed of answer C h / (n - A).

Erlang A has no closed form that is easy to trust, so it is computed from its birth-death chain:
states k = people in the system, births at rate lambda, deaths at k mu up to n and n mu +
(k - n) theta above (theta = 1 / mean patience), truncated where the tail is negligible. A
newcomer who finds k >= n waits for k - n + 1 departures ahead of it, each phase exponential
with rate n mu + j theta (j people still ahead of it); it is served within t if that wait is at
most t and its own patience outlasts it, i.e. E[e^{-theta V} 1{V <= t}], which is the
distribution of the same chain with every rate raised by theta, scaled by the product of
r_j / (r_j + theta) (exponential tilting). The pure-death chain's distribution at t comes from
one matrix exponential (scipy). With theta -> 0 it gives Erlang C (tested).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm


def erlang_b(n: int, load: float) -> float:
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(n: int, load: float) -> float:
    """Probability that a newcomer waits (1 when n <= load: the queue never empties)."""
    if load <= 0:
        return 0.0
    if n <= load:
        return 1.0
    b = erlang_b(n, load)
    return n * b / (n - load * (1 - b))


def service_level_c(n: int, load: float, handle_s: float, target_s: float) -> float:
    """Share answered within target_s under Erlang C."""
    if load <= 0:
        return 1.0
    if n <= load:
        return 0.0
    return 1.0 - erlang_c(n, load) * math.exp(-(n - load) * target_s / handle_s)


def asa_c(n: int, load: float, handle_s: float) -> float:
    """Average speed of answer (seconds) under Erlang C."""
    if load <= 0:
        return 0.0
    if n <= load:
        return math.inf
    return erlang_c(n, load) * handle_s / (n - load)


@dataclass(frozen=True)
class ErlangA:
    """Erlang A figures for n agents."""

    served_within: float  # share of newcomers picked up within the target
    abandon: float  # share who give up before they are picked up
    wait_probability: float  # share who find every agent busy


def erlang_a(
    n: int, rate_per_s: float, handle_s: float, patience_s: float, target_s: float
) -> ErlangA:
    """M/M/n+M: arrivals per second, mean handling time, mean patience, the target wait."""
    if rate_per_s <= 0:
        return ErlangA(1.0, 0.0, 0.0)
    if n <= 0:
        return ErlangA(0.0, 1.0, 1.0)
    lam, mu, theta = rate_per_s, 1.0 / handle_s, 1.0 / patience_s
    # stationary distribution up to a truncation where the queue's terms have died out
    weights = [1.0]
    k = 0
    while True:
        k += 1
        death = min(k, n) * mu + max(0, k - n) * theta
        weights.append(weights[-1] * lam / death)
        if k > n and (weights[-1] < 1e-16 * sum(weights) or k - n > 5000):
            break
    total = sum(weights)
    p = np.array(weights) / total
    queue_max = len(weights) - 1 - n  # most people found waiting
    wait_probability = float(p[n:].sum())
    # a newcomer finding k = n + m (m >= 0 waiting) goes through phases j = m..0
    rates = np.array([n * mu + j * theta for j in range(queue_max + 1)])
    tilted = rates + theta
    size = queue_max + 2  # phases 0..queue_max, then "served"
    q = np.zeros((size, size))
    for j in range(queue_max + 1):
        nxt = j - 1 if j > 0 else size - 1
        q[j, j] = -tilted[j]
        q[j, nxt] = tilted[j]
    reached = expm(q * target_s)[: queue_max + 1, size - 1]
    scale = np.cumprod(rates / tilted)  # product over phases 0..m
    served_within = float(p[:n].sum() + (p[n:] * scale * reached).sum())
    # abandonment: the rate theta x mean queue length over the arrival rate
    queue_lengths = np.arange(queue_max + 1)
    abandon = float(theta * (p[n:] * queue_lengths).sum() / lam)
    return ErlangA(served_within, abandon, wait_probability)


@dataclass(frozen=True)
class Staffing:
    load_erlangs: float
    agents_c: int  # people at their desks (chats divided among concurrent slots)
    agents_a: int
    service_level_c: float
    service_level_a: float
    abandon_a: float


def agents_needed(
    arrivals: float,
    interval_s: float,
    handle_s: float,
    target_s: float,
    service_level: float,
    concurrency: int = 1,
    patience_s: float | None = None,
) -> Staffing:
    """Fewest agents meeting the service level in an interval with `arrivals` expected.

    An agent handling `concurrency` chats at once is `concurrency` servers of the queue (the
    workload in erlangs divided by the chats per agent, rounded up to whole people)."""
    rate = arrivals / interval_s
    load = rate * handle_s
    if arrivals <= 0:
        return Staffing(0.0, 0, 0, 1.0, 1.0, 0.0)
    servers = max(1, math.floor(load) + 1)
    while service_level_c(servers, load, handle_s, target_s) < service_level:
        servers += 1
    sl_c = service_level_c(servers, load, handle_s, target_s)
    patience = patience_s if patience_s is not None else math.inf
    if math.isinf(patience):
        servers_a, figures = servers, ErlangA(sl_c, 0.0, erlang_c(servers, load))
    else:
        servers_a = 1
        figures = erlang_a(servers_a, rate, handle_s, patience, target_s)
        while figures.served_within < service_level:
            servers_a += 1
            figures = erlang_a(servers_a, rate, handle_s, patience, target_s)
    return Staffing(
        load_erlangs=round(load, 4),
        agents_c=math.ceil(servers / concurrency),
        agents_a=math.ceil(servers_a / concurrency),
        service_level_c=round(sl_c, 4),
        service_level_a=round(figures.served_within, 4),
        abandon_a=round(figures.abandon, 4),
    )
