"""``haken feed``: write the calendar feed (.ics) of one expert, one association, or all sessions.

    haken feed plan.json --scenario scenario.json --expert E001 -o e001.ics
    haken feed plan.json --scenario scenario.json --association A001 -o a001.ics
    haken feed plan.json --scenario scenario.json --all -o all.ics --previous all.ics

Pass the feed published last time as ``--previous`` so that UIDs stay, changed
sessions get a higher SEQUENCE and removed ones show as cancelled.

The revision time (LAST-MODIFIED of changed, new and cancelled events) is
``--now`` when given; otherwise it is derived from the inputs, so the same
files always give the same bytes: the plan's ``parameters.created_at``, else
the latest decision (``decided_on`` 00:00 local) among the plan's
associations, but at least one second after the latest time in ``--previous``.
Cancelled events leave the feed 30 days after their cancellation, counted to
the revision time: pass ``--now`` for that to happen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import EXIT_BAD_INPUT, fail, load_or_exit, write_atomically

if TYPE_CHECKING:
    from calendar_feeds import FeedEvent


def command(
    plan: Annotated[Path, typer.Argument(help="The plan (JSON) whose sessions to publish.")],
    scenario: Annotated[
        Path, typer.Option("--scenario", help="The scenario (JSON) the plan was made for.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the .ics.")],
    expert: Annotated[
        str | None, typer.Option("--expert", help="Feed of this expert id.")
    ] = None,
    association: Annotated[
        str | None, typer.Option("--association", help="Feed of this association id.")
    ] = None,
    all_sessions: Annotated[
        bool, typer.Option("--all", help="The secretariat's feed of every session.")
    ] = False,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="The feed published last time (.ics), to continue it."),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="Revision time, ISO 8601 with an offset (2025-07-20T09:00:00+09:00). "
            "Default: derived from the plan, so reruns give the same bytes.",
        ),
    ] = None,
) -> None:
    """Write the calendar feed (.ics) of one expert, one association, or all sessions."""
    from calendar_feeds import build_feed, read_feed
    from domain.loading import load_plan, load_scenario, scenario_sha256
    chosen = [expert is not None, association is not None, all_sessions]
    if sum(chosen) != 1:
        raise fail("give exactly one of --expert, --association or --all")
    moment = _parse_now(now) if now is not None else None

    loaded_scenario = load_or_exit(load_scenario, scenario)
    loaded_plan = load_or_exit(load_plan, plan)
    digest = loaded_plan.scenario_sha256
    if len(digest) == 64 and digest != scenario_sha256(loaded_scenario):
        typer.echo(
            f"warning: {plan} was made for another scenario than {scenario} "
            "(scenario_sha256 differs)",
            err=True,
        )

    previous_events: list[FeedEvent] = []
    if previous is not None:
        try:
            previous_events = read_feed(previous.read_bytes())
        except OSError as error:
            raise fail(f"{previous}: cannot read: {error.strerror}") from None
        except ValueError as error:
            raise fail(f"{previous}: {error}") from None

    try:
        feed = build_feed(
            loaded_scenario,
            loaded_plan,
            expert_id=expert,
            association_id=association,
            previous=previous_events,
            now=moment,
        )
    except ValueError as error:
        raise fail(f"{scenario}: {error}") from None
    write_atomically(output, feed.data)
    typer.echo(f"{output}: {feed.calendar_name}, {len(feed.events)} event(s)", err=True)


def _parse_now(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"--now {text!r} is not an ISO 8601 timestamp", EXIT_BAD_INPUT) from None
    if moment.tzinfo is None:
        raise fail(f"--now {text!r} has no UTC offset (add +09:00 or Z)", EXIT_BAD_INPUT)
    return moment
