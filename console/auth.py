"""Console authentication: login, logout, the session of each request, roles and CSRF.

Browsers get an HttpOnly, SameSite=Strict session cookie and must echo the session's CSRF
token in `X-CSRF-Token` on every state-changing request. API clients ask for a bearer token
instead (`"session": "token"`); bearer requests need no CSRF token (no ambient credential).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from bot.agents.accounts import AgentAccounts, AgentSession, LoginFailed, LoginThrottled
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
    role: Literal["agent", "supervisor"]
    team: str | None


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


def _token(request: Request) -> tuple[str, bool]:
    """(token, came from the cookie)."""
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip(), False
    return request.cookies.get(COOKIE, ""), True


async def current_agent(request: Request) -> AgentSession:
    """The logged-in agent; 401 without a session, 403 without a valid CSRF token."""
    token, from_cookie = _token(request)
    session = await accounts(request).session(token) if token else None
    if session is None:
        raise HTTPException(401, "log in first", {"WWW-Authenticate": "Bearer"})
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, session.csrf_token):
            raise HTTPException(403, "missing or wrong CSRF token")
    return session


async def supervisor(agent: Annotated[AgentSession, Depends(current_agent)]) -> AgentSession:
    if not agent.supervisor:
        raise HTTPException(403, "supervisors only")
    return agent


CurrentAgent = Annotated[AgentSession, Depends(current_agent)]
Supervisor = Annotated[AgentSession, Depends(supervisor)]

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
    agent = AgentOut(username=session.username, role=session.role, team=session.team)
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
    token, _ = _token(request)
    await accounts(request).logout(token, agent.username)
    response.delete_cookie(COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=LoginOut, summary="Who is logged in (and the CSRF token)")
async def me(agent: CurrentAgent, request: Request) -> LoginOut:
    _, from_cookie = _token(request)
    return LoginOut(
        agent=AgentOut(username=agent.username, role=agent.role, team=agent.team),
        csrf_token=agent.csrf_token if from_cookie else None,
        token=None,
    )
