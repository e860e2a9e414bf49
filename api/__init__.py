"""Our own HTTP API beside the channels: the cases routes (forms submitted by the action server)
and what every route shares: error responses and the request body limit.

May import FastAPI; never imports channels, console or civic."""
