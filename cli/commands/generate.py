"""``haken generate``: a realistic scenario of the Tokyo programmes, the same for the same seed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.commands.common import fail, write_atomically
from simulation.profiles import PROFILES

_PROFILE_HELP = f"Kind of instance, one of: {', '.join(PROFILES)} (described above)."


def command(
    associations: Annotated[
        int, typer.Option("--associations", "-n", min=0, help="Number of applications.")
    ],
    experts: Annotated[int, typer.Option("--experts", "-m", min=0, help="Number of experts.")],
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same arguments give the same file.")
    ] = 0,
    profile: Annotated[str, typer.Option("--profile", help=_PROFILE_HELP)] = "balanced",
    pinned: Annotated[
        int,
        typer.Option(
            "--pinned", min=0,
            help="Pin session 1 of this many early accepted associations (already confirmed).",
        ),
    ] = 0,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the scenario here (default: standard output)."),
    ] = None,
) -> None:
    """Generate a realistic scenario of the Tokyo programme (or its sister for companies)."""
    from simulation.generator import generate_scenario
    if profile not in PROFILES:
        raise fail(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}")
    try:
        document = generate_scenario(associations, experts, seed, profile, pinned=pinned)
    except ValueError as error:
        raise fail(f"cannot generate: {error}") from None
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(output, text.encode("utf-8"))


command.__doc__ = "\n\n".join([
    command.__doc__ or "",
    "The same arguments give the same file. Profiles:",
    *(f"{name}: {profile.description}" for name, profile in PROFILES.items()),
])
