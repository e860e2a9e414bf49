"""The knowledge_base exceptions: every error this package raises derives from
:class:`KnowledgeBaseError` (a CivicError of common/errors.py), so callers can catch one type and
show a short message."""

from __future__ import annotations

from pathlib import Path

from common.errors import CivicError, ConfigError, InvalidInput, Unavailable


class KnowledgeBaseError(CivicError):
    """Base class of every error raised by the knowledge_base package."""


class GuideError(KnowledgeBaseError):
    """A guide file is malformed; names the file and the offending field."""

    def __init__(self, path: Path | str, field: str, problem: str) -> None:
        self.path = Path(path)
        self.field = field
        self.problem = problem
        super().__init__(f"{self.path}: field '{field}': {problem}")


class DataFormatError(KnowledgeBaseError, InvalidInput):
    """An FAQ or query file in the shared eval format is malformed."""

    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        super().__init__(f"{self.path}:{line}: {problem}")


class SearchConfigError(KnowledgeBaseError, ConfigError):
    """A search setting (often from an environment variable) is missing or malformed."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}: {problem}")


class EmbedderError(KnowledgeBaseError, Unavailable):
    """An embedding model could not be loaded or failed to embed."""


class IndexMismatch(KnowledgeBaseError):
    """A saved index does not match the current guides, model, settings or code."""

    def __init__(self, index_dir: Path, reasons: list[str]) -> None:
        self.index_dir = index_dir
        self.reasons = reasons
        super().__init__(f"index {index_dir} is stale: " + "; ".join(reasons))


class CalibrationError(KnowledgeBaseError):
    """Calibration data is missing, malformed, or too small to fit a decision model."""
