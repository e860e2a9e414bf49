"""Exact inner-product search over normalised chunk vectors with FAISS."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
Vector = npt.NDArray[np.float32]


class DenseIndex:
    def __init__(self, vectors: Matrix) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.size, dim = self.vectors.shape
        self._index = faiss.IndexFlatIP(dim)
        if self.size:
            self._index.add(self.vectors)

    def scores(self, query: Vector) -> Vector:
        """Cosine of the query to every chunk (exact, in chunk order)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        sims, ids = self._index.search(q, self.size)
        out = np.empty(self.size, dtype=np.float32)
        out[ids[0]] = sims[0]
        return out

    def save(self, path: Path) -> None:
        np.save(path, self.vectors)

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls(np.load(path))
