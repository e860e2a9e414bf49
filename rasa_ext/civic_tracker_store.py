"""Rasa's Redis tracker store without the read-merge-write on every save.

Loaded by Rasa through endpoints.yml (`tracker_store: type: civic_tracker_store.
CivicRedisTrackerStore`); the launcher and docker-compose put rasa_ext/ on Rasa's PYTHONPATH.

Rasa 3.6's `RedisTrackerStore.retrieve` returns only the latest conversation session, so its
`save` has to read the stored tracker back, deserialise it and merge the earlier sessions in
(`_merge_trackers` replays the whole history with `travel_back_in_time`). Measured with py-spy
on question turns that was about a fifth of Rasa's CPU per message.

Here `retrieve` returns the whole stored tracker (as Rasa up to 3.5 did; the domain sets
`session_expiration_time: 0`, so a conversation is one session anyway, and policies only read
the events after the last SessionStarted), and `save` writes the tracker it was given: it
already holds every stored event. Same key, same JSON format, so `bot/rasa/tracker.py` and
any Rasa tool read it unchanged. Writes of one conversation are serialised by Rasa's lock
store, as before.

Because endpoints.yml names this module, importing it also loads the other rasa_ext modules
Rasa relies on (a Rasa started without rasa_ext on its path fails at start, not quietly).
"""

from __future__ import annotations

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

import civic_http  # noqa: F401  (pooled action-server connections)
import civic_metadata_slots  # noqa: F401  (slots from message metadata)


class CivicRedisTrackerStore(RedisTrackerStore):  # type: ignore[misc]  # Rasa is untyped
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self.retrieve_full_tracker(sender_id)

    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        await self.stream_events(tracker)
        if not timeout and self.record_exp:
            timeout = self.record_exp
        self.red.set(
            self.key_prefix + tracker.sender_id,
            self.serialise_tracker(tracker),
            ex=timeout,
        )
