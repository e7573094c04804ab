"""SPLD, the local public data service; its version is the one pyproject.toml declares."""

from importlib import metadata

try:
    # One place for the version: pyproject.toml, read back from the installed package.
    __version__ = metadata.version("spld")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
