"""`spld frenchplurals`: the French catalogue of plural messages, built from the English one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

HEADER = {
    "Language": "fr",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    # French uses the singular for 0 and 1 ("0 traitement déclaré").
    "Plural-Forms": "nplurals=2; plural=(n > 1);",
}


class Command(BaseCommand):
    help = ("Write locale/fr with every plural message of the English catalogue, so that "
            "French applies its own rule (singular for 0) instead of gettext's n == 1.")

    def handle(self, *args: Any, **options: Any) -> None:
        import polib

        locale = settings.LOCALE_PATHS[0]
        source = polib.pofile(str(locale / "en/LC_MESSAGES/django.po"))
        target = polib.POFile()
        target.metadata = dict(HEADER)
        for entry in source:
            if entry.msgid_plural and not entry.obsolete:
                target.append(polib.POEntry(
                    msgid=entry.msgid, msgid_plural=entry.msgid_plural, msgctxt=entry.msgctxt,
                    msgstr_plural={0: entry.msgid, 1: entry.msgid_plural},
                    occurrences=entry.occurrences, flags=[f for f in entry.flags if f != "fuzzy"]))
        out = locale / "fr/LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        target.save(str(out / "django.po"))
        target.save_as_mofile(str(out / "django.mo"))
        self.stdout.write(f"{len(target)} messages au pluriel dans {out}")
