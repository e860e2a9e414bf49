"""Agent console: the web UI agents work in and its JSON API."""
