"""What every command shares: loading with named errors, exit codes, writing files whole."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

EXIT_RULES_BROKEN = 1
EXIT_BAD_INPUT = 2

T = TypeVar("T")

if TYPE_CHECKING:
    from service.config import Settings


def load_or_exit(loader: Callable[[Path], T], path: Path) -> T:
    """Load a document; on bad input print every named error and exit 2."""
    from domain.errors import InputError
    try:
        return loader(path)
    except InputError as error:
        typer.echo(error.render(), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file or nothing: a temporary file renamed into place."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); give it what open() would: the mode of
        # the file it replaces, or 0666 less the umask.
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)  # the only portable way to read it is to set it
        os.umask(umask)
        return 0o666 & ~umask


# Lines shown for a plan checked against a scenario it was not made for: beyond these its
# unknown ids repeat one cause, which the scenario_sha256 warning printed first names.
MISMATCH_SHOWN = 5


def echo_first(lines: list[str], limit: int | None, err: bool = False) -> None:
    """Every line, or with ``limit`` only that many and a count of the rest."""
    shown = lines if limit is None else lines[:limit]
    for line in shown:
        typer.echo(line, err=err)
    if len(shown) < len(lines):
        typer.echo(f"... and {len(lines) - len(shown)} more, not shown: most follow "
                   "from the scenario mismatch above (--all lists every one)", err=err)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    print(message, file=sys.stderr)
    return typer.Exit(code)


def read_settings() -> Settings:
    """The service's settings from ``HAKEN_*``; a bad one is named and exits 2."""
    from pydantic import ValidationError

    from service.config import get_settings
    try:
        return get_settings()
    except ValidationError as error:
        for problem in error.errors():
            name = "HAKEN_" + "_".join(str(part) for part in problem["loc"][:1]).upper()
            message = problem["msg"].removeprefix("Value error, ")
            print(f"{name}: {message}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
