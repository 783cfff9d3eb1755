"""A report as one self-contained HTML page: plotly.js inlined once, no external script,
style sheet, font or image, so it opens from a mail attachment with no account and offline.

Every text from the data (names, causes, notes) is HTML-escaped here; chart text was made
inert by the figures' builders (app.safe_text.plot) and plotly writes the figure JSON with
"<" escaped, so a name cannot close the script it sits in.
"""

from __future__ import annotations

import datetime as dt
from html import escape

import pandas as pd

from app.report.content import Report, Section

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2430;
       max-width: 1000px; margin: 2em auto; padding: 0 1em; }
h1 { margin-bottom: 0.1em; } .sub { color: #5b6270; margin-top: 0; }
.facts { display: flex; flex-wrap: wrap; gap: 1em; margin: 1.5em 0; }
.fact { border: 1px solid #d9dce3; border-radius: 8px; padding: 0.6em 1em; min-width: 10em; }
.fact b { display: block; font-size: 1.4em; } .fact span { color: #5b6270; font-size: 0.9em; }
section { margin: 2em 0; } table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e4e6eb; padding: 0.35em 0.6em; text-align: left; }
th { background: #f5f6f8; } td.num { text-align: right; }
footer { color: #5b6270; font-size: 0.85em; margin-top: 3em; }
"""


def _cell(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != value:  # NaN
            return '<td class="num">–</td>'
        text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.2f}"
        return f'<td class="num">{escape(text)}</td>'
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(_cell(v) for v in row) + "</tr>"
        for row in df.itertuples(index=False, name=None)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(s: Section, first_chart: bool) -> str:
    parts = [f"<section><h2>{escape(s.title)}</h2>"]
    if s.note:
        parts.append(f"<p>{escape(s.note)}</p>")
    if s.figure is not None:
        s.figure.update_layout(margin_l=max(s.figure.layout.margin.l or 0, 150))  # room for names
        parts.append(
            s.figure.to_html(
                full_html=False,
                include_plotlyjs=first_chart,  # the library once, inline; later charts reuse it
                config={"displaylogo": False, "responsive": True},
            )
        )
    if s.table is not None:
        parts.append(_table(s.table))
    parts.append("</section>")
    return "".join(parts)


def to_html(report: Report, generated: dt.datetime | None = None) -> str:
    """The whole page."""
    when = (generated or dt.datetime.now(dt.UTC)).strftime("%d %b %Y %H:%M UTC")
    what = "Artist report" if report.kind == "artist" else "Track report"
    facts = "".join(
        f'<div class="fact"><b>{escape(value)}</b><span>{escape(label)}</span></div>'
        for label, value in report.facts
    )
    sections, seen_chart = [], False
    for s in report.sections:
        sections.append(_section(s, first_chart=s.figure is not None and not seen_chart))
        seen_chart = seen_chart or s.figure is not None
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(what)}: {escape(report.subject)}</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{escape(report.subject)}</h1>"
        f"<p class='sub'>{escape(what)} · {escape(', '.join(report.labels))} · "
        f"streams {escape(report.period)}</p>"
        f"<div class='facts'>{facts}</div>"
        + "".join(sections)
        + f"<footer>Label Radar · generated {escape(when)}. Figures are model estimates "
        "from the label's own data; intervals show the likely range.</footer></body></html>"
    )
