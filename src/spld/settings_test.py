"""Settings for the test suite: a throw-away data folder and SPLD_TEST_DATABASE_URL if set."""

import atexit
import os
import shutil
import tempfile

if "SPLD_DATA_DIR" not in os.environ:
    # Made here, removed here (with its secrets folder); processes the suite starts inherit
    # the variable and leave the folder to the process that made it.
    os.environ["SPLD_DATA_DIR"] = tempfile.mkdtemp(prefix="spld-test-")
    for _folder in (os.environ["SPLD_DATA_DIR"], os.environ["SPLD_DATA_DIR"] + "-secrets"):
        atexit.register(shutil.rmtree, _folder, ignore_errors=True)
os.environ.setdefault("SPLD_SECRET_KEY", "test-only-not-secret")
# Hermetic: no /etc/spld/env nor demo env file leaks into the suite (tests pass their own).
os.environ["SPLD_ENV_FILE"] = ""
os.environ.setdefault(
    "SPLD_VAULT_MASTER_KEY_PATH",
    os.path.join(os.environ["SPLD_DATA_DIR"] + "-secrets", "vault-master.key"),
)


def _test_keys() -> None:
    # Outside the demo no key is ever invented: the suite's throw-away folder gets its own.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    keys = os.path.join(os.environ["SPLD_DATA_DIR"], "keys")
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for path, data in (
        (os.path.join(keys, "receipts-ed25519.pem"), pem),
        (os.path.join(keys, "consent-match.key"), os.urandom(32)),
        (os.environ["SPLD_VAULT_MASTER_KEY_PATH"], os.urandom(32)),
    ):
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)


_test_keys()
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

# The suite has no log key by default; tests of the start-up guard switch it back on.
STARTUP_CHECK = ""
