"""The people who answer: agent accounts and console sessions, and what they do to a
conversation (claim, reply, release, transfer, close)."""
