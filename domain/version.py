"""Haken's one version: the installed distribution's, as ``pyproject.toml`` gives it.

Plans record it (``parameters.haken_version``), the API states it, ``haken --version``
prints it.
"""

from importlib.metadata import version

HAKEN_VERSION = version("haken")
