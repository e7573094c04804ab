"""Sending e-mail: an unreachable mail server is a clear, expected failure, never a bare 500."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.core import mail

logger = logging.getLogger(__name__)


class MailUnavailable(Exception):  # noqa: N818 - reads as a state, like Http404
    """The mail server could not take the message (down, refused, timed out)."""


def send_mail(subject: str, body: str, from_email: str | None, to: list[str],
              **kwargs: Any) -> int:
    """django.core.mail.send_mail, raising MailUnavailable when the server fails."""
    try:
        return mail.send_mail(subject, body, from_email, to, **kwargs)
    except (OSError, smtplib.SMTPException) as exc:
        # No address in the log: it is personal data; the cause is enough for the operator.
        logger.error("mail server unavailable: %s: %s", type(exc).__name__, exc)
        raise MailUnavailable(str(exc)) from exc
