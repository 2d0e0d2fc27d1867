"""Charts of the office statistics: PNG images drawn by matplotlib (Agg), with a CJK font.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so the web server's
threads never share pyplot's global state. The font is the installed WenQuanYi Micro Hei (or
another CJK font) found through matplotlib's font manager and ``fc-list``; without one the charts
are still drawn, with whatever font matplotlib has (the Chinese labels then show as boxes).
"""

import base64
import io
import logging
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a server; before anything draws

from matplotlib import font_manager  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

log = logging.getLogger("shoujie.charts")

#: CJK fonts to look for, the preferred first (Debian: fonts-wqy-microhei, fonts-noto-cjk).
CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
)
#: The colours of the two periods and of the measures (the page's palette).
NOW_COLOUR = "#b3261e"
BEFORE_COLOUR = "#c9b8a6"
PALETTE = ("#b3261e", "#d9822b", "#3a7d44", "#2f6690", "#7b4f9d", "#8c6d46")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, registering it with matplotlib if needed."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    # Installed after matplotlib built its font cache: ask fontconfig where the file is.
    if shutil.which("fc-list"):
        for name in CJK_FONTS:
            try:
                out = subprocess.run(
                    ["fc-list", f":family={name}", "file"],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                ).stdout
            except (OSError, subprocess.SubprocessError):
                break
            for line in out.splitlines():
                path = line.split(":")[0].strip()
                if not path:
                    continue
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
                return name
    log.warning(
        "no CJK font found: chart labels in Chinese will not render (install fonts-wqy-microhei)"
    )
    return None


@lru_cache(maxsize=1)
def _style() -> None:
    """Set the fonts once: the CJK font first, DejaVu Sans for what it lacks."""
    font = cjk_font()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    # A minus sign the CJK font lacks would print as a box.
    matplotlib.rcParams["axes.unicode_minus"] = False


def _figure(width: float, height: float) -> Figure:
    _style()
    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI, for an ``<img>`` in the page or the PDF."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _empty(ax: Any, text: str = "本期无数据") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="#777777")
    ax.set_axis_off()


def compare_bars(
    title: str,
    labels: Sequence[str],
    now: Sequence[float],
    before: Sequence[float],
    *,
    now_label: str = "本期",
    before_label: str = "上期",
    percent: bool = False,
    horizontal: bool = False,
) -> bytes:
    """Bars of this period beside the previous one, one pair per label."""
    height = max(2.2, 0.42 * len(labels) + 1.3) if horizontal else 3.2
    fig = _figure(6.4, height)
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=12)
    if not labels:
        _empty(ax)
        return _png(fig)
    positions = range(len(labels))
    width = 0.38
    draw = ax.barh if horizontal else ax.bar
    shift = [p - width / 2 for p in positions], [p + width / 2 for p in positions]
    if horizontal:
        # The first label on top, as a table reads.
        shift = shift[1], shift[0]
        ax.invert_yaxis()
    draw(shift[0], now, width, label=now_label, color=NOW_COLOUR)
    draw(shift[1], before, width, label=before_label, color=BEFORE_COLOUR)
    if horizontal:
        ax.set_yticks(list(positions), labels)
    else:
        ax.set_xticks(list(positions), labels)
    value_axis = ax.xaxis if horizontal else ax.yaxis
    if percent:
        value_axis.set_major_formatter(PercentFormatter(1.0))
        (ax.set_xlim if horizontal else ax.set_ylim)(0, 1.05)
    else:
        value_axis.set_major_locator(MaxNLocator(integer=True))
    # Below the plot, where it hides no bar.
    fig.legend(fontsize=9, frameon=False, loc="outside lower center", ncols=2)
    ax.grid(axis="x" if horizontal else "y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def _rate(value: float | None) -> float:
    return 0.0 if value is None else float(value)


def stats_charts(stats: Mapping[str, Any]) -> dict[str, bytes]:
    """The statistics page's charts, as PNG bytes by name."""
    previous = stats["previous"]
    rates = [
        ("acceptance_on_time_rate", "按期受理率"),
        ("handling_on_time_rate", "按期办结率"),
        ("satisfaction_rate", "满意率"),
        ("rating_rate", "参评率"),
    ]
    charts = {
        "rates": compare_bars(
            "主要指标（本期与上期）",
            [label for _, label in rates],
            [_rate(stats[key]) for key, _ in rates],
            [_rate(previous[key]) for key, _ in rates],
            percent=True,
        )
    }
    for key, title in (("by_category", "受理量：按类别"), ("by_channel", "受理量：按信访形式")):
        rows = stats[key]
        charts[key] = compare_bars(
            title,
            [r["label"] for r in rows.values()],
            [r["intakes"] for r in rows.values()],
            [r["previous_intakes"] for r in rows.values()],
        )
    owners = [r for r in stats["by_owner"].values() if r["acceptance_owed"] + r["handling_owed"]][
        :15
    ]
    charts["by_owner"] = _owner_rates(owners)
    topics = stats["hotspots"]["topics"]
    charts["hotspots"] = compare_bars(
        "上升的热点（按事项关键词，件）",
        [t["keyword"] for t in topics],
        [t["count"] for t in topics],
        [t["previous"] for t in topics],
        horizontal=True,
    )
    regions = stats["hotspots"]["regions"]
    charts["regions"] = compare_bars(
        "上升的地区（按行政区划，件）",
        [r["label"] for r in regions],
        [r["count"] for r in regions],
        [r["previous"] for r in regions],
        horizontal=True,
    )
    return charts


def _owner_rates(owners: Sequence[Mapping[str, Any]]) -> bytes:
    """Each owner's on-time rates: acceptance and handling."""
    return compare_bars(
        "首接责任人按期率",
        [o["label"] for o in owners],
        [_rate(o["acceptance_on_time_rate"]) for o in owners],
        [_rate(o["handling_on_time_rate"]) for o in owners],
        now_label="按期受理率",
        before_label="按期办结率",
        percent=True,
        horizontal=True,
    )


__all__ = ["cjk_font", "compare_bars", "data_uri", "stats_charts"]
