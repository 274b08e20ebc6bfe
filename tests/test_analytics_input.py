"""The Western Electric rules on series built to trigger exactly one rule each, and careless input: every mistake a
user can make with a table is a one-line BadInputError that says what and where."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.analytics.compare import split_periods
from assistant.analytics.control import control_chart, western_electric
from assistant.analytics.link import link
from assistant.analytics.satisfaction import satisfaction
from assistant.analytics.table import numeric, read_table, require_column
from assistant.errors import BadInputError
from tests.test_analytics import table


def alternating(n: int = 30) -> np.ndarray:
    """+-0.5 sigma in turn: no rule fires on it."""
    return np.where(np.arange(n) % 2 == 0, 0.5, -0.5)


def with_values(changes: dict[int, float]) -> np.ndarray:
    series = alternating()
    for index, value in changes.items():
        series[index] = value
    return series


@pytest.mark.parametrize("changes, rule, points", [
    ({}, None, []),
    ({10: 3.5}, 1, [11]),  # one point beyond 3 sigma
    ({10: 2.5, 12: 2.5}, 2, [13]),  # 2 of 3 beyond 2 sigma (the middle one is -0.5)
    ({10: 1.5, 11: 1.5, 12: 0.5, 13: 1.5, 14: 1.5}, 3, [15]),  # 4 of 5 beyond 1 sigma, all above
    ({**{i: 0.5 for i in range(10, 18)}, 18: -0.5}, 4, [18]),  # 8 in a row above the centre line, then below
    ({10: -3.2}, 1, [11]),  # and below
    ({**{i: -0.5 for i in range(11, 19)}, 19: 0.5}, 4, [19]),
])
def test_each_western_electric_rule_fires_alone_on_its_pattern(changes, rule, points):
    found = western_electric(with_values(changes), 0.0, 1.0)
    assert {number: list(hits) for number, hits in found.items() if len(hits)} == ({rule: points} if rule else {})


def test_western_electric_rules_use_each_points_own_sigma():
    """With limits that vary by point (p and u charts) a value is judged against its own sigma."""
    found = western_electric(np.array([2.5, 2.5]), 0.0, np.array([1.0, 0.5]))
    assert list(found[1]) == [2] and list(found[2]) == [2]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_a_missing_column_names_the_columns_found(tmp_path):
    data = read_table(write(tmp_path, "t.csv", "批次,直径\n1,10.0\n"))
    with pytest.raises(BadInputError, match="no column 'diameter'; the columns found are: 批次, 直径"):
        require_column(data, "diameter")


def test_non_numeric_cells_are_named_by_their_row_in_the_file(tmp_path):
    rows = ["x"] + ["1.5", "n/a", "2", "", "abc"] + ["oops"] * 12
    data = read_table(write(tmp_path, "t.csv", "\n".join(rows) + "\n"))
    with pytest.raises(BadInputError) as error:
        numeric(data, "x")
    message = str(error.value)
    assert "row(s) 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, …" in message and "\n" not in message
    assert numeric(read_table(write(tmp_path, "u.csv", "x\n1\n\n2\n")), "x").tolist() == [1.0, 2.0]


@pytest.mark.parametrize("name, text, message", [
    ("empty.csv", "", "is empty"),
    ("header.csv", "a,b\n", "has a header but no data rows"),
    ("blank.csv", "a,b\n,\n,\n", "has a header but no data rows"),
    ("notes.txt", "a\n1\n", "use a .csv or .xlsx file"),
])
def test_unusable_files_are_errors(tmp_path, name, text, message):
    with pytest.raises(BadInputError, match=message):
        read_table(write(tmp_path, name, text))
    with pytest.raises(BadInputError, match="no such file"):
        read_table(tmp_path / "missing.csv")


def test_the_size_limit_is_checked_before_the_file_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, "big.csv", "x\n" + "1\n" * 100)

    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(BadInputError, match=r"big.csv is 0.0 MB, more than the 0.0001 MB allowed"):
        read_table(path, max_bytes=100)


def test_more_rows_than_allowed_is_an_error(tmp_path):
    path = write(tmp_path, "t.csv", "x\n" + "1\n" * 6)
    assert len(read_table(path, max_rows=6)) == 6
    with pytest.raises(BadInputError, match="more than 5 data rows"):
        read_table(path, max_rows=5)


def test_gbk_and_bom_csv_files_are_read(tmp_path):
    gbk = read_table(write(tmp_path, "gbk.csv", "类别,数量\n包装破损,3\n", encoding="gbk"))
    assert gbk.loc[2, "类别"] == "包装破损"
    bom = read_table(write(tmp_path, "bom.csv", "category,count\nA,1\n", encoding="utf-8-sig"))
    assert list(bom.columns) == ["category", "count"]


def workbook(tmp_path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


def test_excel_sheets_must_be_chosen_and_exist(tmp_path):
    path = workbook(tmp_path, {"Jan": [["x", "y"], [1, 2.5], [None, None], [3, 4]], "Feb": [["x"], [9]]})
    with pytest.raises(BadInputError, match=r"has 2 sheets \(Jan, Feb\): choose one with --sheet"):
        read_table(path)
    with pytest.raises(BadInputError, match="no sheet 'Mar'; its sheets are Jan, Feb"):
        read_table(path, sheet="Mar")
    jan = read_table(path, sheet="Jan")
    assert numeric(jan, "y").to_dict() == {2: 2.5, 4: 4.0}  # row numbers as Excel shows them
    with pytest.raises(BadInputError, match="more than 1 data rows"):
        read_table(path, sheet="Jan", max_rows=1)


def test_an_excel_sheet_of_formulas_without_saved_values_is_an_error(tmp_path):
    path = workbook(tmp_path, {"data": [["a", "b"], ["=1+1", "=A2*2"], ["=2+2", "=A3*2"]]})
    with pytest.raises(BadInputError, match="formulas with no saved values .* open and save it in Excel"):
        read_table(path)


def test_few_subgroups_give_a_warning_not_an_error():
    data = table(v=[1.0, 1.2, 0.9, 1.1, 1.3, 0.8, 1.0, 1.1, 0.9, 1.2], g=[1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    result = control_chart(data, "xbar-r", column="v", subgroup="g")
    assert [n.code for n in result.notes] == ["few_subgroups"] and "only 5 subgroups" in result.notes[0].text()
    assert "仅有 5 个子组" in result.notes[0].text("zh")


@pytest.mark.parametrize("kwargs, message", [
    ({"chart": "xbar-r", "column": "v", "subgroup": "g"}, r"subgroup\(s\) 3 of 'g' have fewer than 2"),
    ({"chart": "np", "defectives": "d", "size": "n"}, "np chart needs one sample size"),
    ({"chart": "p", "defectives": "d", "size": "v"}, r"'d' is larger than 'v' in row\(s\) 2, 3"),
    ({"chart": "xbar-s", "column": "v"}, "needs --subgroup"),
    ({"chart": "zz", "column": "v"}, "unknown chart type 'zz'"),
])
def test_charts_refuse_data_they_cannot_chart(kwargs, message):
    data = table(v=[0.5, 0.6, 1.0, 1.2, 1.4], g=[1, 1, 3, 2, 2], d=[1, 2, 0, 1, 1], n=[10, 10, 10, 12, 10])
    with pytest.raises(BadInputError, match=message):
        control_chart(data, **kwargs)


def test_answers_off_the_scale_are_named_by_row():
    with pytest.raises(BadInputError, match=r"'nps' must hold whole numbers from 0 to 10; row\(s\) 3, 5 do not"):
        satisfaction(table(nps=[9, 11, 7, 8.5]), nps="nps")


def test_a_split_that_leaves_a_period_empty_and_repeated_months_are_errors():
    data = table(month=["2024-01", "2024-02", "2024-02", "2024-03"], v=[1, 2, 3, 4])
    with pytest.raises(BadInputError, match="leaves no rows before it"):
        split_periods(data, "month", "2023-12")
    before, after = split_periods(data, "month", "2024-02")
    assert (len(before), len(after)) == (1, 3)
    with pytest.raises(BadInputError, match=r"months repeat in row\(s\) 3, 4"):
        link(data, "month", "v", "v")


@pytest.mark.security
def test_hostile_tables_are_refused_before_pandas_or_openpyxl_expand_them(tmp_path):
    """A header of a million commas, an Excel row out to column 2000, and a workbook that unpacks past the budget
    (a zip bomb in all but size) are one-line errors, not gigabytes of columns."""
    import zipfile

    wide = tmp_path / "wide.csv"
    wide.write_text("," * 1_000_000 + "\n1\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="1000001 columns, more than the 1000"):
        read_table(wide)
    with pytest.raises(BadInputError, match="2000 columns"):
        read_table(workbook(tmp_path, {"data": [[f"c{i}" for i in range(2000)], list(range(2000))]}))
    bomb = workbook(tmp_path, {"data": [["x"], [1]]})
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * 5_000_000)  # compresses to a few kB
    assert bomb.stat().st_size < 100_000
    with pytest.raises(BadInputError, match="unpacks to more than"):
        read_table(bomb, max_unpacked_bytes=1_000_000)


def test_a_wide_table_may_have_fewer_rows(tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.analytics.table.MAX_CELLS", 1000)
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(100)) + "\n" + ("1," * 99 + "1\n") * 11, encoding="utf-8")
    with pytest.raises(BadInputError, match="more than 10 data rows, too many for its width: .*1,000 cells"):
        read_table(path)
    path.write_text(",".join(f"c{i}" for i in range(100)) + "\n" + ("1," * 99 + "1\n") * 10, encoding="utf-8")
    assert read_table(path).shape == (10, 100)
