"""The gateway process's one settings object: the core (bot/settings.py), the handoff queue
and console (bot/handoff/settings.py), the channels (channels/settings.py) and the cases'
workflow (bot/cases/service.py), read from the
environment once, when the app is made, and checked whole before it serves anything; each
part is passed down to what uses it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.cases.service import CaseSettings
from bot.handoff.settings import HandoffSettings
from bot.settings import Settings
from channels.settings import ChannelSettings


@dataclass(frozen=True)
class GatewaySettings:
    core: Settings
    handoff: HandoffSettings
    channels: ChannelSettings
    cases: CaseSettings

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, core: Settings | None = None
    ) -> GatewaySettings:
        """All of it from `environ` (the process's environment by default); `core` when the
        caller already has it (a test's own Redis and database)."""
        env = os.environ if environ is None else environ
        core = core or Settings.from_env(env)
        return cls(
            core,
            HandoffSettings.from_env(env),
            ChannelSettings.from_env(core, env),
            CaseSettings.from_env(env),
        )
