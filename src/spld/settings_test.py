"""Settings for the test suite: a throw-away data folder and SPLD_TEST_DATABASE_URL if set."""

import os
import tempfile

os.environ.setdefault("SPLD_DATA_DIR", tempfile.mkdtemp(prefix="spld-test-"))
os.environ.setdefault("SPLD_SECRET_KEY", "test-only-not-secret")
# Hermetic: no /etc/spld/env nor demo env file leaks into the suite (tests pass their own).
os.environ["SPLD_ENV_FILE"] = ""
if os.environ.get("SPLD_TEST_DATABASE_URL"):
    os.environ["SPLD_DATABASE_URL"] = os.environ["SPLD_TEST_DATABASE_URL"]

from spld.settings import *  # noqa: E402,F403
from spld.settings import DATABASES  # noqa: E402

# Fast hashing in tests only: argon2 is deliberately slow.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(os.environ["SPLD_DATA_DIR"], "test.sqlite3")
    }
