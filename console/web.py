"""The console's web pages: plain HTML, CSS and JavaScript files (no build step, no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
I18N = Path(__file__).resolve().parent / "i18n"  # the console's words: en.json, zh.json
# Everything comes from this origin; no inline script, so injected markup cannot run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

router = APIRouter(include_in_schema=False)


@router.get("/console")
async def console_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)


@router.get("/console/set-password")
async def set_password_page() -> FileResponse:
    """Where a set-password link leads (the token is in the fragment, never sent here)."""
    return FileResponse(STATIC / "set-password.html", headers=SECURITY_HEADERS)


@router.get("/console/i18n/{lang}.json")
async def catalogue(lang: Literal["en", "zh"]) -> FileResponse:
    return FileResponse(
        I18N / f"{lang}.json", headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    )


@router.get("/console/cases")
async def back_office_page() -> RedirectResponse:
    """The back office is the console's Cases tab (console/static/cases.js)."""
    return RedirectResponse("/console#cases")


@router.get("/console/")
async def console_slash() -> RedirectResponse:
    return RedirectResponse("/console")


def mount_console(app: FastAPI, metrics: bool = True) -> None:
    """Add every console route and the static files to the gateway's app; /metrics too
    unless it is served on a port of its own (`metrics=False`)."""
    from console import (
        api,
        auth,
        case_oversight,
        cases,
        insights,
        live,
        manage,
        presence,
        reports,
        ticket_view,
    )

    for module in (
        auth, api, ticket_view, live, presence, manage, reports, cases, case_oversight, insights,
    ):  # fmt: skip
        app.include_router(module.router)
    if metrics:
        app.include_router(reports.metrics_router)
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
