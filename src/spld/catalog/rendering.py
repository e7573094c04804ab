"""Safe HTML from Markdown, and profile charts as server-side SVG (with table alternatives)."""

from __future__ import annotations

import io
import re
from typing import Any

import markdown as md
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
                "a", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr"}


def render_markdown(text: str) -> str:
    """Markdown → HTML with only harmless tags (no script, no event handler, no style)."""
    html = md.markdown(text or "", extensions=["tables"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow")


def bar_chart_svg(labels: list[str], values: list[float], *, title: str, id_prefix: str) -> str:
    """A horizontal bar chart as inline SVG (matplotlib, no JavaScript), its ids prefixed."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    height = 0.4 + 0.32 * max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(5.5, height), dpi=72)
    try:
        positions = list(range(len(labels)))
        ax.barh(positions, values, color="#2a5d9f")
        ax.set_yticks(positions, [label[:30] for label in labels], fontsize=9)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    finally:
        plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    # Inline styles are forbidden by our CSP: drop them (the chart keeps its fills).
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'\sstyle="([^"]*)"', _presentation_attributes, svg)
    svg = _prefix_ids(svg, id_prefix)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_esc(title)}" ', 1)


def _prefix_ids(svg: str, prefix: str) -> str:
    # matplotlib numbers ids from 1 in every figure (figure_1, patch_1, glyphs, clip paths):
    # several charts on one page would repeat them (WCAG 4.1.1, pa11y F77), so each chart
    # gets its own prefix, and the references inside it (href="#…", url(#…)) follow.
    svg = re.sub(r'\sid="([^"]+)"', lambda m: f' id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'(href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{prefix}{m.group(2)}"', svg)
    return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)


def _presentation_attributes(match: re.Match[str]) -> str:
    # style="fill: #x; stroke-width: 0.8" → fill="#x" stroke-width="0.8" (allowed by the CSP).
    out = []
    for declaration in match.group(1).split(";"):
        name, _sep, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and value and re.fullmatch(r"[-a-z]+", name) and '"' not in value:
            out.append(f' {name}="{value}"')
    return "".join(out)


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def column_chart(column: dict[str, Any], *, id_prefix: str) -> dict[str, Any] | None:
    """Chart data of one profiled column: a histogram for numbers, else frequent values."""
    if column.get("histogram"):
        rows = [(f"{b['from']:.4g} – {b['to']:.4g}", b["count"]) for b in column["histogram"]]
    elif column.get("top_counts"):
        rows = [(str(t["value"]), t["count"]) for t in column["top_counts"]]
    else:
        return None
    return {"rows": rows, "svg": bar_chart_svg([r[0] for r in rows], [r[1] for r in rows],
                                               title=column["name"], id_prefix=id_prefix)}
