"""How long each `qcassist analyze` analysis takes on a large table: synthetic data (fixed seed) written as CSV, then
read, analysed and turned into its JSON document exactly as the CLI does. Budget: 2 s each at 100k rows.

    python -m evals.analytics_bench [ROWS]"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from assistant.config import Settings
from assistant.workflows.analysis import AnalysisRequest, run_analysis

SEED = 20240701
SUBGROUP = 5
CATEGORIES = 20
BUDGET_S = 2.0
WARM_ROWS = 200  # the first pass: enough rows for every analysis, too few to time anything but the imports
BENCH_MAX_MB = 1000


def synthetic_table(rows: int) -> pd.DataFrame:
    """Every column the analyses below need, one row per unit inspected or survey answered."""
    rng = np.random.default_rng(SEED)
    nps = np.clip(np.round(rng.normal(7.5, 2.0, rows)), 0, 10).astype(int)
    return pd.DataFrame({
        "id": np.arange(1, rows + 1),
        "subgroup": np.arange(rows) // SUBGROUP + 1,
        "diameter": np.round(rng.normal(10.0, 0.01, rows), 4),
        "category": rng.choice([f"cause {i:02d}" for i in range(CATEGORIES)], rows,
                               p=np.arange(CATEGORIES, 0, -1) / np.arange(CATEGORIES, 0, -1).sum()),
        "count": rng.integers(1, 5, rows),
        "defectives": rng.binomial(200, 0.02, rows),
        "size": 200,
        "returned": rng.binomial(1, np.where(np.arange(rows) < rows // 2, 0.03, 0.025)),
        "nps": nps,
        "csat": np.clip(np.round(1 + nps * 0.4 + rng.normal(0, 0.7, rows)), 1, 5).astype(int),
        "ces": rng.integers(1, 8, rows),
        "segment": rng.choice(["online", "store", "business"], rows),
        "qc": rng.normal(0.03, 0.005, rows),
        "sat": rng.normal(30, 5, rows),
    })


def requests(path: Path, rows: int) -> dict[str, AnalysisRequest]:
    half = str(rows // 2 + 1)  # ids above this are 'after'; in the returned column the rate falls from 3% to 2.5%
    return {
        "pareto": AnalysisRequest("pareto", path, category="category", count="count"),
        "control xbar-r": AnalysisRequest("control", path, column="diameter", subgroup="subgroup"),
        "control imr": AnalysisRequest("control", path, column="diameter", chart_type="imr"),
        "control p": AnalysisRequest("control", path, defectives="defectives", size="size", chart_type="p"),
        "capability": AnalysisRequest("capability", path, column="diameter", subgroup="subgroup", usl=10.04,
                                      lsl=9.96),
        "satisfaction": AnalysisRequest("satisfaction", path, nps_column="nps", csat_column="csat",
                                        ces_column="ces", segment="segment"),
        "compare rate": AnalysisRequest("compare", path, column="returned", period_column="id", split=half),
        "compare scores": AnalysisRequest("compare", path, column="nps", period_column="id", split=half),
        "link": AnalysisRequest("link", path, month_column="id", qc_column="qc", sat_column="sat"),
    }


def run(rows: int = 100_000) -> dict:
    """Seconds per analysis (read + analyse + JSON document) on `rows` synthetic rows, after one pass over a small
    table whose time is the imports (pandas, scipy.stats) a new process pays once."""
    settings = Settings(max_table_rows=max(rows, WARM_ROWS), max_upload_mb=BENCH_MAX_MB, _env_file=None)
    with tempfile.TemporaryDirectory() as folder:
        small, path = Path(folder) / "small.csv", Path(folder) / "bench.csv"
        synthetic_table(WARM_ROWS).to_csv(small, index=False)
        start = time.perf_counter()
        for request in requests(small, WARM_ROWS).values():
            _timed(request, settings)
        imports = round(time.perf_counter() - start, 3)
        synthetic_table(rows).to_csv(path, index=False)
        seconds = {name: _timed(request, settings) for name, request in requests(path, rows).items()}
    return {"rows": rows, "budget_s": BUDGET_S, "seconds": seconds, "first_pass_imports_s": imports,
            "within_budget": all(s <= BUDGET_S for s in seconds.values())}


def _timed(request: AnalysisRequest, settings: Settings) -> float:
    start = time.perf_counter()
    result, notes = run_analysis(request, settings)
    json.dumps({**result.to_dict(), "warnings": [n.text() for n in notes]}, ensure_ascii=False)
    return round(time.perf_counter() - start, 3)


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000), indent=2))
