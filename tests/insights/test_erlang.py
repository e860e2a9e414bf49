"""Erlang C against published worked examples and tables; Erlang A against Erlang C in the limit
of infinite patience and against its own definition."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from insights.erlang import agents_needed, asa_c, erlang_a, erlang_b, erlang_c, service_level_c


def test_call_centre_helper_worked_example() -> None:
    """Call Centre Helper (callcentrehelper.com), "Erlang C Formula - Made Simple With an Easy
    Worked Example": 100 calls per half
    hour, 180 s handling time, 80% answered within 20 s. Traffic intensity 10 erlangs; with 11
    agents the probability of waiting is 68.21% and the service level 39.0%; 14 agents are the
    first to reach 80% (88.8%) before shrinkage."""
    load = 100 * 180 / 1800
    assert load == 10
    assert erlang_c(11, load) == pytest.approx(0.6821, abs=5e-5)
    assert service_level_c(11, load, 180, 20) == pytest.approx(0.390, abs=5e-4)
    assert service_level_c(13, load, 180, 20) < 0.8 < service_level_c(14, load, 180, 20)
    assert service_level_c(14, load, 180, 20) == pytest.approx(0.888, abs=5e-4)
    staff = agents_needed(100, 1800, 180, 20, 0.8)
    assert (staff.load_erlangs, staff.agents_c) == (10.0, 14)


def _erlang_c_exact(n: int, load: int) -> Fraction:
    """An independent Erlang C: the textbook closed form in exact rational arithmetic."""
    a = Fraction(load)
    top = a**n / math.factorial(n) * Fraction(n, 1) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize(
    ("n", "wait", "level", "asa"),
    [  # A = 10 erlangs, 180 s handling, 20 s target: the worked example's figures per n
        (11, 0.6821, 0.3896, 122.78),
        (12, 0.4494, 0.6402, 40.44),
        (13, 0.2853, 0.7956, 17.12),
        (14, 0.1741, 0.8884, 7.84),
        (15, 0.1020, 0.9415, 3.67),
    ],
)
def test_worked_example_figures_by_an_independent_formula(
    n: int, wait: float, level: float, asa: float
) -> None:
    """The expected figures above are checked twice: against the exact closed form (so the
    table itself is right) and against the implementation (Erlang B recursion)."""
    exact = float(_erlang_c_exact(n, 10))
    exact_level = 1 - exact * math.exp(-(n - 10) * 20 / 180)
    exact_asa = exact * 180 / (n - 10)
    assert exact == pytest.approx(wait, abs=5e-5)
    assert exact_level == pytest.approx(level, abs=5e-5)
    assert exact_asa == pytest.approx(asa, abs=5e-3)
    assert erlang_c(n, 10) == pytest.approx(exact, rel=1e-12)
    assert service_level_c(n, 10, 180, 20) == pytest.approx(exact_level, rel=1e-12)
    assert asa_c(n, 10, 180) == pytest.approx(exact_asa, rel=1e-12)


def test_erlang_b_table() -> None:
    """Erlang B tables (e.g. the table in the ITU/ITC Teletraffic Engineering Handbook, V. B.
    Iversen): 10 erlangs need 18 circuits for 1% blocking (17 give over 1%)."""
    assert erlang_b(18, 10) < 0.01 < erlang_b(17, 10)
    assert erlang_b(1, 1) == 0.5  # A / (1 + A)
    # B(n, A) = (A^n / n!) / sum_{k<=n} A^k / k!, exactly
    for n, load in ((18, 10), (17, 10), (5, 3)):
        exact = Fraction(load**n, math.factorial(n)) / sum(
            Fraction(load**k, math.factorial(k)) for k in range(n + 1)
        )
        assert erlang_b(n, load) == pytest.approx(float(exact), rel=1e-12)
    assert erlang_b(18, 10) == pytest.approx(0.00714, abs=5e-6)  # the published table value


def test_erlang_c_matches_its_closed_form() -> None:
    for n, load in ((3, 2.0), (55, 48.0), (5, 3.0)):
        top = load**n / math.factorial(n) * n / (n - load)
        bottom = sum(load**k / math.factorial(k) for k in range(n)) + top
        assert erlang_c(n, load) == pytest.approx(top / bottom, rel=1e-12)
    assert asa_c(3, 2.0, 60) == pytest.approx(erlang_c(3, 2.0) * 60 / 1)
    assert erlang_c(10, 10) == 1.0 and service_level_c(10, 10, 60, 20) == 0.0


@pytest.mark.parametrize("n", [11, 12, 14, 16])
def test_erlang_a_with_endless_patience_is_erlang_c(n: int) -> None:
    a = erlang_a(n, 100 / 1800, 180, 1e12, 20)
    assert a.served_within == pytest.approx(service_level_c(n, 10, 180, 20), abs=1e-6)
    assert a.wait_probability == pytest.approx(erlang_c(n, 10), abs=1e-6)
    assert a.abandon == pytest.approx(0, abs=1e-6)


def test_erlang_a_single_agent_by_hand() -> None:
    """M/M/1+M, one agent: a newcomer finding the agent free is served at once; one finding
    one person being served and nobody waiting waits Exp(mu) and is served within t if that
    beats its patience: mu / (mu + theta) (1 - e^{-(mu + theta) t})."""
    lam, h, patience, t = 1 / 120, 60.0, 30.0, 20.0
    mu, theta = 1 / h, 1 / patience
    # stationary chain: p1 = p0 lam / mu; p(1+m) = p(m) lam / (mu + m theta)
    weights = [1.0, lam / mu]
    for m in range(1, 200):
        weights.append(weights[-1] * lam / (mu + m * theta))
    p = [w / sum(weights) for w in weights]
    first = mu / (mu + theta) * (1 - math.exp(-(mu + theta) * t))
    a = erlang_a(1, lam, h, patience, t)
    assert a.wait_probability == pytest.approx(1 - p[0], rel=1e-9)
    assert a.served_within > p[0] + p[1] * first  # later places add a little more
    assert a.served_within == pytest.approx(p[0] + p[1] * first, abs=0.02)


def test_patience_lowers_the_agents_needed_and_chats_share_an_agent() -> None:
    c_only = agents_needed(100, 1800, 180, 20, 0.8)
    with_patience = agents_needed(100, 1800, 180, 20, 0.8, patience_s=60)
    assert with_patience.agents_a <= c_only.agents_c
    assert with_patience.abandon_a > 0
    two_chats = agents_needed(100, 1800, 180, 20, 0.8, concurrency=2)
    assert two_chats.agents_c == math.ceil(14 / 2)
    nothing = agents_needed(0, 1800, 180, 20, 0.8)
    assert (nothing.agents_c, nothing.agents_a) == (0, 0)
