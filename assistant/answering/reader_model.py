"""The reader's trained models as plain JSON (no pickle: nothing executable is loaded), scored with numpy.

Two kinds are written by evals/train_reader.py: a logistic regression (standardised features, one weight each)
and gradient-boosted trees (sklearn's GradientBoostingClassifier, binary log-loss: the trees' outputs summed,
scaled by the learning rate, on top of the prior log-odds)."""

from __future__ import annotations

from typing import Any

import numpy as np


class Forest:
    """Every tree's nodes in one set of arrays, so all rows walk all trees together, one level per step
    (sklearn sends x <= threshold left; a leaf's feature is negative)."""

    def __init__(self, trees: list[dict[str, list]]):
        offsets = np.cumsum([0] + [len(t["feature"]) for t in trees[:-1]])
        self.roots = offsets.astype(np.int64)
        self.feature = np.concatenate([np.asarray(t["feature"], dtype=np.int64) for t in trees])
        self.threshold = np.concatenate([np.asarray(t["threshold"], dtype=np.float64) for t in trees])
        placed = list(zip(trees, offsets, strict=True))  # child indices move with their tree (leaves' -1 is never read)
        self.left = np.concatenate([np.asarray(t["left"], dtype=np.int64) + o for t, o in placed])
        self.right = np.concatenate([np.asarray(t["right"], dtype=np.int64) + o for t, o in placed])
        self.value = np.concatenate([np.asarray(t["value"], dtype=np.float64) for t in trees])

    def predict_sum(self, rows: np.ndarray) -> np.ndarray:
        node = np.tile(self.roots, (len(rows), 1))
        row_index = np.arange(len(rows))[:, None]
        while True:
            feature = self.feature[node]
            inner = feature >= 0
            if not inner.any():
                return self.value[node].sum(axis=1)
            goes_left = rows[row_index, np.where(inner, feature, 0)] <= self.threshold[node]
            node = np.where(inner, np.where(goes_left, self.left[node], self.right[node]), node)


class BinaryModel:
    """P(positive) for rows of features named as at training time."""

    def __init__(self, data: dict[str, Any]):
        self.kind = data["kind"]
        self.features: list[str] = data["features"]
        if self.kind == "logistic":
            self.mean = np.asarray(data["mean"], dtype=np.float64)
            self.scale = np.asarray(data["scale"], dtype=np.float64)
            self.coef = np.asarray(data["coef"], dtype=np.float64)
            self.intercept = float(data["intercept"])
        elif self.kind == "trees":
            self.prior = float(data["prior"])
            self.learning_rate = float(data["learning_rate"])
            self.forest = Forest(data["trees"])
        else:
            raise ValueError(f"unknown reader model kind {self.kind!r}")

    def select(self, rows: np.ndarray, names: list[str]) -> np.ndarray:
        """The model's columns out of a wider feature matrix."""
        index = {name: i for i, name in enumerate(names)}
        return rows[:, [index[name] for name in self.features]]

    def probability(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        rows = np.asarray(rows, dtype=np.float64)
        if self.kind == "logistic":
            logit = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        else:
            logit = self.prior + self.learning_rate * self.forest.predict_sum(rows)
        return 1.0 / (1.0 + np.exp(-logit))
