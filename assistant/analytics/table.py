"""Reading the user's table (CSV or Excel) within limits, and taking columns from it with errors that name what
is wrong and where. Every cell is read as text; the index of a table is the row number the user sees (header = 1)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from assistant.analytics.values import file_row, row_list
from assistant.errors import BadInputError
from assistant.files import check_unpacked_size

TABLE_SUFFIXES = (".csv", ".xlsx")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without BOM), then GBK and its superset GB18030
DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_BYTES = 20_000_000
DEFAULT_MAX_UNPACKED_BYTES = 60_000_000
# No QC table is this wide; a hostile one (a header of millions of commas, an Excel row to column XFD) would make
# pandas build millions of columns before any check could see it.
MAX_COLUMNS = 1000
MAX_CELLS = 4_000_000  # rows x columns: 200,000 rows of 20 columns; each cell is a Python string in memory
BYTES_PER_MB = 1_000_000


def read_table(path: Path, sheet: str | None = None, max_rows: int = DEFAULT_MAX_ROWS,
               max_bytes: int = DEFAULT_MAX_BYTES,
               max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES) -> pd.DataFrame:
    """The table in a .csv or .xlsx file as text cells, its index the file's row numbers; BadInputError for a
    missing, empty, too large or unreadable file."""
    path = Path(path)
    if not path.is_file():
        raise BadInputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise BadInputError(f"cannot read {path.name}: use a .csv or .xlsx file")
    size = path.stat().st_size
    if size == 0:
        raise BadInputError(f"{path.name} is empty")
    if size > max_bytes:
        raise BadInputError(f"{path.name} is {size / BYTES_PER_MB:.1f} MB, more than the {max_bytes / BYTES_PER_MB:g} "
                            "MB allowed (QCA_MAX_UPLOAD_MB)")
    if suffix == ".csv":
        if sheet is not None:
            raise BadInputError(f"--sheet is for Excel workbooks; {path.name} is a CSV file")
        table = _read_csv(path, max_rows)
    else:
        check_unpacked_size(path, max_unpacked_bytes)  # a workbook is a zip archive: no bomb gets unpacked
        table = _read_xlsx(path, sheet, max_rows)
    table = table[(table != "").any(axis=1)]  # rows left blank, as spreadsheets often end
    if table.empty:
        raise BadInputError(f"{path.name} has a header but no data rows")
    return table


def _too_many_rows(path: Path, max_rows: int, budget: int) -> BadInputError:
    if budget < max_rows:
        return BadInputError(f"{path.name} has more than {budget} data rows, too many for its width: a table may "
                             f"have at most {MAX_CELLS:,} cells")
    return BadInputError(f"{path.name} has more than {max_rows} data rows (QCA_MAX_TABLE_ROWS)")


def _read_csv(path: Path, max_rows: int) -> pd.DataFrame:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadInputError(f"{path.name} is neither UTF-8 nor GBK text: save it as UTF-8 CSV")
    budget = _row_budget(path, text.partition("\n")[0].count(",") + 1, max_rows)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False,
                            nrows=budget + 1, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BadInputError(f"cannot read {path.name} as CSV: {str(exc).strip().splitlines()[0]}") from exc
    if len(table) > budget:
        raise _too_many_rows(path, max_rows, budget)
    table.columns = [str(c).strip() for c in table.columns]
    table.index = file_row(np.arange(len(table)))
    return table


def _read_xlsx(path: Path, sheet: str | None, max_rows: int) -> pd.DataFrame:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise BadInputError(f"cannot read {path.name} as an Excel workbook: {exc}") from exc
    try:
        worksheet = book[_sheet_name(path, book.sheetnames, sheet)]
        rows = []
        for row in worksheet.iter_rows(values_only=True):
            if not rows:
                budget = _row_budget(path, len(row), max_rows)
            rows.append(["" if v is None else str(v).strip() for v in row])
            if len(rows) > budget + 1:
                raise _too_many_rows(path, max_rows, budget)
    finally:
        book.close()
    if not rows:
        raise BadInputError(f"{path.name}: sheet '{worksheet.title}' is empty")
    width = max(len(r) for r in rows)
    header = [h or f"column {i}" for i, h in enumerate(rows[0] + [""] * (width - len(rows[0])), start=1)]
    body = [r + [""] * (width - len(r)) for r in rows[1:]]
    table = pd.DataFrame(body, columns=header, index=file_row(np.arange(len(body))), dtype=str)
    _check_cached_values(path, worksheet.title, table)
    return table


def _row_budget(path: Path, columns: int, max_rows: int) -> int:
    """The rows a table of this width may have: QCA_MAX_TABLE_ROWS, fewer for a wide table (MAX_CELLS)."""
    if columns > MAX_COLUMNS:
        raise BadInputError(f"{path.name} has {columns} columns, more than the {MAX_COLUMNS} a table may have")
    return min(max_rows, MAX_CELLS // columns)


def _sheet_name(path: Path, names: list[str], sheet: str | None) -> str:
    if sheet is None:
        if len(names) > 1:
            raise BadInputError(f"{path.name} has {len(names)} sheets ({', '.join(names)}): choose one with --sheet")
        return names[0]
    if sheet not in names:
        raise BadInputError(f"{path.name} has no sheet '{sheet}'; its sheets are {', '.join(names)}")
    return sheet


def _check_cached_values(path: Path, title: str, table: pd.DataFrame) -> None:
    """Excel keeps a formula's last result only when Excel itself saved the file; files written by programs often
    have formulas with no values, which would read as blanks."""
    empty = [c for c in table.columns if (table[c] == "").all()]
    if not empty:
        return
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = {str(cell.value).strip() for row in book[title].iter_rows(min_row=2) for cell in row
                    if isinstance(cell.value, str) and cell.value.startswith("=")}
    finally:
        book.close()
    if formulas:
        raise BadInputError(f"{path.name}: sheet '{title}' has formulas with no saved values (column(s) "
                            f"{', '.join(empty)}): open and save it in Excel, or export it as CSV")


def require_column(table: pd.DataFrame, name: str) -> pd.Series:
    """The column called name, its cells stripped of spaces; BadInputError naming the columns the table has."""
    if name not in table.columns:
        raise BadInputError(f"no column '{name}'; the columns found are: {', '.join(map(str, table.columns))}")
    return table[name].str.strip()  # here, not on reading: only the columns an analysis uses pay for it


def numeric(table: pd.DataFrame, name: str) -> pd.Series:
    """The column as floats, blanks as NaN; BadInputError naming the rows whose cells are not numbers."""
    column = require_column(table, name)
    values = pd.to_numeric(column, errors="coerce").astype(float)
    bad = ~np.isfinite(values.to_numpy()) & (column != "").to_numpy()
    if bad.any():
        raise BadInputError(f"column '{name}' has cells that are not numbers in row(s) {row_list(table.index[bad])}")
    return values


def by_subgroup(values: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Size, mean, range and standard deviation of each subgroup, in order of first appearance; rows with a blank
    value or subgroup are left out."""
    keep = values.notna() & (groups.astype(str) != "")
    grouped = values[keep].groupby(groups[keep], sort=False)
    stats = grouped.agg(["count", "mean", "min", "max", "std"])
    return pd.DataFrame({"n": stats["count"].astype(int), "mean": stats["mean"],
                         "range": stats["max"] - stats["min"], "sd": stats["std"]})
