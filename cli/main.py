"""The ``haken`` command line: the same functions the HTTP API calls.

Nothing imports this package. Each command module imports what it needs when it
runs, so ``haken plan`` never loads the web stack and ``haken --help`` loads no
command's work at all."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Annotated

import typer

from cli import commands

app = typer.Typer(
    name="haken",
    help="Haken (派遣): plan expert-dispatch programmes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich help puts a type column beside every option, and a plain
    # flag (--quiet, --help) shows a meaningless "<bool>" there.
    rich_markup_mode=None,
)


def _print_version(asked: bool) -> None:
    if asked:
        from domain.version import HAKEN_VERSION

        typer.echo(f"haken {HAKEN_VERSION}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Haken (派遣): plan expert-dispatch programmes."""


# Each command lives in cli/commands/<name>.py, as a function ``command`` or, for a
# command with sub-commands, a typer app ``group``; every such module is registered. A
# trailing underscore keeps a Python keyword usable as a name (import_.py -> haken import).
for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda info: info.name):
    _module = importlib.import_module(f"{commands.__name__}.{_info.name}")
    _name = _info.name.rstrip("_")
    if hasattr(_module, "group"):
        app.add_typer(_module.group, name=_name)
    elif callable(getattr(_module, "command", None)):
        app.command(_name)(_module.command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
