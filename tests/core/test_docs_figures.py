"""Every measured figure in docs/ comes with the command that produces it."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
# A measurement: a duration, a throughput or a speed-up ("20 ms", "8.3 s", "1 M rows/s",
# "14 000 entrées/s", "5,6 fois plus rapides").
FIGURE = re.compile(r"\d[\d  ,.]*\s?(?:ms|s|µs|M? ?rows/s|entrées/s|lignes/s|events/s|"
                    r"événements/s)(?![\w/])|\d[\d,.]*\s?(?:fois plus rapide|times faster)")
COMMAND = re.compile(r"python benchmarks/\w+\.py")


def _sections(text: str) -> list[str]:
    return re.split(r"^#{1,4} ", text, flags=re.MULTILINE)


def test_every_section_with_a_figure_names_its_benchmark_command():
    missing = []
    for path in sorted(DOCS.rglob("*.md")):
        for section in _sections(path.read_text(encoding="utf-8")):
            figures = FIGURE.findall(section)
            if figures and not COMMAND.search(section):
                title = section.splitlines()[0][:60] if section else ""
                missing.append(f"{path.relative_to(DOCS)} « {title} »: {figures[:3]}")
    assert missing == [], "\n".join(missing)


def test_the_benchmarks_named_exist_and_ci_prints_their_results():
    root = DOCS.parent
    named = {m for path in DOCS.rglob("*.md")
             for m in re.findall(r"benchmarks/(\w+\.py)", path.read_text(encoding="utf-8"))}
    assert named and all((root / "benchmarks" / name).exists() for name in named)
    ci = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert "benchmarks/*.py" in ci and "tail -3" in ci  # the RESULT line is the last one
