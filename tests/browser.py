"""What the browser tests share: Debian's chromium driven by Playwright, axe-core, and checks of
the page as rendered (hidden elements, overlapping boxes, screenshots kept as test artefacts)."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip
AXE = ROOT / "tests" / "channels" / "node_modules" / "axe-core" / "axe.min.js"
# screenshots at 375 and 1280 px of every page the browser tests check (gitignored)
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = (375, 1280)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make browser-deps` (apt-get install chromium)")
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `make browser-deps` (npm ci in tests/channels)")
    from playwright.sync_api import expect, sync_playwright

    # the machine is shared and the first ticket view loads the suggestion index: generous waits
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def axe_problems(page: Any, selector: str = "body") -> list[dict[str, Any]]:
    """Serious and critical axe-core violations inside `selector` (the pinned axe-core)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated over the DevTools protocol: the pages' Content-Security-Policy (no inline
        # scripts) stays on and is not what stops axe
        page.evaluate("() => {\n" + AXE.read_text(encoding="utf-8") + "\n}")
    result = page.evaluate(
        "async (selector) => await axe.run(document.querySelector(selector))", selector
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def visible_hidden(page: Any) -> list[str]:
    """Elements carrying the `hidden` attribute that still take up room on the screen."""
    shown: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('[hidden]')].filter(n => {
            const r = n.getBoundingClientRect();
            return getComputedStyle(n).display !== 'none' || r.width > 0 || r.height > 0;
        }).map(n => n.tagName.toLowerCase() + (n.id ? '#' + n.id : '') + '.' + n.className)"""
    )
    return shown


def inoperable(page: Any, scope: str = "body") -> list[str]:
    """Visible controls that a person cannot use: zero-sized, covered by another element at
    their centre, or taken out of the keyboard order."""
    found: list[str] = page.evaluate(
        """(scope) => [...document.querySelector(scope).querySelectorAll(
                'button, a[href], input, select, textarea, summary, [tabindex]')]
            .filter(n => n.offsetParent !== null || getComputedStyle(n).position === 'fixed')
            .filter(n => {
                const r = n.getBoundingClientRect();
                if (r.width < 1 || r.height < 1) return true;
                if (n.tabIndex < 0 && n.getAttribute('tabindex') !== '-1') return true;
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
                for (let up = n.parentElement; up; up = up.parentElement) {
                    // scrolled out of a scrolling box: reachable by scrolling, not covered
                    if (getComputedStyle(up).overflowY === 'visible') continue;
                    const b = up.getBoundingClientRect();
                    if (y < b.top || y > b.bottom || x < b.left || x > b.right) return false;
                }
                const top = document.elementFromPoint(x, y);
                return !(top && (top === n || n.contains(top) || top.contains(n)
                    || top.closest('label') === n.closest('label') && n.closest('label')));
            }).map(n => n.tagName.toLowerCase() + (n.id ? '#' + n.id : '')
                + ' ' + (n.textContent || '').trim().slice(0, 30))""",
        scope,
    )
    return found


def overlaps(page: Any, selectors: list[str]) -> list[tuple[str, str, dict[str, float]]]:
    """Pairs of the given elements whose bounding boxes overlap (by more than half a pixel)."""
    boxes: dict[str, dict[str, float]] = {}
    for selector in selectors:
        box = page.locator(selector).first.bounding_box()
        if box and box["width"] > 0 and box["height"] > 0:
            boxes[selector] = box
    found = []
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            x = min(boxes[a]["x"] + boxes[a]["width"], boxes[b]["x"] + boxes[b]["width"])
            x -= max(boxes[a]["x"], boxes[b]["x"])
            y = min(boxes[a]["y"] + boxes[a]["height"], boxes[b]["y"] + boxes[b]["height"])
            y -= max(boxes[a]["y"], boxes[b]["y"])
            if x > 0.5 and y > 0.5:
                found.append((a, b, {"x": x, "y": y}))
    return found


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot of the page as it is (kept under test-artifacts/, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^a-z0-9_-]+", "-", name.lower()) + ".png")
    page.screenshot(path=str(path))
    return path


class Served:
    """An ASGI app (the gateway, built in the test's process) served by uvicorn on a thread,
    for a browser to open; stopped within a second (the console's event stream never ends)."""

    def __init__(self, app: Any, port: int) -> None:
        self.app, self.url = app, f"http://127.0.0.1:{port}"
        config = uvicorn.Config(  # the console's event stream would hold a stop for ever
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    @property
    def gateway(self) -> Any:
        return self.app.state.gateway
