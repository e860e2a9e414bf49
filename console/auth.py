"""Console authentication: login, logout, the session of each request, roles and CSRF.

Browsers get an HttpOnly, SameSite=Strict session cookie and must echo the session's CSRF
token in `X-CSRF-Token` on every state-changing request. API clients ask for a bearer token
instead (`"session": "token"`); bearer requests need no CSRF token (no ambient credential).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from bot.agents.accounts import (
    AccountError,
    AgentAccounts,
    AgentSession,
    LoginFailed,
    LoginThrottled,
)
from bot.agents.roles import Permission, Role
from bot.gateway import Gateway
from console.inputs import PlainText

COOKIE = "civic_agent"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginIn(BaseModel):
    username: PlainText = Field(min_length=1, max_length=100)
    password: PlainText = Field(min_length=1, max_length=1000)
    session: Literal["cookie", "token"] = Field(
        default="cookie", description="cookie (browsers) or token (bearer, API clients)"
    )


class AgentOut(BaseModel):
    username: str
    display_name: str = Field(description="the name people see (the username when none is set)")
    role: Role
    team: str | None
    console_lang: str | None = Field(
        default=None, description="the console's language (en, zh); null: not chosen yet"
    )


def agent_out(session: AgentSession) -> AgentOut:
    return AgentOut(
        username=session.username, display_name=session.name, role=session.role,
        team=session.team, console_lang=session.console_lang,
    )  # fmt: skip


class LoginOut(BaseModel):
    agent: AgentOut
    csrf_token: str | None = Field(description="send as X-CSRF-Token (cookie sessions)")
    token: str | None = Field(description="bearer token (token sessions)")


def gateway(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


def accounts(request: Request) -> AgentAccounts:
    agents = gateway(request).agents
    if agents is None:
        raise HTTPException(503, "the agent console is not configured")
    return agents


def session_token(request: Request) -> tuple[str, bool]:
    """(token, came from the cookie)."""
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip(), False
    return request.cookies.get(COOKIE, ""), True


async def current_agent(request: Request) -> AgentSession:
    """The logged-in agent; 401 without a session, 403 without a valid CSRF token."""
    token, from_cookie = session_token(request)
    session = await accounts(request).session(token) if token else None
    if session is None:
        raise HTTPException(401, "log in first", {"WWW-Authenticate": "Bearer"})
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, session.csrf_token):
            raise HTTPException(403, "missing or wrong CSRF token")
    return session


_REFUSED: dict[Permission, str] = {
    "desk": "agents and supervisors only",
    "supervise": "supervisors only",
    "cases": "caseworkers and supervisors only",
    "content": "editors and supervisors only",
}


def permit(permission: Permission) -> Callable[..., Awaitable[AgentSession]]:
    """A dependency: the logged-in account if its role has `permission`, else 403."""

    async def check(
        agent: Annotated[AgentSession, Depends(current_agent)], request: Request
    ) -> AgentSession:
        if not agent.may(permission):
            raise HTTPException(403, _REFUSED[permission])
        desk = gateway(request).desk
        if permission == "desk" and request.method not in SAFE_METHODS and desk is not None:
            await desk.availability.seen(agent.username, active=True)  # not idle: away later
        return agent

    check.__name__ = f"permit_{permission}"
    return check


CurrentAgent = Annotated[AgentSession, Depends(current_agent)]  # any role (login, me, logout)
DeskAgent = Annotated[AgentSession, Depends(permit("desk"))]
Supervisor = Annotated[AgentSession, Depends(permit("supervise"))]
Caseworker = Annotated[AgentSession, Depends(permit("cases"))]
Editor = Annotated[AgentSession, Depends(permit("content"))]

router = APIRouter(prefix="/api/v1/agent", tags=["agent console"])


@router.post(
    "/login",
    response_model=LoginOut,
    summary="Log in: a session cookie (browsers) or a bearer token (API clients)",
    responses={401: {"description": "wrong credentials"}, 429: {"description": "rate limited"}},
)
async def login(body: LoginIn, request: Request, response: Response) -> LoginOut:
    client = request.client.host if request.client else "unknown"
    try:
        token, session = await accounts(request).login(body.username, body.password, client)
    except LoginThrottled as exc:
        raise HTTPException(
            429, "too many failed logins, try again later", {"Retry-After": str(exc.retry_after_s)}
        ) from None
    except LoginFailed:
        raise HTTPException(401, "wrong username or password") from None
    agent = agent_out(session)
    if body.session == "token":
        return LoginOut(agent=agent, csrf_token=None, token=token)
    response.set_cookie(
        COOKIE,
        token,
        max_age=accounts(request).session_ttl_s,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return LoginOut(agent=agent, csrf_token=session.csrf_token, token=None)


@router.post("/logout", status_code=204, summary="End the session")
async def logout(agent: CurrentAgent, request: Request, response: Response) -> Response:
    token, _ = session_token(request)
    await accounts(request).logout(token, agent.username)
    desk = gateway(request).desk
    if desk is not None and agent.may("desk"):
        await desk.availability.set(agent.username, "offline")
    response.delete_cookie(COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=LoginOut, summary="Who is logged in (and the CSRF token)")
async def me(agent: CurrentAgent, request: Request) -> LoginOut:
    _, from_cookie = session_token(request)
    return LoginOut(
        agent=agent_out(agent),
        csrf_token=agent.csrf_token if from_cookie else None,
        token=None,
    )


class SetPasswordIn(BaseModel):
    token: PlainText = Field(min_length=1, max_length=200)
    password: PlainText = Field(min_length=10, max_length=1000)


@router.post(
    "/set-password",
    status_code=204,
    summary="Set a password with a set-password link's token (once, within 24 h)",
    responses={422: {"description": "the link is used, expired or unknown"}},
)
async def set_password(body: SetPasswordIn, request: Request) -> Response:
    try:
        await accounts(request).redeem_password_link(body.token, body.password)
    except AccountError as exc:
        raise HTTPException(422, str(exc)) from None
    return Response(status_code=204)
