"""Personal data is masked in the console until the holding agent reveals it (audited), and an
agent writing to a citizen in simplified mode is warned about long or hard replies."""

from __future__ import annotations

import uuid

from .conftest import Console

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


async def open_ticket(console: Console, simple_mode: bool, text: str) -> tuple[int, str]:
    conversation = f"c-{uuid.uuid4().hex[:10]}"
    sessions = console.gateway.sessions
    citizen = f"rest:{conversation}"
    await sessions.save((await sessions.get(citizen)).but(simple_mode=simple_mode, lang="en"))
    await console.citizen_says(conversation, text)
    await console.citizen_says(conversation, "human")  # Rasa is down: the gateway opens it
    boss = await console.login(console.add_agent("supervisor"))
    queue = (await console.client.get("/api/v1/agent/queue", headers=boss)).json()["waiting"]
    [ticket] = [t for t in queue if t["conversation_id"] == citizen]
    return ticket["id"], citizen


async def test_numbers_masked_until_revealed_and_the_reveal_is_audited(console: Console) -> None:
    ticket_id, citizen = await open_ticket(console, False, f"my ID {ID_NUMBER} phone {PHONE}")
    holder = console.add_agent("agent")
    other = console.add_agent("agent")
    holder_h, other_h = await console.login(holder), await console.login(other)
    url = f"/api/v1/agent/tickets/{ticket_id}"
    # the queue card shows the citizen's last message, masked too
    await console.citizen_says(citizen.removeprefix("rest:"), f"call me on {PHONE}")
    response = await console.client.get("/api/v1/agent/queue", headers=holder_h)
    assert response.status_code == 200, response.text
    [card] = [t for t in response.json()["waiting"] if t["id"] == ticket_id]
    assert card["last_message"] == "call me on 138****5678"
    assert (await console.client.post(url + "/claim", headers=holder_h)).status_code == 200
    held = (await console.client.get("/api/v1/agent/queue", headers=holder_h)).json()["held"]
    [card] = [t for t in held if t["id"] == ticket_id]
    assert (card["lang"], card["simple_mode"], card["last_message"]) == (
        "en", False, "call me on 138****5678"
    )  # fmt: skip

    masked = (await console.client.get(url, headers=holder_h)).json()
    said = "\n".join(line["text"] for line in masked["transcript"])
    assert masked["masked"] is True
    assert ID_NUMBER not in said and PHONE not in said
    assert "110***********002X" in said and "138****5678" in said

    assert (await console.client.get(url + "?reveal=true", headers=other_h)).status_code in (
        403,
        404,
    )
    shown = (await console.client.get(url + "?reveal=true", headers=holder_h)).json()
    assert shown["masked"] is False
    assert ID_NUMBER in "\n".join(line["text"] for line in shown["transcript"])
    assert console.gateway.agents is not None
    audit = console.gateway.agents.audit_entries(20)
    assert any(
        e["actor"] == holder and e["action"] == "reveal" and e["target"] == f"ticket:{ticket_id}"
        for e in audit
    )


async def test_simplified_mode_reply_warning(console: Console) -> None:
    ticket_id, _ = await open_ticket(console, True, "I need help with my pension")
    agent = console.add_agent("agent")
    headers = await console.login(agent)
    url = f"/api/v1/agent/tickets/{ticket_id}"
    assert (await console.client.post(url + "/claim", headers=headers)).status_code == 200
    short = await console.client.post(
        url + "/check", json={"text": "Hello. I can help. What is your name?"}, headers=headers
    )
    assert short.status_code == 200 and short.json() == {"warning": None, "warning_wording": None}
    hard = (
        "Pursuant to the applicable administrative regulations, beneficiaries must substantiate "
        "their continued eligibility through biometric authentication procedures annually."
    )
    checked = (
        await console.client.post(url + "/check", json={"text": hard}, headers=headers)
    ).json()
    # in plain words, with what to do: no reading-ease score the agent has to interpret
    assert checked["warning"] == (
        "Too hard for this citizen: use shorter sentences and common words."
    )
    # and as words of the console's catalogues, for an agent reading Chinese
    assert checked["warning_wording"] == {"key": "warning.too_hard", "values": {}}
    sent = (
        await console.client.post(url + "/messages", json={"text": hard}, headers=headers)
    ).json()
    assert sent["warning"].startswith("Too hard for this citizen")
    long = " ".join(["Please bring your card."] * 20)
    assert (
        "Too long for this citizen"
        in (await console.client.post(url + "/check", json={"text": long}, headers=headers)).json()[
            "warning"
        ]
    )

    standard_id, _ = await open_ticket(console, False, "help")
    assert (
        await console.client.post(f"/api/v1/agent/tickets/{standard_id}/claim", headers=headers)
    ).status_code == 200
    plain = await console.client.post(
        f"/api/v1/agent/tickets/{standard_id}/check", json={"text": hard}, headers=headers
    )
    assert plain.json() == {"warning": None, "warning_wording": None}
