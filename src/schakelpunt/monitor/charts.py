"""Charts for the monitor: Vega-Lite specifications rendered on the server (vl-convert).

A chart never stands alone: the page shows its title, a sentence that says what it shows and
the table behind it, so that a screen reader or a printout loses nothing. The SVG itself is
marked as an image with the title as its name. Only counts that passed suppression are drawn.
"""

import re
from typing import Any

import vl_convert

BRAND = "#00557a"
SERIES = ["#00557a", "#b35c00", "#1d6b2f", "#6f3a8a"]
FONT = "Helvetica, Arial, sans-serif"
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_SVG_OPEN = re.compile(r"^<svg ")


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#1b1f23"},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
        "view": {"stroke": None},
        "background": "white",
    }


def bar_spec(title: str, items: list[tuple[str, int]], *, unit: str) -> dict[str, Any]:
    """Horizontal bars, largest first, with the number at the end of each bar."""
    values = [{"label": label, "value": value} for label, value in items]
    y = {
        "field": "label",
        "type": "nominal",
        "sort": "-x",
        "title": None,
        "axis": {"labelLimit": 230, "labelFontSize": 13},
    }
    x = {"field": "value", "type": "quantitative", "title": unit}
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": 300,
        "height": {"step": 28},
        "data": {"values": values},
        "layer": [
            {"mark": {"type": "bar", "color": BRAND}, "encoding": {"x": x, "y": y}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 12},
                "encoding": {"x": x, "y": y, "text": {"field": "value", "type": "quantitative"}},
            },
        ],
        "config": _config(),
    }


def line_spec(title: str, points: list[tuple[str, str, float]], *, unit: str) -> dict[str, Any]:
    """One line per series over the periods: (period, series, value in percent)."""
    values = [{"period": p, "series": s, "value": v} for p, s, v in points]
    order = list(dict.fromkeys(p for p, _s, _v in points))
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": 520,
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "line", "point": {"size": 50}, "strokeWidth": 2.5},
        "encoding": {
            "x": {
                "field": "period",
                "type": "ordinal",
                "sort": order,
                "title": None,
                "axis": {"labelAngle": 0},
            },
            "y": {"field": "value", "type": "quantitative", "title": unit},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"range": SERIES},
            },
            "strokeDash": {"field": "series", "type": "nominal", "title": None},
        },
        "config": _config(),
    }


def to_svg(spec: dict[str, Any]) -> str:
    """The chart as inline SVG, named by its title for assistive technology."""
    svg = vl_convert.vegalite_to_svg(spec)
    title = str(spec.get("description", "")).replace("&", "&amp;").replace('"', "&quot;")
    return _SVG_OPEN.sub(f'<svg role="img" aria-label="{title}" ', svg, count=1)


def to_png(spec: dict[str, Any]) -> bytes:
    """The chart as a picture for the PDF report."""
    png: bytes = vl_convert.vegalite_to_png(spec, scale=2)
    return png
