"""One bound on page numbers for every paginated list of the API."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Far beyond any real list (a million pages), and small enough that page × page size stays
# a 64-bit offset for SQLite, PostgreSQL and DuckDB (a larger page used to overflow: 500).
MAX_PAGE = 1_000_000
MAX_OFFSET = MAX_PAGE * 1_000  # the same bound for lists paged by offset
PAGE_DESCRIPTION = "Numéro de page, de 1 à " + f"{MAX_PAGE:,}".replace(",", "\u202f")

Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description=PAGE_DESCRIPTION)]


def page_problem(page: int) -> str | None:
    """The French message for a page number out of bounds, or None when it is valid."""
    if 1 <= page <= MAX_PAGE:
        return None
    return _("« page » va de 1 à {max}.").format(max=f"{MAX_PAGE:,}".replace(",", "\u202f"))


class BoundedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination with the page number bounded (422 beyond)."""

    class Input(Schema):
        page: Page = 1
        page_size: int | None = Field(None, ge=1, description="Taille de page (plafonnée)")
