"""Gateway core: conversations, sessions, handoff, cases, rendering and the Rasa client.

The gateway owns conversations: every citizen message enters here and every outgoing message
(bot's or agent's) leaves from here. Nothing in this package knows about web frameworks or
messaging platforms; `channels` and `console` adapt it to the outside world.
"""
