"""Charts of analysis results (Altair), one theme, rendered offline.

Builders take the aggregates from ``workbench.analysis`` (never raw results) and
return Altair charts; :func:`save`, :func:`to_png`, :func:`to_svg` and :func:`to_html`
render them with ``vl-convert`` (no browser, no network). Charts display offline with
no call: importing this package enables a renderer that gives each chart as SVG plus,
in a live kernel, Altair's ``JupyterChart`` widget with its own vega bundle (tooltips,
no CDN); :func:`use_offline` (``"svg"``) keeps reports static (see ``_render``)::

    from workbench import charts

    comparison = wb.compare(baseline_id, candidate_id)
    charts.scorer_bars(comparison)
    charts.save(charts.item_deltas(comparison), "deltas.png")

Simulated models (names containing "simulated", or the simulator's ``sim-1`` models)
are labelled "(simulated)" wherever their name appears.
"""

from workbench.charts._alignment import confusion
from workbench.charts._compare import MAX_POINTS, item_deltas, scorer_bars, scorers_by_change
from workbench.charts._failures import failure_modes
from workbench.charts._inputs import Chart, display_name, is_simulated, money_format
from workbench.charts._latency import latency_hist
from workbench.charts._matrix import cost_vs_score, heatmap, pareto_frontier
from workbench.charts._render import enable_renderer_by_default, save, spec, to_html, to_png, to_svg, use_offline
from workbench.charts._theme import PALETTE, THEME, enable_theme, enable_theme_by_default, theme_config
from workbench.charts._trends import trends

enable_theme_by_default()
enable_renderer_by_default()

__all__ = [
    "MAX_POINTS",
    "PALETTE",
    "THEME",
    "Chart",
    "confusion",
    "cost_vs_score",
    "display_name",
    "enable_theme",
    "failure_modes",
    "heatmap",
    "is_simulated",
    "item_deltas",
    "latency_hist",
    "money_format",
    "pareto_frontier",
    "save",
    "scorer_bars",
    "scorers_by_change",
    "spec",
    "theme_config",
    "to_html",
    "to_png",
    "to_svg",
    "trends",
    "use_offline",
]
