"""Rasa custom actions: answers from the guides, the handoff signal, slot extraction.

Actions are stateless. A handoff is signalled as a custom payload in the bot's reply
(`{"handoff": {"reason": ..., "topic": ...}}`) that the gateway acts on.
"""
