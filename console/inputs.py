"""Text fields of the console's requests (shared with the API: api/inputs.py)."""

from api.inputs import PlainText

__all__ = ["PlainText"]
