"""`spld log init-key` never bakes the demo's origin into a production key."""

import pytest
from django.core.management import CommandError, call_command

from spld.core.config import REGISTRY

DEMO_ORIGIN = REGISTRY["SPLD_LOG_ORIGIN"].default


def test_init_key_refuses_the_demo_origin_outside_demo_mode(settings, tmp_path):
    settings.DEMO_MODE, settings.LOG_ORIGIN = False, DEMO_ORIGIN
    settings.LOG_KEY_PATH = tmp_path / "log-key"
    with pytest.raises(CommandError, match="SPLD_LOG_ORIGIN is still the demo"):
        call_command("log", "init-key")
    assert not (tmp_path / "log-key").exists()


def test_init_key_writes_a_key_named_after_the_configured_origin(settings, tmp_path, capsys):
    settings.DEMO_MODE, settings.LOG_ORIGIN = False, "donnees.exemple.fr/log"
    settings.LOG_KEY_PATH = tmp_path / "log-key"
    call_command("log", "init-key")
    assert (tmp_path / "log-key").read_text().startswith("PRIVATE+KEY+donnees.exemple.fr/log+")
    assert "verifier key: donnees.exemple.fr/log+" in capsys.readouterr().out


def test_the_demo_may_keep_its_origin(settings, tmp_path):
    settings.DEMO_MODE, settings.LOG_ORIGIN = True, DEMO_ORIGIN
    settings.LOG_KEY_PATH = tmp_path / "log-key"
    call_command("log", "init-key")
    assert (tmp_path / "log-key").exists()
