"""The English catalogue covers every French string and its compiled .mo is up to date."""

import re
import subprocess
from pathlib import Path

import polib

from tests.system_deps import require_program

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/spld/locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|\{[a-z_0-9]*(?::[^}]*)?\}")


def test_every_string_is_translated():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert not missing, f"{len(missing)} untranslated (run `make messages`): {missing[:10]}"


def test_placeholders_survive_translation():
    po = polib.pofile(str(PO))
    bad = []
    for e in po:
        targets = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        for target in targets:
            if set(PLACEHOLDER.findall(e.msgid)) != set(PLACEHOLDER.findall(target)):
                bad.append(e.msgid)
    assert not bad, bad[:10]


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(MO))
    assert {e.msgid for e in po if e.translated()} == {e.msgid for e in mo if e.msgid}


def test_catalogue_passes_msgfmt_checks():
    # GNU msgfmt checks printf-style formats and plural headers the way gettext will read them.
    msgfmt = require_program("msgfmt", package="gettext", env="SPLD_REQUIRE_GETTEXT")
    result = subprocess.run([msgfmt, "--check-format", "-o", "/dev/null", str(PO)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
