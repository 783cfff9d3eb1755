"""The escaping helpers (app.safe_text), the hostile-text checks they are judged by, safe
CSV exports and map tooltips: known answers."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from app import charts, safe_text, widgets
from app.safe_text import WORD_JOINER as WJ
from tests.support import hostile_text as ht

ROOT = Path(__file__).resolve().parents[2]
MARKUP = [c for c in ht.CORPUS if ht.live_markup(c)]


def test_the_checks_flag_the_raw_corpus() -> None:
    # the checks can fail: most of the corpus is live markup as it stands
    assert ht.live_markup(ht.PHISHING_LINK) == ["link or image", "image", "url"]
    assert "directive" in ht.live_markup(ht.APPROVE_NOW)
    assert ht.live_markup(":smile:") == ["shortcode"]
    assert ht.live_markup("see www.evil.example") == ["url"]
    assert ht.live_markup("a@evil.example") == ["e-mail"]
    assert ht.live_markup("$x$") == ["math"]
    assert ht.live_markup("<img src=x>") == ["html tag"]
    assert ht.live_markup("**bold** and `code [x](y)`") == []
    assert len(MARKUP) >= 8


@pytest.mark.parametrize("text", ht.CORPUS + (ht.LABEL, ht.NOTE, ht.RETURN_NOTE))
def test_md_leaves_no_markup(text: str) -> None:
    escaped = safe_text.md(text)
    assert ht.live_markup(escaped) == []
    assert ht.live_markup(f"**{escaped}** · {escaped}") == []
    assert "\n" not in escaped


def test_md_known_answers() -> None:
    assert safe_text.md("Plain name") == "Plain name"
    assert safe_text.md("AC/DC (live) 1.5") == r"AC\/DC \(live\) 1\.5"
    assert safe_text.md(r"a\b") == r"a\\b"
    assert safe_text.md(":smile:") == rf"\:{WJ}smile\:"
    assert safe_text.md(":red[x]") == rf"\:{WJ}red\[x\]"
    assert safe_text.md("https://x.io") == rf"https\:{WJ}\/\/x\.io"
    assert safe_text.md("www.x.io") == rf"www{WJ}\.x\.io"
    assert safe_text.md("a@b.io") == rf"a\@{WJ}b\.io"
    assert safe_text.md("$5") == r"\$5"
    assert safe_text.md("a -> b") == rf"a \-{WJ}\> b"
    assert safe_text.md("two\n\nlines") == "two lines"
    assert safe_text.md("  \t x") == " x"  # no indented code block
    # a right-to-left override stays inside the value
    assert safe_text.md("a\u202eb") == "\u2068a\u202eb\u2069"
    assert safe_text.md("\u2067a") == "\u2068\u2067a\u2069\u2069"
    # a right-to-left name is isolated too, so the text beside it keeps its order
    assert safe_text.md("نور الليل") == "\u2068نور الليل\u2069"
    assert safe_text.md("שיר") == "\u2068שיר\u2069"
    assert safe_text.md("Amber Garden") == "Amber Garden"  # left-to-right: unchanged
    assert safe_text.md("Beyoncé") == "Beyoncé"
    assert safe_text.md(12) == "12"


def test_code_span_known_answers() -> None:
    assert safe_text.code("nora") == "` nora `"
    assert safe_text.code("a`b") == "`` a`b ``"
    assert safe_text.code("x:material/home:") == f"` x:{WJ}material/home: `"
    assert ht.live_markup(safe_text.code(ht.PHISHING_LINK)) == []


def test_plot_text_known_answers() -> None:
    assert safe_text.plot("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert safe_text.plot("$x$ %{y}") == "&#36;x&#36; &#37;{y}"
    assert widgets.plot_text is safe_text.plot  # the figures' import still works
    fig = {"data": [{"name": safe_text.plot(c), "hovertemplate": "%{x}<br>"} for c in ht.CORPUS]}
    assert ht.plotly_markup(fig) == []
    raw = {"data": [{"name": c} for c in ht.CORPUS]}
    assert {"tag <img>", "tag <a>", "tag <script>", "latex", "placeholder %{meta}"} <= set(
        ht.plotly_markup(raw)
    )


def test_csv_export_defuses_the_corpus_formulas() -> None:
    formulas = [c for c in ht.CORPUS if c[:1] in "=+-@"]
    assert len(formulas) == 3
    df = pd.DataFrame({"title": formulas, "streams": [1, 2, 3]})
    lines = widgets.csv_bytes(df).decode("utf-8-sig").splitlines()[1:]
    cells = list(pd.read_csv(pd.io.common.StringIO("\n".join(lines)), header=None)[0])
    assert cells == ["'" + f for f in formulas]


def test_download_names_carry_no_markup() -> None:
    assert widgets._file_name("top-tracks") == "top-tracks.csv"
    assert widgets._file_name("Territories US/expand") == "territories-us-expand.csv"
    assert widgets._file_name("fan-targets-AR1.csv") == "fan-targets-AR1.csv"
    assert widgets._file_name('x"; <b>\n.csv') == "x-b.csv"
    assert widgets._file_name("<>.csv") == "table.csv"


def test_table_toolbar_export_is_off() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


def test_map_tooltip_is_text_filled_in_one_pass() -> None:
    points = pd.DataFrame(
        {
            "name": ["{streams_text} <b>x</b>"],
            "lat": [1.0],
            "lon": [2.0],
            "radius": [10.0],
            "streams_text": ["5"],
        }
    )
    deck = charts.point_map(
        points, layer_id="p", fill_color=[1, 2, 3, 4], tooltip_text="{name}: {streams_text}"
    )
    assert ht.deck_tooltip_modes(json.dumps(deck._tooltip)) == {"text"}
    layer = next(layer for layer in deck.layers if layer.id == "p")
    assert [p[charts.TOOLTIP] for p in layer.data] == ["{streams_text} <b>x</b>: 5"]


def test_the_unvalidated_daily_chart_equals_plotlys_validated_one():
    """charts.stacked_daily skips plotly's validators for speed: same figure, same JSON."""
    import plotly.io as pio

    days = pd.date_range("2026-07-01", periods=4).date
    df = pd.DataFrame(
        {
            "date": [d for d in days for _ in range(2)],
            "series": ["spotify", "<b>x</b>"] * 4,
            "streams": [5, 1, 7, 2, 0, 3, 9, 4],
        }
    )
    kwargs = {"title": "Streams per day by DSP", "series_title": "DSP"}
    fast = charts.stacked_daily(df, **kwargs)
    checked = charts.stacked_daily(df, validate=True, **kwargs)
    same = [json.loads(pio.to_json(f, validate=False)) for f in (fast, checked)]
    assert same[0] == same[1]  # (key order apart)
    assert fast.layout.yaxis.title.text == "Streams per day"
    assert list(fast.data[0].y) == [5, 7, 0, 9]  # biggest series at the bottom


def test_isolate_keeps_a_plain_label_in_order() -> None:
    # plain text: nothing escaped, only a right-to-left value isolated
    assert safe_text.isolate("Amber Garden: live") == "Amber Garden: live"
    assert safe_text.isolate("نور الليل") == "\u2068نور الليل\u2069"
    assert safe_text.isolate("a\u202eb") == "\u2068a\u202eb\u2069"
