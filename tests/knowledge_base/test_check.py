"""`civic kb check`: the shipped guides pass (warnings allowed); a folder with a stale, a
malformed, a badly linked, a hard-to-read, a misplaced-question and a duplicated guide is
flagged for each. The search checks reuse the session's knowledge base (its stored vectors:
the edits below touch no indexed text, so no model runs)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from kb_testdata import GUIDES, ROOT

from civic.kb_check import reuse_or_build, run_check, simple_problems
from civic.kb_cli import main
from knowledge_base import KnowledgeBase
from knowledge_base.check import CheckOptions, Finding
from knowledge_base.check_search import duplicate_pairs, left_out_probes

AS_OF = "2026-12-01"
INDEX = ROOT / "var" / "index" / "guides"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(["kb", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_shipped_guides_pass(kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _run(capsys, "check", "--as-of", AS_OF)
    assert code == 0, report
    assert report["errors"] == 0
    findings = report["findings"]
    assert isinstance(findings, list)
    assert {f["check"] for f in findings} <= {"won-by-other"}  # warnings only, of one kind
    # no two shipped guides come near the duplicate threshold
    probes = left_out_probes(kb, kb.guides("en") + kb.guides("zh"))
    assert len(probes) == sum(len(g.questions) for g in kb.guides("en") + kb.guides("zh"))
    assert duplicate_pairs(probes) == {}
    assert sum(not p.lost for p in probes) / len(probes) > 0.75
    # a year on, every guide is due for review: warnings, errors with --strict
    code, report = _run(capsys, "check", "--as-of", "2028-01-01", "--no-search")
    assert code == 0 and report["warnings"] == 90 and report["errors"] == 0
    code, report = _run(capsys, "check", "--as-of", "2028-01-01", "--no-search", "--strict")
    assert code == 1 and report["errors"] == 90


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def _set(path: Path, field: str, value: str) -> None:
    """Replace a one-line front matter field."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{field}: "))
    lines[at] = f"{field}: {value}\n"
    path.write_text("".join(lines), "utf-8")


@pytest.fixture
def flawed(tmp_path: Path) -> Path:
    guides = tmp_path / "guides"
    for lang in ("en", "zh"):
        (guides / lang).mkdir(parents=True)
        for guide_id in ("passport", "id-card", "library-card"):
            shutil.copy(GUIDES / lang / f"{guide_id}.md", guides / lang / f"{guide_id}.md")
    en, zh = guides / "en", guides / "zh"
    # a copy of the passport guide under another id: a near-duplicate
    copy = en / "passport-copy.md"
    shutil.copy(en / "passport.md", copy)
    _set(copy, "id", "passport-copy")
    _set(copy, "source_url", '"https://services.lakeside.example/guides/passport-copy"')
    # stale: reviewed long before AS_OF
    _set(en / "library-card.md", "reviewed", "2024-01-02")
    # a passport question among the library card's: the passport guide wins it
    _edit(
        en / "library-card.md",
        "category:",
        '  - "How do I get a passport for the first time?"\ncategory:',
    )
    # malformed: a section heading renamed
    _edit(zh / "id-card.md", "## 费用\n", "## 价格\n")
    # links: two good ones, four broken (no such guide, no such anchor, public address)
    _edit(
        en / "passport.md",
        'contact: "12345 hotline;',
        'contact: "[ID card](../en/id-card.md#documents) [fees](#fees) '
        "[lost card](id-card-lost.md) [costs](#costs) [Chinese](../zh/passport-copy.md) "
        "https://services.lakeside.example/guides/nowhere; 12345 hotline;",
    )
    # hard words in the plain summary
    _set(
        en / "id-card.md",
        "simple",
        '"Applicants must submit the required documentation in accordance with regulations."',
    )
    return guides


def _by_check(findings: list[Finding]) -> dict[tuple[str, str, str], list[str]]:
    out: dict[tuple[str, str, str], list[str]] = {}
    for f in findings:
        out.setdefault((f.level, f.check, f.file), []).append(f.message)
    return out


def test_a_flawed_folder_is_flagged_for_each_flaw(kb: KnowledgeBase, flawed: Path) -> None:
    options = CheckOptions(as_of=dt.date.fromisoformat(AS_OF), simple_check=simple_problems)
    found = _by_check(run_check(flawed, options, reuse_or_build(kb, INDEX, kb.config)))
    errors = {key for key in found if key[0] == "error"}
    assert errors == {
        ("error", "section", "zh/id-card.md"),
        ("error", "link", "en/passport.md"),
        ("error", "simple", "en/id-card.md"),
        ("error", "duplicate", "en/passport.md"),
    }, found
    warnings = {key for key in found if key[0] == "warning"}
    assert {
        ("warning", "review", "en/library-card.md"),
        ("warning", "won-by-other", "en/library-card.md"),
        ("warning", "won-by-other", "en/passport-copy.md"),  # the duplicates win each other's
    } <= warnings, found
    assert "missing ['费用']" in found[("error", "section", "zh/id-card.md")][0]
    links = found[("error", "link", "en/passport.md")]
    assert len(links) == 4, links
    assert any("no guide 'id-card-lost'" in m for m in links)
    assert any("no section '#costs'" in m for m in links)
    assert any("no guide 'passport-copy' in zh/" in m for m in links)
    assert any("no guide 'nowhere'" in m for m in links)
    simple = found[("error", "simple", "en/id-card.md")]
    assert any("too hard" in m for m in simple) and any("official terms" in m for m in simple)
    assert (
        "reviewed 2024-01-02, 1064 days before 2026-12-01"
        in (found[("warning", "review", "en/library-card.md")][0])
    )
    won = found[("warning", "won-by-other", "en/library-card.md")][0]
    assert "'How do I get a passport for the first time?' -> passport" in won
    duplicate = found[("error", "duplicate", "en/passport.md")]
    assert duplicate[0].startswith("near-duplicate of en/passport-copy.md"), duplicate


def test_the_command_line_exit_status(flawed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (flawed / "zh" / "id-card.md").unlink()  # only the stale guide and the links are left
    for path in (flawed / "en" / "id-card.md", flawed / "en" / "passport.md"):
        shutil.copy(GUIDES / "en" / path.name, path)
    code, report = _run(capsys, "--guides", str(flawed), "check", "--as-of", AS_OF, "--no-search")
    assert code == 0 and report["errors"] == 0 and report["warnings"] == 1
    code, report = _run(
        capsys, "--guides", str(flawed), "check", "--as-of", AS_OF, "--no-search", "--strict"
    )
    assert code == 1 and [f["check"] for f in report["findings"]] == ["review"]  # type: ignore[union-attr]
    code, report = _run(
        capsys, "--guides", str(flawed), "check", "--as-of", AS_OF, "--no-search",
        "--strict", "--max-age-days", "2000",
    )  # fmt: skip
    assert code == 0 and report["findings"] == []
