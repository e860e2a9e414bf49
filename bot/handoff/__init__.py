"""Human handoff: the queue and its tickets, the short dialogues around it, office hours,
settings, texts, metrics and reports."""
