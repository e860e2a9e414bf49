"""Entry point of the action server: open the knowledge base, then listen (the webhook, and
the knowledge-base reload routes of actions/kb_routes.py).

`python -m actions.server` (the launcher runs this). Opening the knowledge base first means
the server only reports healthy once it can answer, and the first citizen never waits for the
models to load or for their first (slow) inference. With CIVIC_KB_WATCH_S > 0 (default 10) it
also watches its guides folder and reloads a settled change by itself (knowledge_base/watch.py).
"""

from __future__ import annotations

import logging
import os
import time

from rasa_sdk.endpoint import run
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.plugin import plugin_manager

from actions.forms.actions import form_validators
from actions.kb_routes import KnowledgeRoutes
from actions.knowledge import live_knowledge_base
from actions.settings import ActionSettings, configure
from knowledge_base.embedders import limit_threads
from knowledge_base.watch import GuideWatch


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log = logging.getLogger(__name__)
    settings = ActionSettings.from_env()  # checked whole: no forms or no guides, no start
    configure(settings)
    limit_threads(settings.torch_threads)
    started = time.monotonic()
    live = live_knowledge_base(settings)
    # made before the first open: a guide saved while the index builds is not missed
    watch = GuideWatch(live, settings.kb_watch_s) if settings.kb_watch_s > 0 else None
    kb = live.current
    # one search per language: the first inference of each model is slow (seconds), and it
    # should not be a citizen's first question
    for text, lang in (("How do I renew my ID card?", "en"), ("身份证怎么换", "zh")):
        kb.search(text, lang)
    log.info("knowledge base ready in %.1f s", time.monotonic() - started)
    if watch is not None:  # every replica follows its guides folder (a shared volume) itself
        watch.start()
        log.info("watching %s every %g s", settings.guides_dir, settings.kb_watch_s)
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")
    # GET /kb and POST /kb/reload (service token): `civic kb reload` without a restart
    plugin_manager().register(KnowledgeRoutes(live, settings.service_token, watch))
    executor = ActionExecutor()
    executor.register_package("actions")
    for validator in form_validators():  # one `validate_<form>` per rules table
        executor.register_action(validator)
    run(executor, port=settings.port, auto_reload=False)


if __name__ == "__main__":
    main()
