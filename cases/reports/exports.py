"""The statistics as a table, exported as CSV or Excel bytes (the pages, the API and the command
line send or write them)."""

import csv
import io
from collections.abc import Mapping
from typing import Any

from cases.reports.counting import MEASURE_LABELS
from workflow.measures import COUNT_BASES, MEASURES

COLUMNS: list[tuple[str, str]] = list(MEASURE_LABELS.items())
HEADERS = ["维度", "项目", *(label for _, label in COLUMNS)]
#: The breakdowns, in the order the table lists them, with their Chinese names.
DIMENSIONS = [
    ("by_category", "类别"),
    ("by_channel", "信访形式"),
    ("by_region", "地区"),
    ("by_owner", "首接责任人"),
    ("by_group", "党小组"),
]
#: How a rise of each rate reads, for the definitions sheet.
BETTER = {"up": "上升为好", "down": "上升为差", None: ""}


def definitions() -> list[list[str]]:
    """The 口径说明 sheet's rows: each rate's basis and which way is better, then the counts'."""
    rows = [["指标", "口径", "升降"]]
    rows += [[m.label, m.basis, BETTER[m.better]] for m in MEASURES]
    rows += [[name, basis, ""] for name, basis in COUNT_BASES]
    return rows


def percent(value: float | None) -> str:
    """A rate as the office writes it: 「94.1%」, or "" when nothing was counted."""
    return "" if value is None else f"{value * 100:.1f}%"


def stats_rows(data: Mapping[str, Any]) -> list[list[Any]]:
    """The statistics as one table: overall now and before, each breakdown, the hotspots."""
    rows: list[list[Any]] = []

    def row(dimension: str, item: str, values: Mapping[str, Any]) -> None:
        rows.append([dimension, item, *(values.get(key) for key, _ in COLUMNS)])

    overall = dict(data, previous_intakes=data["previous"]["intakes"])
    row("总体", f"本期 {data['from']} 至 {data['to']}", overall)
    previous = data["previous"]
    row("总体", f"上期 {previous['from']} 至 {previous['to']}", previous)
    for key, name in DIMENSIONS:
        for value in data[key].values():
            row(name, value["label"], value)
    for item in data["hotspots"]["topics"]:
        row(
            "上升热点词",
            item["keyword"],
            {"intakes": item["count"], "previous_intakes": item["previous"]},
        )
    for item in data["hotspots"]["regions"]:
        row(
            "上升地区",
            item["label"],
            {"intakes": item["count"], "previous_intakes": item["previous"]},
        )
    return rows


#: What makes a spreadsheet read a cell as a formula (or split it): a name such as
#: 「=HYPERLINK(…)」 typed into the office's data must stay text in the export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell's value as text a spreadsheet never runs: one starting like a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _is_rate(index: int) -> bool:
    return index >= 2 and COLUMNS[index - 2][0].endswith("_rate")


def stats_csv(data: Mapping[str, Any]) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel reads the Chinese), rates as 「94.1%」, "" for none."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for r in stats_rows(data):
        writer.writerow(
            [
                percent(v) if _is_rate(i) else "" if v is None else neutralise(v)
                for i, v in enumerate(r)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def stats_xlsx(data: Mapping[str, Any]) -> bytes:
    """An Excel workbook: the statistics table (rates as percentages) and the definitions."""
    # openpyxl loads only when a workbook is made.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append([f"统计期间 {data['from']} 至 {data['to']}（{data['days']}日）"])
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F1EDE8")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r in stats_rows(data):
        ws.append([neutralise(v) for v in r])
        for i, cell in enumerate(ws[ws.max_row]):
            if _is_rate(i) and cell.value is not None:
                cell.number_format = "0.0%"
    ws.freeze_panes = "C3"
    for i in range(1, len(HEADERS) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 22 if i <= 2 else 11
    notes = wb.create_sheet("口径说明")
    for line in definitions():
        notes.append(line)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 100
    notes.column_dimensions["C"].width = 12
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
