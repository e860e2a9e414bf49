"""A whole handoff on the real stack (Redis, Rasa, action server, gateway as processes):
through the REST channel API for the citizen and the console API for the agents; then a
gateway restart with tickets waiting."""

from __future__ import annotations

import time

import pytest

from civic.stack import Stack
from tests.conftest import Citizen

from .agents import AgentClient, add_agent

pytestmark = pytest.mark.integration


def test_full_handoff_citizen_agent_rating(stack: Stack) -> None:
    agent = AgentClient(stack, add_agent(stack, "agent"))
    boss = AgentClient(stack, add_agent(stack, "supervisor"))
    citizen = Citizen(stack)
    citizen.say("How do I renew my passport?")
    citizen.say("I want to talk to a real person")
    assert citizen.last["state"]["mode"] == "waiting_for_agent"
    assert citizen.last["state"]["queue_position"] >= 1
    # the bot does not answer: the first message is acknowledged with the place, then silence
    [ack] = citizen.say("It expired last month")["messages"]
    assert ack["text"].startswith("I've passed this on. You are number")
    ticket = agent.waiting_for(citizen.id)
    last_seen = int(citizen.history()["messages"][-1]["id"])
    path = f"/api/v1/agent/tickets/{ticket['id']}"
    assert agent.post(path + "/claim") == {"ticket_id": ticket["id"], "holder": agent.username}
    boss.post(path + "/claim", status=409)
    view = agent.get(path)
    said = [line["text"] for line in view["transcript"] if line["sender"] == "citizen"]
    assert said[-3:] == ["How do I renew my passport?", "I want to talk to a real person",
                         "It expired last month"]  # fmt: skip
    assert view["transcript"][-1]["sender"] == "system"  # "a person has joined"
    assert view["suggestions"] and view["suggestions"][0]["guide_id"] == "passport"
    agent.post(path + "/messages", {"text": "Hello, I'm Ana. Which passport do you have?"}, 201)
    seen = citizen.history(after=last_seen)
    assert seen["state"]["mode"] == "with_agent"
    assert [m["from"] for m in seen["messages"]] == ["system", "agent"]  # joined, then the reply
    assert seen["messages"][-1]["text"] == "Hello, I'm Ana. Which passport do you have?"
    assert citizen.say("A Lakeside passport, issued 2016")["messages"] == []
    assert agent.get(path)["transcript"][-1]["text"] == "A Lakeside passport, issued 2016"
    agent.post(path + "/close", {"note": "Explained the renewal"})
    after = citizen.history(after=int(seen["messages"][-1]["id"]))
    assert after["state"]["mode"] == "bot"
    assert "rate" in after["messages"][-1]["text"].lower() or "1" in after["messages"][-1]["text"]
    citizen.last = after
    citizen.click("5")
    assert "Thank you for your rating" in citizen.texts()
    closed = boss.get(path)
    assert (closed["status"], closed["rating"], closed["note"]) == (
        "closed", 5, "Explained the renewal"
    )  # fmt: skip
    kinds = [e["kind"] for e in closed["events"]]
    assert kinds[:3] == ["requested", "queued", "citizen_replied"]
    assert kinds[-1] == "closed" and kinds.count("agent_replied") == 1
    citizen.say("How do I get a library card?")  # the bot is back
    assert "library-card" in citizen.texts()


def test_agent_labels_the_question_the_assistant_declined(stack: Stack) -> None:
    """The real decline (Rasa, the action server's search, the outcome drain) reaches the
    ticket; one click labels it; `civic kb calibrate` would read it."""
    agent = AgentClient(stack, add_agent(stack, "agent"))
    citizen = Citizen(stack)
    question = "can I get a fishing licence for the lake"
    citizen.say(question)
    assert "I don't have" in citizen.texts()  # declined, with a person offered
    citizen.say("I want to talk to a real person")
    ticket = agent.waiting_for(citizen.id)
    path = f"/api/v1/agent/tickets/{ticket['id']}"
    agent.post(path + "/claim")
    agent.post(path + "/messages", {"text": "Fishing permits are sold at the lake office."}, 201)
    deadline = time.monotonic() + 30  # the outcome drain moves events to SQL every few seconds
    while not (view := agent.get(path))["unsettled"] and time.monotonic() < deadline:
        time.sleep(0.5)
    [unsettled] = view["unsettled"]
    assert (unsettled["text"], unsettled["outcome"], unsettled["labelled"]) == (
        question, "declined", False
    )  # fmt: skip
    labelled = agent.post(path + "/labels", {"message_id": unsettled["message_id"]})
    assert (labelled["labelled"], labelled["guide"]) == (True, None)
    [again] = agent.get(path)["unsettled"]
    assert (again["labelled"], again["labelled_by"]) == (True, agent.username)


def test_gateway_restart_keeps_waiting_tickets_and_their_clocks(stack: Stack) -> None:
    agent = AgentClient(stack, add_agent(stack, "agent"))
    first, second = Citizen(stack), Citizen(stack)
    first.say("human")
    second.say("人工")
    before = {c.id: agent.waiting_for(c.id) for c in (first, second)}
    stack.stop("gateway")
    stack.start("gateway")
    # the same bearer token still works: console sessions live in Redis, not in the gateway
    for citizen in (first, second):
        now = agent.waiting_for(citizen.id)
        was = before[citizen.id]
        assert (now["id"], now["team"], now["position"]) == (
            was["id"],
            was["team"],
            was["position"],
        )
        assert now["waited_s"] >= was["waited_s"]  # the clock kept running from the request
        state = citizen.history()["state"]
        assert state["mode"] == "waiting_for_agent" and state["queue_position"] == was["position"]
    ticket = before[second.id]["id"]
    agent.post(f"/api/v1/agent/tickets/{ticket}/claim")
    agent.post(f"/api/v1/agent/tickets/{ticket}/messages", {"text": "你好"}, 201)
    assert second.history()["messages"][-1]["text"] == "你好"
    events = agent.get(f"/api/v1/agent/tickets/{ticket}")["events"]
    requested = next(e["at"] for e in events if e["kind"] == "requested")
    claimed = next(e["at"] for e in events if e["kind"] == "claimed")
    assert claimed > requested  # the pick-up time spans the restart
    agent.post(f"/api/v1/agent/tickets/{ticket}/close", {"note": "ok"})
    first.say("cancel")
    assert first.last["state"]["mode"] == "bot"
