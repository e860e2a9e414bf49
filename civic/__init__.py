"""Composition root: the `civic` CLI, the ASGI app factory and the process launcher."""
