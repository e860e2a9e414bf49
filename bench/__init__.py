"""Benchmarks: the whole stack under load (`civic bench`, load_bench.py) and the knowledge
base's search (kb_bench.py, `make bench-kb`).

Nothing in bot, channels, console, api, actions or knowledge_base imports this package."""
