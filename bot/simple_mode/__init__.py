"""Simplified mode for elderly citizens: the rules every bot turn is shaped by, plain words,
readability measures and gentle reminders."""
