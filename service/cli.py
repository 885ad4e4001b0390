"""The ``haken`` command line: the same functions the HTTP API calls."""

from __future__ import annotations

import importlib

import typer

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


# Each command lives in service/commands/<name>.py, as a function ``command`` or, for
# a command with sub-commands, a typer app ``group``.
for _name in ("plan", "check", "generate", "feed", "serve", "worker", "db", "token"):
    try:
        _module = importlib.import_module(f"service.commands.{_name}")
    except ModuleNotFoundError as _exc:  # a command not built yet in this checkout
        if _exc.name != f"service.commands.{_name}":
            raise
        continue
    if hasattr(_module, "group"):
        app.add_typer(_module.group, name=_name)
    else:
        app.command(_name)(_module.command)


def main() -> None:
    app()
