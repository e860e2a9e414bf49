"""JSON error bodies for every HTTP error of the gateway."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import LockError, RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.cases.case import CaseInputError
from bot.cases.workflow import IllegalTransition
from bot.conversation.ratelimit import RateLimited
from bot.errors import Busy, InvalidMessage, NotFound, RasaUnavailable, StoreUnavailable
from bot.texts import text


def error_body(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # the framework could not parse the body (e.g. not UTF-8)
            return error_body(422, "invalid_body", "the request body is malformed")
        codes = {
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "too_large",
            429: "rate_limited",
        }
        response = error_body(
            exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return error_body(422, "invalid_body", "the request body is malformed", details=details)

    @app.exception_handler(IllegalTransition)
    @app.exception_handler(CaseInputError)
    @app.exception_handler(InvalidMessage)
    @app.exception_handler(Busy)
    @app.exception_handler(RateLimited)
    @app.exception_handler(NotFound)
    @app.exception_handler(StoreUnavailable)
    @app.exception_handler(RedisError)
    @app.exception_handler(RasaUnavailable)
    async def known_error(_: Request, exc: Exception) -> JSONResponse:
        response = error_response(exc)
        assert response is not None  # registered for exactly the types error_response knows
        return response


def error_response(exc: Exception) -> JSONResponse | None:
    """The JSON error for one of the gateway's own exceptions (None for anything else)."""
    if isinstance(exc, IllegalTransition):
        return error_body(
            409, "illegal_transition", str(exc), current=exc.current, allowed=list(exc.allowed)
        )
    if isinstance(exc, CaseInputError):
        return error_body(422, "invalid_request", str(exc))
    if isinstance(exc, InvalidMessage):
        code = "too_large" if exc.status == 413 else "invalid_message"
        return error_body(exc.status, code, exc.reason)
    if isinstance(exc, RateLimited):
        response = error_body(429, "rate_limited", text("rate_limited", exc.lang))
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    if isinstance(exc, NotFound):
        return error_body(404, "not_found", str(exc))
    if isinstance(exc, Busy | LockError):  # a lock's wait timed out: the store is fine
        response = error_body(
            409, "busy", "your previous message is still being answered, please retry"
        )
        response.headers["Retry-After"] = "1"
        return response
    if isinstance(exc, StoreUnavailable | RedisError):
        response = error_body(503, "unavailable", "a store is unavailable, please retry")
        response.headers["Retry-After"] = "5"
        return response
    if isinstance(exc, RasaUnavailable):
        return error_body(503, "unavailable", "the assistant is unavailable, please retry")
    return None
