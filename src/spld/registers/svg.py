"""Server-side SVG drawings (no Graphviz binary needed): layered graphs and small line charts.

Every drawing is shown with a table alternative in the page; these SVGs carry a <title>
and <desc> and `role="img"` for screen readers. Presentation attributes only (no style
attribute), so the CSP stays strict.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from xml.sax.saxutils import escape, quoteattr

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 190, 44, 70, 22, 16
KIND_FILL = {"org": "#e8f0fe", "category": "#fff4e5", "dataset": "#e6f4ea", "job": "#f3e8fd",
             "run": "#fde8e8"}


def _layers(node_ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Layer of each node: longest path from a source, computed on the graph minus back edges."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        if a != b:
            succ[a].append(b)
    # Depth-first search marks back edges so cycles cannot loop forever.
    state: dict[str, int] = {}
    order: list[str] = []
    back: set[tuple[str, str]] = set()
    for root in node_ids:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, i = stack.pop()
            children = succ.get(node, [])
            if i < len(children):
                stack.append((node, i + 1))
                child = children[i]
                if state.get(child) == 1:
                    back.add((node, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, 0))
            else:
                state[node] = 2
                order.append(node)
    layer = dict.fromkeys(node_ids, 0)
    for node in reversed(order):  # topological order of the acyclic part
        for child in succ.get(node, []):
            if (node, child) not in back and child in layer:
                layer[child] = max(layer[child], layer[node] + 1)
    return layer


def _wrap(text: str, width: int = 26) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return [ln[:width + 2] for ln in lines]


def graph_svg(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *, title: str,
              description: str = "") -> str:
    """A left-to-right layered drawing; nodes {id, label, kind?, url?}, edges {source, target}."""
    ids = [n["id"] for n in nodes]
    known = set(ids)
    pairs = [(e["source"], e["target"]) for e in edges
             if e["source"] in known and e["target"] in known]
    layer = _layers(ids, pairs)
    columns: dict[int, list[str]] = defaultdict(list)
    for node_id in ids:
        columns[layer[node_id]].append(node_id)
    pos: dict[str, tuple[int, int]] = {}
    for col, members in columns.items():
        for row, node_id in enumerate(members):
            pos[node_id] = (MARGIN + col * (NODE_W + GAP_X), MARGIN + row * (NODE_H + GAP_Y))
    width = MARGIN * 2 + (max(columns, default=0) + 1) * (NODE_W + GAP_X) - GAP_X
    height = MARGIN * 2 + max((len(m) for m in columns.values()), default=1) * (
        NODE_H + GAP_Y) - GAP_Y
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="svg-title svg-desc" '
        f'class="graph-svg">',
        f'<title id="svg-title">{escape(title)}</title>',
        f'<desc id="svg-desc">{escape(description or title)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555"/></marker></defs>',
    ]
    seen_pairs: set[tuple[str, str]] = set()
    for a, b in pairs:
        if (a, b) in seen_pairs or a == b:
            continue
        seen_pairs.add((a, b))
        (x1, y1), (x2, y2) = pos[a], pos[b]
        if layer[b] > layer[a]:
            sx, sy, tx, ty = x1 + NODE_W, y1 + NODE_H // 2, x2, y2 + NODE_H // 2
            mid = (sx + tx) // 2
            d = f"M {sx} {sy} C {mid} {sy}, {mid} {ty}, {tx} {ty}"
        else:  # back edge or same layer: loop under the boxes
            sx, sy = x1 + NODE_W // 2, y1 + NODE_H
            tx, ty = x2 + NODE_W // 2, y2 + NODE_H
            low = max(sy, ty) + GAP_Y
            d = f"M {sx} {sy} C {sx} {low}, {tx} {low}, {tx} {ty}"
        out.append(f'<path d="{d}" fill="none" stroke="#555" stroke-width="1.5" '
                   f'marker-end="url(#arrow)"/>')
    for node in nodes:
        x, y = pos[node["id"]]
        kind = node.get("kind") or node["id"].split(":", 1)[0]
        fill = KIND_FILL.get(kind, "#f1f3f4")
        box = (f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6" '
               f'fill="{fill}" stroke="#333"/>')
        lines = _wrap(str(node.get("label") or node["id"]))
        text_y = y + NODE_H // 2 - (len(lines) - 1) * 8 + 5
        text = "".join(
            f'<text x="{x + NODE_W // 2}" y="{text_y + i * 16}" text-anchor="middle" '
            f'font-size="13" font-family="sans-serif" fill="#111">{escape(line)}</text>'
            for i, line in enumerate(lines))
        # No links inside: an image must not hold controls (the table beside it has them).
        out.append(box + text)
    out.append("</svg>")
    return "".join(out)


def line_chart_svg(series: dict[str, Any], *, title: str) -> str:
    """A small line chart of one indicator ({name, unit, points: [{date, value}]})."""
    points = series["points"]
    width, height, pad = 480, 200, 40
    values = [p["value"] for p in points]
    low, high = min(values, default=0.0), max(values, default=1.0)
    if high == low:
        high = low + 1
    n = max(len(points) - 1, 1)
    coords = [(pad + i * (width - 2 * pad) / n,
               height - pad - (p["value"] - low) * (height - 2 * pad) / (high - low))
              for i, p in enumerate(points)]
    path = " ".join(f"{'M' if i == 0 else 'L'} {x:.1f} {y:.1f}" for i, (x, y) in enumerate(coords))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label={quoteattr(title)} class="chart-svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#333"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#333"/>',
        f'<text x="{pad - 4}" y="{pad + 4}" text-anchor="end" font-size="11" '
        f'font-family="sans-serif">{escape(_num(high))}</text>',
        f'<text x="{pad - 4}" y="{height - pad}" text-anchor="end" font-size="11" '
        f'font-family="sans-serif">{escape(_num(low))}</text>',
        f'<path d="{path}" fill="none" stroke="#1a56b3" stroke-width="2"/>',
    ]
    for x, y in coords:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1a56b3"/>')
    if points:
        out.append(f'<text x="{pad}" y="{height - pad + 16}" font-size="11" '
                   f'font-family="sans-serif">{escape(str(points[0]["date"]))}</text>')
        out.append(f'<text x="{width - pad}" y="{height - pad + 16}" text-anchor="end" '
                   f'font-size="11" font-family="sans-serif">'
                   f'{escape(str(points[-1]["date"]))}</text>')
    out.append("</svg>")
    return "".join(out)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3g}"
