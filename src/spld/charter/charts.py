"""Server-side charts: tiny hand-written SVG sparklines and matplotlib SVG charts for the report.

Every chart is paired with a table in the templates (text alternative for screen readers).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def sparkline(values: Sequence[float | None], *, threshold: float | None = None,
              label: str = "", width: int = 120, height: int = 32) -> SafeString:
    """An inline SVG sparkline of percentages (0–100); gaps where a value is missing."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    title = escape(label)
    if not points:
        return mark_safe(f'<svg class="sparkline" role="img" aria-label="{title}" width="{width}" '  # noqa: S308 (escaped label, numbers)
                         f'height="{height}" viewBox="0 0 {width} {height}"><title>{title}'
                         "</title></svg>")
    step = (width - 8) / max(1, len(values) - 1)

    def y(value: float) -> float:
        return round(height - 4 - (height - 8) * max(0.0, min(100.0, value)) / 100, 1)

    coords = " ".join(f"{round(4 + i * step, 1)},{y(v)}" for i, v in points)
    parts = [f'<svg class="sparkline" role="img" aria-label="{title}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>{title}</title>']
    if threshold is not None:
        parts.append(f'<line class="sparkline-threshold" x1="0" x2="{width}" y1="{y(threshold)}" '
                     f'y2="{y(threshold)}" stroke="#b34700" stroke-dasharray="3 2"/>')
    if len(points) > 1:
        parts.append(f'<polyline fill="none" stroke="#1d4f91" stroke-width="2" '
                     f'points="{coords}"/>')
    last_i, last_v = points[-1]
    parts.append(f'<circle cx="{round(4 + last_i * step, 1)}" cy="{y(last_v)}" r="3" '
                 f'fill="#1d4f91"/></svg>')
    return mark_safe("".join(parts))  # noqa: S308 (label escaped, the rest are numbers)


def _figure_svg(fig: object) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return buffer.getvalue()


def bar_chart(labels: Sequence[str], values: Sequence[float | None], *, title: str,
              threshold: Sequence[float | None] | None = None, unit: str = "%",
              max_value: float | None = 100) -> str:
    """A horizontal bar chart as an SVG document (matplotlib), deterministic output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "spld-charter"
    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["font.family"] = "DejaVu Sans"
    height = max(1.6, 0.45 * len(labels) + 0.9)
    fig, ax = plt.subplots(figsize=(7, height))
    shown = [v if v is not None else 0 for v in values]
    positions = list(range(len(labels)))
    ax.barh(positions, shown, color="#1d4f91")
    for pos, value in zip(positions, values, strict=True):
        text = "non mesuré" if value is None else f"{value:g} {unit}".strip()
        ax.text((value or 0) + 1, pos, text, va="center", fontsize=8)
    if threshold:
        for pos, limit in zip(positions, threshold, strict=True):
            if limit is not None:
                ax.plot([limit, limit], [pos - 0.4, pos + 0.4], color="#b34700", linewidth=2)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    if max_value is not None:
        ax.set_xlim(0, max_value * 1.2)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _figure_svg(fig)


def data_uri(svg: str) -> str:
    """An SVG document as a data: URI, usable in <img> under the CSP and by WeasyPrint."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
