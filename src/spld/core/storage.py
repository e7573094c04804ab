"""Static files under hashed names (cached a year, immutable) once collectstatic has run."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, tolerant before the first collectstatic.

    Without a manifest (tests, a checkout never collected) names stay as they are and
    WhiteNoise serves them from the app folders with a short cache, instead of failing.
    """

    manifest_strict = False


    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: the finders serve the original name
            return name
