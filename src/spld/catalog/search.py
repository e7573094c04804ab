"""Full-text search over datasets: SQLite FTS5 (French stems, no accents) or PostgreSQL french."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.db import connection

FTS_TABLE = "catalog_dataset_fts"
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("french")


def unaccent(text: str) -> str:
    """Lower case without diacritics (é → e, ç → c)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stems(text: str) -> list[str]:
    """French stems of the words of `text`, accents removed."""
    words = _WORD.findall(unaccent(text))
    return [w for w in _stemmer().stemWords(words) if w]


def _document(dataset: Any) -> tuple[str, str]:
    title = dataset.title
    body = " ".join([dataset.description, " ".join(dataset.keywords or []),
                     dataset.publisher.name, dataset.purpose])
    return " ".join(stems(title)), " ".join(stems(body))


def index_dataset(dataset: Any) -> None:
    """Refresh the search index entry of a dataset (SQLite only: PostgreSQL computes it)."""
    if connection.vendor != "sqlite":
        return
    title, body = _document(dataset)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [dataset.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, slug, title, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [dataset.pk, dataset.slug, title, body])


def ranked_ids(q: str) -> list[int]:
    """Dataset ids matching `q`, best first."""
    if connection.vendor == "sqlite":
        terms = stems(q)
        if not terms:
            return []
        match = " ".join(f'"{t}"*' for t in terms)  # stems are \w+ only: no quote can appear
        with connection.cursor() as cursor:
            # The join drops stale rows (deleted datasets, ids reused after a flush).
            cursor.execute(
                f"SELECT f.rowid FROM {FTS_TABLE} f JOIN catalog_dataset d "  # noqa: S608
                f"ON d.id = f.rowid AND d.slug = f.slug WHERE {FTS_TABLE} MATCH %s "
                f"ORDER BY bm25({FTS_TABLE}, 0.0, 10.0, 1.0)", [match])
            return [row[0] for row in cursor.fetchall()]
    document = (
        "setweight(to_tsvector('french', unaccent(d.title)), 'A') || "
        "to_tsvector('french', unaccent(coalesce(d.description, '') || ' ' || "
        "coalesce(d.keywords::text, '') || ' ' || o.name || ' ' || d.purpose))"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id FROM catalog_dataset d JOIN organizations_organization o "  # noqa: S608
            f"ON o.id = d.publisher_id, plainto_tsquery('french', unaccent(%s)) query "
            f"WHERE {document} @@ query ORDER BY ts_rank({document}, query) DESC", [q])
        return [row[0] for row in cursor.fetchall()]
