"""The REST channel: any platform talks to the assistant through this JSON API."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.conversation.language import normalise
from bot.gateway import Gateway
from bot.messages import ConversationState, IncomingMessage, OutgoingMessage
from bot.rasa.client import rasa_ms
from bot.storage import keys

CONVERSATION_ID = r"[A-Za-z0-9_.:@-]{1,128}"
ConversationId = Annotated[str, Path(min_length=1, max_length=128, pattern=f"^{CONVERSATION_ID}$")]


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str | None = Field(
        default="", description="What the citizen typed (null or absent for a button press)."
    )
    payload: str | None = Field(
        default=None, max_length=500, description="A button's payload (sending a button)."
    )
    lang: str | None = Field(default=None, description='"en", "zh" or null to detect.')
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def _no_text(cls, value: str | None) -> str:
        return value or ""

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = normalise(value)
        if code is None:
            raise ValueError('lang must be "en", "zh" or null')
        return code


class ButtonOut(BaseModel):
    title: str
    payload: str


class MessageOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    text: str
    buttons: list[ButtonOut]
    custom: dict[str, Any] | None
    sender: Literal["bot", "agent", "system"] = Field(alias="from")
    created_at: datetime


class StateOut(BaseModel):
    mode: Literal["bot", "waiting_for_agent", "with_agent"]
    lang: Literal["en", "zh"]
    simple_mode: bool
    queue_position: int | None
    estimated_wait_s: int | None


class MessagesOut(BaseModel):
    messages: list[MessageOut]
    state: StateOut


def gateway(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


def api_key_of(gw: Gateway, authorization: str | None) -> str | None:
    """The API key in an `Authorization: Bearer <key>` header when it is one of
    CIVIC_API_KEYS, else None."""
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not any(
        hmac.compare_digest(key, k) for k in gw.settings.api_keys
    ):
        return None
    return key


def require_api_key(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """The caller's API key; 401 unless it is one of CIVIC_API_KEYS."""
    key = api_key_of(gateway(request), authorization)
    if key is None:
        raise HTTPException(401, "a valid API key is required", {"WWW-Authenticate": "Bearer"})
    return key


def client_id(api_key: str) -> str:
    """A REST client's id: a hash of its API key (the key itself is never stored)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:24]


def message_out(message: OutgoingMessage) -> MessageOut:
    sender: Literal["bot", "agent", "system"] = (
        message.sender if message.sender in ("bot", "agent", "system") else "system"  # type: ignore[assignment]
    )
    return MessageOut.model_validate(
        {
            "id": str(message.id),
            "text": message.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
            "custom": dict(message.custom) if message.custom else None,
            "from": sender,
            "created_at": message.created_at,
        }
    )


def state_out(state: ConversationState) -> StateOut:
    return StateOut(
        mode=state.mode,
        lang=state.lang,  # type: ignore[arg-type]
        simple_mode=state.simple_mode,
        queue_position=state.queue_position,
        estimated_wait_s=state.estimated_wait_s,
    )


router = APIRouter(
    prefix="/api/v1", tags=["conversations"], dependencies=[Depends(require_api_key)]
)


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessagesOut,
    response_model_by_alias=True,
    summary="Send a citizen message and get the replies",
    responses={401: {"description": "no valid API key"}, 413: {"description": "text too long"}},
)
async def post_message(
    conversation_id: ConversationId,
    body: MessageIn,
    gw: Annotated[Gateway, Depends(gateway)],
    key: Annotated[str, Depends(require_api_key)],
) -> Response:
    """One citizen message through the router. Server-Timing tells how long of it was the
    wait for Rasa."""
    incoming = IncomingMessage(
        text=body.text or "",
        channel="rest",
        payload=body.payload,
        lang=body.lang,
        metadata=body.metadata,
    )
    # push delivery (if any) goes to the callback of the client that writes in the conversation
    remember = {keys.rest_client(conversation_id): client_id(key)}
    reply = await gw.router.handle(f"rest:{conversation_id}", incoming, remember)
    out = MessagesOut(
        messages=[message_out(m) for m in reply.messages], state=state_out(reply.state)
    )
    # serialised once here; returned as a model, FastAPI would dump and re-validate it first
    return Response(
        out.model_dump_json(by_alias=True).encode(),
        media_type="application/json",
        headers={"Server-Timing": f"rasa;dur={rasa_ms.get():.1f}"},
    )


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=MessagesOut,
    response_model_by_alias=True,
    summary="Messages for the citizen since a message id (agent replies arrive this way)",
)
async def get_messages(
    conversation_id: ConversationId,
    gw: Annotated[Gateway, Depends(gateway)],
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> MessagesOut:
    identity = f"rest:{conversation_id}"
    messages = await gw.router.messages_after(identity, after)
    state = await gw.router.state(identity)
    return MessagesOut(messages=[message_out(m) for m in messages], state=state_out(state))
