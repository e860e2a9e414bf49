"""Gateway core: conversations, sessions, handoff, cases, rendering and the Rasa client.

The gateway owns conversations: every citizen message enters here and every outgoing message
(bot's or agent's) leaves from here. Nothing in this package knows about web frameworks or
messaging platforms; `channels`, `console` and `api` adapt it to the outside world.

Layers, top to bottom (enforced by import-linter, `make lint`):

- `gateway`: the parts wired together, with their start, stop and health
- `conversation` | `agents`: one citizen turn; what agents do
- `handoff` | `delivery` | `cases` | `simple_mode`
- `rasa`: the webhook client and the tracker's form data
- `storage`: SQL and Redis
- `clock`, `errors`, `masking`, `messages`, `settings`, `texts`: shared plain modules
"""
