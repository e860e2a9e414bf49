"""The index manifest: hashes of everything an index depends on (documents and guide files,
model identities, settings, the indexing code). A saved index whose manifest differs from the
expected one is refused with IndexMismatch naming what changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from knowledge_base.config import SearchConfig
from knowledge_base.documents import Document
from knowledge_base.embedders import make_embedder
from knowledge_base.errors import IndexMismatch

FORMAT = 1
MANIFEST = "manifest.json"
_CODE_MODULES = (
    "documents.py",
    "text.py",
    "lexical.py",
    "dense.py",
    "index.py",
    "embedders.py",
    "guide.py",
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def code_version() -> str:
    here = Path(__file__).resolve().parent
    return _sha(b"".join((here / name).read_bytes() for name in _CODE_MODULES))[:16]


def build_manifest(
    documents: list[Document], config: SearchConfig, files: dict[str, Path] | None = None
) -> dict[str, Any]:
    """The expected manifest. ``files`` maps guide names (``en/passport.md``) to paths."""
    models: dict[str, str] = {}
    for spec in config.all_models():
        embedder = make_embedder(spec)
        models[spec] = embedder.identity if embedder is not None else "none"
    doc_blob = json.dumps([asdict(d) for d in documents], ensure_ascii=False, sort_keys=True)
    return {
        "format": FORMAT,
        "code": code_version(),
        "settings": config.fingerprint(),
        "models": models,
        "documents": _sha(doc_blob.encode("utf-8"))[:16],
        "files": {name: _sha(path.read_bytes()) for name, path in sorted((files or {}).items())},
    }


def manifest_fingerprint(manifest: dict[str, Any]) -> str:
    """A short hash naming everything an index was built from: two processes serving the same
    guides with the same models, settings and code report the same fingerprint."""
    return _sha(json.dumps(manifest, sort_keys=True).encode("utf-8"))[:16]


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((index_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_manifest(index_dir: Path, manifest: dict[str, Any]) -> None:
    (index_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), "utf-8")


def check_manifest(index_dir: Path, expected: dict[str, Any]) -> None:
    """Raise IndexMismatch unless the saved manifest equals the expected one."""
    saved = read_manifest(index_dir)
    if saved is None:
        raise IndexMismatch(index_dir, ["no readable manifest"])
    reasons = []
    for key in ("format", "code", "settings", "models"):
        if saved.get(key) != expected[key]:
            reasons.append(f"{key} changed")
    saved_files: dict[str, str] = saved.get("files") or {}
    files: dict[str, str] = expected["files"]
    added = sorted(set(files) - set(saved_files))
    removed = sorted(set(saved_files) - set(files))
    changed = sorted(n for n in set(files) & set(saved_files) if files[n] != saved_files[n])
    for label, names in (("added", added), ("removed", removed), ("changed", changed)):
        if names:
            reasons.append(f"guides {label}: {', '.join(names[:5])}")
    if saved.get("documents") != expected["documents"] and not (added or removed or changed):
        reasons.append("documents changed")
    if reasons:
        raise IndexMismatch(index_dir, reasons)
