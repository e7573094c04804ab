"""Crawl the demo's HTML pages (anonymous and signed in, French and English) and read them."""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

from spld.demo.territory import DEMO_PASSWORD

CITIZEN = "habitant@spld.example"
EDITOR = "editeur@eau-du-ponant.example"
# Downloads, machine formats and actions are not pages a person reads.
SKIP = ("/api/", "/static/", "/media/", "/compte/deconnexion", ".csv", ".parquet", ".json",
        ".jws", ".pdf", ".xlsx", ".geojson", ".ttl", ".rdf", ".jsonld", "/paquet/", "/log/",
        "/checkpoint", "/tile/")
# Every dataset page is read (their charts and previews differ), one sample of other kinds.
EVERY = ("/donnees/", "/en/donnees/")


class _Page(HTMLParser):
    """Links, ids and visible text (with the labels a screen reader reads) of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "style"}:
            self._hidden += 1
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for name in ("aria-label", "title", "alt", "placeholder"):
            if values.get(name):
                self.text.append(values[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def read(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


def group(path: str) -> str:
    """Pages of one kind: the last path segment (a slug, an id, a number) replaced by *."""
    return re.sub(r"/[^/]+/$", "/*/", path)


def crawl(client, starts: list[str], *, per_group: int = 10, limit: int = 500) -> dict[str, str]:
    """Every reachable HTML page (200) from `starts`, at most `per_group` pages of one kind."""
    pages: dict[str, str] = {}
    seen: set[str] = set()
    groups: Counter[str] = Counter()
    queue = list(starts)
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        groups[group(path)] += 1
        if groups[group(path)] > per_group and not path.startswith(EVERY):
            continue
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages[path] = body
        for href in read(body).links:
            url = urlparse(urljoin(path, html.unescape(href)))
            if url.netloc not in ("", "testserver") or any(s in url.path for s in SKIP):
                continue
            if url.path not in seen:
                queue.append(url.path)
    return pages


def demo_pages(client_class, *, editors: bool = False) -> dict[tuple[str, str], str]:
    """(who, path) → HTML for the visitor, the demo citizen (and an editor), in both languages."""
    anonymous = client_class()
    citizen = client_class()
    citizen.post("/compte/connexion/", {"email": CITIZEN, "password": DEMO_PASSWORD})
    pages = {("anonyme", p): b for p, b in crawl(anonymous, ["/", "/en/"]).items()}
    pages |= {("habitant", p): b for p, b in crawl(
        citizen, ["/compte/", "/compte/donnees/", "/en/compte/", "/en/compte/donnees/"]).items()}
    if editors:
        editor = client_class()
        editor.post("/compte/connexion/", {"email": EDITOR, "password": DEMO_PASSWORD})
        pages |= {("éditeur", p): b for p, b in crawl(
            editor, ["/compte/", "/en/compte/", "/mes-taches/"], per_group=3).items()}
    return pages
