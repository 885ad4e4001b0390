"""What every command shares: loading with named errors, exit codes, writing files whole."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer

from domain.errors import InputError

EXIT_RULES_BROKEN = 1
EXIT_BAD_INPUT = 2

T = TypeVar("T")


def load_or_exit(loader: Callable[[Path], T], path: Path) -> T:
    """Load a document; on bad input print every named error and exit 2."""
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
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    print(message, file=sys.stderr)
    return typer.Exit(code)
