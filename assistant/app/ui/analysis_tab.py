"""Analyze tab: QC statistics on an uploaded table or a shipped sample, with its chart, summary, JSON and background
from the knowledge base. What the buttons do lives in assistant/app/analysis_actions.py."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.app import analysis_actions as actions
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.service import Assistant
from assistant.workflows.analysis import ANALYSES

FIRST_ANALYSIS = "control"
COLUMN_LABELS = {
    "category": "Category 类别", "count": "Count 数量", "column": "Column (values) 数据列", "subgroup": "Subgroup 子组",
    "defectives": "Defectives / events 不良数", "size": "Sample size / units 样本量", "period_column": "Period 时期",
    "month_column": "Month 月份", "qc_column": "QC metric 质量指标", "sat_column": "Satisfaction 满意度",
    "nps_column": "NPS (0-10)", "csat_column": "CSAT (1-5)", "ces_column": "CES (1-7)", "segment": "Segment 细分",
}
PRESET_FIELDS = ("usl", "lsl", "split", "metric_name")  # set by choosing a sample, besides its columns
TOGGLED = (*actions.COLUMN_FIELDS, "chart_type", *PRESET_FIELDS)  # shown only when the analysis reads them
FIELD_WIDTH = 220  # px: four fields to a line at the default width, wrapping beyond


def _upload_root() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


def _inputs(assistant: Assistant, kb_choices: list[str]) -> dict:
    """Every input component by the field name the actions know it by."""
    with gr.Row():
        file = gr.File(label="Your table 上传表格 (.csv, .xlsx)", file_types=[".csv", ".xlsx"], type="filepath")
        with gr.Column():
            sample = gr.Dropdown(choices=["", *actions.samples()], value="", label="…or a sample 示例数据")
            sheet = gr.Textbox(label="Excel sheet 工作表 (when there are several)")
    with gr.Row():
        analysis = gr.Dropdown(choices=list(ANALYSES), value=FIRST_ANALYSIS, label="Analysis 分析")
        chart_type = gr.Dropdown(choices=["", *actions.chart_types()], value="", label="Chart type 图类型 (auto)")
        lang = gr.Radio(choices=[("中文", "zh"), ("English", "en")], value="en", label="Language 语言")
        kb = gr.Dropdown(choices=kb_choices, value="default", label="Knowledge base", allow_custom_value=True)
    fields = {"file": file, "sample": sample, "sheet": sheet, "analysis": analysis, "chart_type": chart_type,
              "lang": lang, "kb": kb}
    shown = actions.visible_fields(FIRST_ANALYSIS)
    with gr.Row():  # one row that wraps: only the fields of the chosen analysis are visible
        for name in actions.COLUMN_FIELDS:
            fields[name] = gr.Dropdown(choices=[], label=COLUMN_LABELS[name], allow_custom_value=True,
                                       visible=name in shown, min_width=FIELD_WIDTH)
        for name, label in (("usl", "USL 规格上限"), ("lsl", "LSL 规格下限")):
            fields[name] = gr.Number(label=label, visible=name in shown, min_width=FIELD_WIDTH)
        fields["split"] = gr.Textbox(label="Split: periods before this are 'before' 分界", visible=False,
                                     min_width=FIELD_WIDTH)
        fields["metric_name"] = gr.Textbox(label="Metric name 指标名称", visible=False, min_width=FIELD_WIDTH)
    return fields


def _handlers(assistant: Assistant, fields: dict):
    """choose (a file or sample: its columns and the fields that fit it), show (the analysis's fields), run."""

    def choose(file: str | None, sample: str, sheet: str, request: gr.Request):
        try:
            table = actions.choose_table(assistant, user_of(assistant, request), file, sample, sheet, _upload_root())
        except QCAError as exc:
            return warning(exc), *[gr.skip()] * (1 + len(actions.COLUMN_FIELDS) + len(PRESET_FIELDS))
        preset, sampled = table["preset"], not file
        columns = [gr.Dropdown(choices=table["columns"], value=preset.get(n)) for n in actions.COLUMN_FIELDS]
        rest = [preset.get(n, None if n in actions.NUMBER_FIELDS else "") if sampled else gr.skip()
                for n in PRESET_FIELDS]
        return (f"{len(table['columns'])} columns: {', '.join(table['columns'])}",
                preset.get("analysis", gr.skip()), *columns, *rest)

    def show(analysis: str):
        shown = actions.visible_fields(analysis)
        return [gr.update(visible=n in shown) for n in TOGGLED]

    def run(values: dict, request: gr.Request):
        form = {name: values[component] for name, component in fields.items()}
        file, sample, kb, lang = (form.pop(k) for k in ("file", "sample", "kb", "lang"))
        try:
            done = actions.analyze(assistant, user_of(assistant, request), form, file, sample, kb, lang,
                                   _upload_root())
        except QCAError as exc:
            return warning(exc), "", None, None, ""
        return (actions.warnings_markdown(done["warnings"]), actions.summary_markdown(done["summary"]), done["chart"],
                done["result"], actions.background_markdown(done["background"]))

    return choose, show, run


def analysis_tab(assistant: Assistant, kb_choices: list[str]):
    fields = _inputs(assistant, kb_choices)
    go = gr.Button("Run 运行", variant="primary")
    status = gr.Markdown()
    summary = gr.Markdown()
    chart = gr.Image(label="Chart 图表", type="filepath", interactive=False)
    background = gr.Markdown()
    with gr.Accordion("Result JSON", open=False):
        raw = gr.JSON()
    choose, show, run = _handlers(assistant, fields)
    chosen = [status, fields["analysis"], *[fields[n] for n in (*actions.COLUMN_FIELDS, *PRESET_FIELDS)]]
    for trigger in (fields["file"].change, fields["sample"].change):
        trigger(choose, [fields["file"], fields["sample"], fields["sheet"]], chosen, api_visibility="private")
    fields["analysis"].change(show, fields["analysis"], [fields[n] for n in TOGGLED], api_visibility="private")
    go.click(run, set(fields.values()), [status, summary, chart, raw, background], api_visibility="private")
    return fields["kb"]
