"""Okapi BM25 over chunks, as a sparse term-weight matrix (one query = one sparse lookup).

Same scoring as rank_bm25's BM25Okapi (k1=1.5, b=0.75, idf floored at eps * mean idf), but
vectorised with scipy so a query over thousands of chunks takes well under a millisecond."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import numpy.typing as npt
from scipy import sparse

Vector = npt.NDArray[np.float32]


class Bm25Index:
    def __init__(
        self, corpus: list[list[str]], k1: float = 1.5, b: float = 0.75, eps: float = 0.25
    ) -> None:
        self.size = len(corpus)
        self._vocab: dict[str, int] = {}
        counts = [Counter(tokens) for tokens in corpus]
        for counter in counts:
            for term in counter:
                self._vocab.setdefault(term, len(self._vocab))
        lengths = np.array([len(tokens) for tokens in corpus], dtype=np.float64)
        avgdl = float(lengths.mean()) if self.size and lengths.sum() else 1.0
        df = np.zeros(len(self._vocab), dtype=np.float64)
        for counter in counts:
            for term in counter:
                df[self._vocab[term]] += 1
        idf = np.log((self.size - df + 0.5) / (df + 0.5)) if len(df) else df
        floor = eps * float(idf.mean()) if len(idf) else 0.0
        idf = np.where(idf < 0, floor, idf)
        rows, cols, vals = [], [], []
        for row, counter in enumerate(counts):
            norm = k1 * (1 - b + b * lengths[row] / avgdl)
            for term, tf in counter.items():
                col = self._vocab[term]
                rows.append(row)
                cols.append(col)
                vals.append(idf[col] * tf * (k1 + 1) / (tf + norm))
        self._idf = idf
        self._matrix = sparse.csc_matrix(
            (vals, (rows, cols)), shape=(self.size, max(len(self._vocab), 1)), dtype=np.float32
        )

    def scores(self, tokens: list[str]) -> Vector:
        """BM25 score of every chunk for the query tokens (repeated tokens count again)."""
        counter = Counter(t for t in tokens if t in self._vocab)
        if not counter or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        cols = [self._vocab[t] for t in counter]
        weights = np.array(list(counter.values()), dtype=np.float32)
        sub = self._matrix[:, cols]
        return np.asarray(sub @ weights, dtype=np.float32).ravel()

    def idf_mass(self, tokens: list[str]) -> float:
        """Sum of idf of the query tokens known to the index (a query-specificity feature)."""
        return float(sum(self._idf[self._vocab[t]] for t in tokens if t in self._vocab))

    def coverage(self, tokens: list[str]) -> float:
        """Share of query tokens that occur anywhere in the index (0 for gibberish)."""
        if not tokens:
            return 0.0
        return sum(t in self._vocab for t in tokens) / len(tokens)


def log_idf_upper_bound(n_docs: int) -> float:
    return math.log(n_docs + 1.0)
