"""Public pages of the log: the journal, one entry and its proof, guarantees, witnesses."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from spld.ledger import log, selectors


def journal(request: HttpRequest) -> HttpResponse:
    """Latest entries in plain French, filterable by organisation and record type."""
    orgs, types = selectors.journal_filters()
    organization = request.GET.get("organisation", "")
    if organization not in {slug for slug, _ in orgs}:
        organization = ""
    subject_type = request.GET.get("type", "")
    if subject_type not in {t for t, _ in types}:
        subject_type = ""
    page = Paginator(
        selectors.journal(organization=organization, subject_type=subject_type),
        50,
    ).get_page(request.GET.get("page"))
    query = urlencode(
        {k: v for k, v in (("organisation", organization), ("type", subject_type)) if v}
    )
    return render(
        request,
        "ledger/journal.html",
        {
            "page": page,
            "lines": selectors.journal_lines(list(page.object_list)),
            "orgs": orgs,
            "types": types,
            "organization": organization,
            "subject_type": subject_type,
            "query": query,
            "checkpoint": log.latest_checkpoint(),
        },
    )


def entry(request: HttpRequest, index: int) -> HttpResponse:
    """One entry: its sentence, exact leaf, payload and inclusion proof in the latest checkpoint."""
    e = selectors.entry(index)
    if e is None:
        raise Http404
    checkpoint = log.latest_checkpoint()
    proof = None
    if checkpoint is not None and index < checkpoint.size:
        proof = selectors.inclusion(index, checkpoint.size)
    payload = json.loads(bytes(e.payload))
    return render(
        request,
        "ledger/entry.html",
        {
            "entry": e,
            "line": selectors.journal_lines([e])[0],
            "leaf": bytes(e.leaf).decode(),
            "leaf_hash": bytes(e.leaf_hash).hex(),
            "payload": json.dumps(payload, ensure_ascii=False, indent=2),
            "proof": proof,
            "checkpoint": checkpoint,
            "checkpoint_note": selectors.checkpoint_note(checkpoint) if checkpoint else "",
            "site_url": settings.SITE_URL.rstrip("/"),
        },
    )


def guarantees(request: HttpRequest) -> HttpResponse:
    """What the log guarantees, what it does not, and how to check it."""
    try:
        vkey = log.verifier_key()
    except log.LogError:
        vkey = ""
    return render(
        request,
        "ledger/guarantees.html",
        {
            "vkey": vkey,
            "origin": settings.LOG_ORIGIN,
            "site_url": settings.SITE_URL.rstrip("/"),
            "checkpoint": log.latest_checkpoint(),
        },
    )


def witnesses(request: HttpRequest) -> HttpResponse:
    """Who co-signs the log's checkpoints, and up to which size."""
    return render(
        request,
        "ledger/witnesses.html",
        {
            "witnesses": selectors.witnesses(),
            "checkpoint": log.latest_checkpoint(),
        },
    )
