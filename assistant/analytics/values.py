"""Turning results into JSON-ready values, and naming file rows the way the user sees them."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from assistant.analytics.constants import HEADER_ROWS, ROW_LIST_LIMIT

SIGNIFICANT_DIGITS = 6  # enough for any QC figure; spares the reader 0.30000000000000004


def json_ready(value: Any) -> Any:
    """Plain JSON values: NaN and infinities become None, numpy scalars and arrays plain numbers and lists, scalar
    floats rounded to six significant digits (per-point series are left as computed)."""
    if isinstance(value, np.ndarray):
        return [None if not math.isfinite(v) else v for v in value.astype(float).tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_ready(value.to_dict() if hasattr(value, "to_dict") else dataclasses.asdict(value))
    return value


def file_row(index: int) -> int:
    """The row number of a 0-based data row as the user sees it in the file (the header is row 1)."""
    return index + HEADER_ROWS + 1


def row_list(rows: Iterable[int]) -> str:
    """'3, 7, 12' — the first ROW_LIST_LIMIT rows, then '…'."""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:ROW_LIST_LIMIT])
    return shown + (", …" if len(rows) > ROW_LIST_LIMIT else "")
