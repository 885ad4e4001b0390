"""The ``haken`` command line: the same functions the HTTP API calls."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from service import commands

app = typer.Typer(
    name="haken",
    help="Haken (派遣): plan expert-dispatch programmes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root() -> None:
    """Haken (派遣): plan expert-dispatch programmes."""


# Each command lives in service/commands/<name>.py as a function ``command``; every such
# module is registered, so adding a command touches no other file.
for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
    _module = importlib.import_module(f"service.commands.{_info.name}")
    if callable(getattr(_module, "command", None)):
        app.command(_info.name)(_module.command)


def main() -> None:
    app()
