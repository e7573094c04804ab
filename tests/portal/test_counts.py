"""Every number the home page and the hub show is the length of the list it links to."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from spld.catalog import demo as catalog_demo
from spld.charter.lifecycle import SIGNATORY_STATUSES
from spld.demo.services import load_demo


class _Cards(HTMLParser):
    """(link, count) of each `li.card` of the home page or the hub."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, int | None] = {}
        self._href: str | None = None
        self._in_count = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and attrs.get("class") == "card":
            self._href = None
        elif tag == "a" and self._href is None and attrs.get("href"):
            self._href = attrs["href"]
            self.cards[self._href] = None
        elif tag == "p" and attrs.get("class") == "count":
            self._in_count = True

    def handle_data(self, data):
        if self._in_count and self._href:
            self.cards[self._href] = int(re.sub(r"\D", "", data.split("élément")[0]))

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_count = False


def _cards(client, url):
    parser = _Cards()
    parser.feed(client.get(url).content.decode())
    return {href: n for href, n in parser.cards.items() if n is not None}


def _pattern(name, placeholder):
    """A regex matching the links to `name`'s pages, whatever their argument."""
    url = reverse(name, args=[placeholder])
    return re.compile(r'href="' + re.escape(url).replace(re.escape(str(placeholder)), r"([\w-]+)")
                      + '"')


def _items(client, url, pattern, exclude=()):
    """Distinct links matching `pattern` over every page of a paginated list."""
    found: set[str] = set()
    page = 1
    while True:
        html = client.get(url, {"page": page}).content.decode()
        new = set(pattern.findall(html)) - set(exclude) - found
        if not new:
            return found
        found |= new
        page += 1


def _status_line(client, url):
    html = client.get(url).content.decode()
    return int(re.sub(r"\D", "", re.search(r'role="status">([^<]*)<', html).group(1)))


@pytest.mark.django_db
def test_home_and_hub_counts_are_the_lengths_of_the_lists(client, monkeypatch):
    monkeypatch.setattr(catalog_demo, "BIG_ROWS", 2000)  # the real demo generates 1.2 million
    load_demo()
    uuid = "00000000-0000-0000-0000-000000000000"

    datasets = _items(client, reverse("catalog:list"), _pattern("catalog:detail", "x"))
    organizations = _items(client, reverse("organizations:list"),
                           _pattern("organizations:detail", "x"), exclude={"nouvelle"})
    registers = {
        "holders": _items(client, reverse("registers:holders"),
                          _pattern("registers:processing_detail", uuid)),
        "flows": _items(client, reverse("registers:flows"),
                        _pattern("registers:flow_detail", uuid)),
        "usages": _items(client, reverse("registers:usages"),
                         _pattern("registers:usage_detail", uuid)),
        "algorithms": _items(client, reverse("registers:algorithms"),
                             _pattern("registers:algorithm_detail", uuid)),
        "assessments": _items(client, reverse("registers:assessments"),
                              _pattern("registers:dpia_detail", uuid)),
    }
    signatories_html = client.get(reverse("charter:signatories")).content.decode()
    rows = re.findall(r'class="status status-(\w+)"', signatories_html)
    journal = _items(client, reverse("ledger:journal"), _pattern("ledger:entry", 1))

    expected = {
        reverse("catalog:list"): len(datasets),
        reverse("organizations:list"): len(organizations),
        reverse("registers:index"): sum(len(items) for items in registers.values()),
        reverse("charter:signatories"): sum(1 for s in rows if s in SIGNATORY_STATUSES),
        reverse("ledger:journal"): len(journal),
    }
    # The demo has shared datasets (listed, not open) and memberships that do not count as
    # signatories (candidates, excluded): the two cases where the cards used to disagree.
    assert len(datasets) >= 12 and len(rows) > expected[reverse("charter:signatories")]
    assert _cards(client, reverse("core:home")) == expected
    assert _cards(client, reverse("core:hub")) == expected
    # The lists' own status lines and the registers' cards say the same numbers.
    assert _status_line(client, reverse("catalog:list")) == len(datasets)
    assert _status_line(client, reverse("organizations:list")) == len(organizations)
    assert _status_line(client, reverse("ledger:journal")) == len(journal)
    assert _status_line(client, reverse("charter:signatories")) == expected[
        reverse("charter:signatories")]
    index = client.get(reverse("registers:index")).content.decode()
    cards = [int(n) for n in re.findall(r'class="count">(\d+)', index)]
    assert cards == [len(items) for items in registers.values()]
