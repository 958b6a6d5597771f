"""The workbench's one chart theme: readable type, light grid, a colour-blind-safe palette.

The palette is Okabe & Ito's eight colours (distinguishable with the common forms of
colour blindness). Meanings are fixed across every chart: a regression is always
vermillion, an improvement always blue, "unchanged" always grey, the baseline a
muted grey-blue and the candidate orange.
"""

from __future__ import annotations

from typing import Final

import altair as alt

THEME: Final = "workbench"

FONT: Final = "DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif"

# Okabe-Ito, ordered so neighbouring categories contrast (black moved last).
PALETTE: Final = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

REGRESSED: Final = "#D55E00"
IMPROVED: Final = "#0072B2"
UNCHANGED: Final = "#A0A0A0"
BASELINE: Final = "#7F93A8"
CANDIDATE: Final = "#E69F00"
FRONTIER: Final = "#D55E00"
TEXT: Final = "#222222"
MUTED: Final = "#555555"

CHANGE_DOMAIN: Final = ("regressed", "improved", "unchanged")
CHANGE_RANGE: Final = (REGRESSED, IMPROVED, UNCHANGED)

# The outcome taxonomy (workbench.runs._labels.OUTCOMES) in reading order, with fixed colours.
LABEL_COLORS: Final = {
    "success": "#009E73",
    "partial_success": "#56B4E9",
    "failure_hallucination": "#D55E00",
    "failure_tool_error": "#E69F00",
    "failure_logic_bug": "#CC79A7",
    "failure_refusal": "#0072B2",
    "failure_format": "#F0E442",
    "error_infra": "#333333",
    "error": "#333333",
    "unlabeled": "#C8C8C8",
}
EXTRA_LABEL_COLORS: Final = ("#8C6D31", "#6B6ECF", "#B5CF6B", "#9C9EDE", "#E7969C", "#7B4173")

SEQUENTIAL: Final = "viridis"


def theme_config() -> alt.theme.ThemeConfig:
    """The theme as a Vega-Lite ``config`` (also registered as the Altair theme ``"workbench"``)."""
    return {
        "config": {
            "background": "white",
            "font": FONT,
            "padding": 12,
            "view": {"stroke": "transparent", "continuousWidth": 420, "continuousHeight": 280},
            "title": {
                "fontSize": 16,
                "fontWeight": "bold",
                "anchor": "start",
                "color": TEXT,
                "subtitleFontSize": 12,
                "subtitleColor": MUTED,
                "offset": 10,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "titleFontWeight": "normal",
                "titleColor": TEXT,
                "labelColor": TEXT,
                "gridColor": "#E6E6E6",
                "domainColor": "#888888",
                "tickColor": "#888888",
                "labelLimit": 260,
                "titlePadding": 8,
            },
            "axisQuantitative": {"tickCount": 6},
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "titleFontWeight": "normal",
                "labelLimit": 320,
                "orient": "bottom",
                "direction": "horizontal",
                "columns": 3,
            },
            "header": {"labelFontSize": 13, "titleFontSize": 13, "labelColor": TEXT},
            "range": {"category": list(PALETTE)},
            "bar": {"color": PALETTE[0]},
            "point": {"filled": True, "size": 60},
            "line": {"strokeWidth": 2},
            "text": {"fontSize": 12, "color": TEXT},
        }
    }


@alt.theme.register(THEME, enable=False)
def _workbench_theme() -> alt.theme.ThemeConfig:
    return theme_config()


def enable_theme() -> None:
    """Make the workbench theme Altair's active theme."""
    alt.theme.enable(THEME)


def enable_theme_by_default() -> None:
    """Enable the workbench theme unless the user already chose another one."""
    if alt.theme.active == "default":
        enable_theme()
