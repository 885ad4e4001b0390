"""``haken payments …``: payees, the monthly close, statements, the transfer file, the year.

    haken payments payee E001 --type individual --bank 0001 --branch 123 --account-type 1 \\
        --number 1234567 --holder "ヤマダ ハナコ" --scenario S.json
    haken payments preview --month 2026-07
    haken payments close --month 2026-07 -o DIR
    haken payments statements --month 2026-07 -o statements.pdf      (or .xlsx)
    haken payments transfer --month 2026-07 -o zengin.txt
    haken payments yearly --year 2026 -o payments-2026.xlsx           (or .json)

Payees, closed months and adjustments live in the service's database (``HAKEN_DATABASE_URL``,
default ``./haken.db``), never in the scenario file. A month pays the sessions the
session's life has approved and not yet paid (held in the month, or approved after an
earlier month was closed); closing marks each paid, in the same transaction. The
programme's payment rules, experts and associations are the database's; ``--scenario``
(for ``payee``, ``statements``, ``transfer``) names a file to take them from instead.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.common import fail, load_or_exit, write_atomically

if TYPE_CHECKING:
    from domain.payments import MonthClose
    from domain.scenario import Scenario

group = typer.Typer(help="Payees, the monthly close, statements, the Zengin transfer file, "
                         "yearly totals.", no_args_is_help=True)
CLI_ACTOR = "cli"

ScenarioOption = Annotated[Path | None, typer.Option(
    "--scenario", help="Scenario JSON (the programme's payment rules, experts, associations); "
                       "default: the database's.")]
MonthOption = Annotated[str, typer.Option("--month", help="The month, YYYY-MM.")]
PayOnOption = Annotated[str | None, typer.Option(
    "--pay-on", help="Transfer date YYYY-MM-DD; default: last business day of next month.")]


def _url() -> str:
    from cli.commands.common import read_settings
    from service.db import migrate
    url = read_settings().database_url
    migrate.upgrade(url)
    return url


def _scenario(path: Path | None) -> Scenario | None:
    from domain.loading import load_scenario
    return load_or_exit(load_scenario, path) if path is not None else None


def _pay_on(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise fail(f"--pay-on: {text!r} is not a date YYYY-MM-DD") from None


def _service_failure(error: Exception) -> typer.Exit:
    from service.logic.errors import Invalid
    if isinstance(error, Invalid):
        lines = [f"  {issue}" for issue in error.issues]
        return fail("\n".join([f"{len(error.issues)} error(s), nothing closed", *lines]))
    return fail(f"error: {getattr(error, 'message', error)}")


def _print_close(close: MonthClose) -> None:
    typer.echo(f"{close.month}: pay on {close.pay_on.isoformat()}")
    typer.echo("expert\ttype\tsessions\tfee\ttravel\tadjust\tgross\twithheld\tnet\taccount")
    for e in close.entries:
        account = e.account.masked()
        typer.echo(f"{e.expert_id}\t{e.payee_type}\t{len(e.sessions)}\t{e.fee_yen}\t"
                   f"{e.travel_yen}\t{e.adjustment_yen}\t{e.gross_yen}\t{e.withholding_yen}\t"
                   f"{e.net_yen}\t{account.bank_code}-{account.branch_code} "
                   f"{account.account_number}")
    t = close.totals
    typer.echo(f"total\t\t{t.sessions}\t{t.fee_yen}\t{t.travel_yen}\t{t.adjustment_yen}\t"
               f"{t.gross_yen}\t{t.withholding_yen}\t{t.net_yen}")


@group.command("payee")
def set_payee(
    expert_id: Annotated[str, typer.Argument(help="The expert's id.")],
    payee_type: Annotated[str, typer.Option("--type", help="individual or corporate.")],
    bank: Annotated[str, typer.Option("--bank", help="Bank code, 4 digits.")],
    branch: Annotated[str, typer.Option("--branch", help="Branch code, 3 digits.")],
    account_type: Annotated[str, typer.Option(
        "--account-type", help="1 普通 (ordinary) or 2 当座 (current).")],
    number: Annotated[str, typer.Option("--number", help="Account number, 7 digits.")],
    holder: Annotated[str, typer.Option(
        "--holder", help="Holder name in katakana (converted to half-width).")],
    bank_name: Annotated[str, typer.Option("--bank-name", help="Bank name in kana.")] = "",
    branch_name: Annotated[str, typer.Option("--branch-name",
                                             help="Branch name in kana.")] = "",
    scenario: ScenarioOption = None,
) -> None:
    """Set an expert's payee type and bank account (replacing the one there)."""
    from pydantic import ValidationError

    from service.db.engine import transaction
    from service.logic import payments, state
    from service.logic.errors import ServiceError
    loaded = _scenario(scenario)
    try:
        body = payments.PayeeBody.model_validate({"payee_type": payee_type, "account": {
            "bank_code": bank, "bank_name": bank_name, "branch_code": branch,
            "branch_name": branch_name, "account_type": account_type,
            "account_number": number, "holder_name": holder}})
    except ValidationError as error:
        raise fail("\n".join(f"{'.'.join(str(p) for p in e['loc'])}: "
                             f"{e['msg'].removeprefix('Value error, ')}"
                             for e in error.errors())) from None
    known = {e.id for e in loaded.experts} if loaded is not None else None
    try:
        with transaction(_url()) as db:
            row = db.get(payments.PayeeRow, expert_id)
            version = state.etag(row.version) if row is not None else None
            row, _ = payments.put_payee(db, expert_id, body, version, CLI_ACTOR, known)
            shown = payments.as_payee(row).account.masked()
    except ServiceError as error:
        raise _service_failure(error) from None
    typer.echo(f"{expert_id}: {body.payee_type} {shown.bank_code}-{shown.branch_code} "
               f"{shown.account_number} {shown.holder_name}")


@group.command("payees")
def list_payees() -> None:
    """Every payee, account numbers masked."""
    from service.db.engine import transaction
    from service.logic import payments
    with transaction(_url()) as db:
        for row in payments.payee_rows(db):
            payee = payments.as_payee(row)
            account = payee.account.masked()
            typer.echo(f"{payee.expert_id}\t{payee.payee_type}\t{account.bank_code}-"
                       f"{account.branch_code}\t{account.account_number}\t"
                       f"{account.holder_name}")


@group.command("preview")
def preview(month: MonthOption, pay_on: PayOnOption = None) -> None:
    """Show the month as it would close from its approved, unpaid sessions (fee, travel,
    withholding, net per payee); nothing is written."""
    from service.db.engine import transaction
    from service.logic import payments
    from service.logic.errors import ServiceError
    day = _pay_on(pay_on)
    try:
        with transaction(_url()) as db:
            result = payments.preview(db, month, day)
    except ServiceError as error:
        raise _service_failure(error) from None
    _print_close(result)


@group.command("close")
def close(month: MonthOption,
          output: Annotated[Path, typer.Option("-o", "--output",
                                               help="Folder for the month's files.")],
          pay_on: PayOnOption = None) -> None:
    """Close the month, once: its approved, unpaid sessions are paid and marked paid, and
    its files written: statements (PDF and Excel), the Zengin transfer file, and the close
    as JSON (accounts masked). On any error nothing is closed and nothing written."""
    from reports.payment_statements import NoJapaneseFont, statements_pdf
    from service.db.engine import transaction
    from service.logic import payments, state
    from service.logic.errors import ServiceError
    from spreadsheets.payments import statements_workbook
    day = _pay_on(pay_on)
    if not output.is_dir():
        raise fail(f"{output}: not a folder")
    try:
        with transaction(_url()) as db:
            programme = state.programme(db)
            if programme.payment_rules.remitter is None:
                raise fail("programme.payments.remitter is not set (the secretariat's "
                           "account and consignor code): the transfer file cannot be "
                           "written; nothing closed")
            result = payments.close(db, month, CLI_ACTOR, day)
            # Every file made before the close is committed: a failure leaves nothing.
            masked = json.dumps(result.masked().model_dump(mode="json"), ensure_ascii=False,
                                indent=2)
            files = {
                f"statements-{month}.pdf": statements_pdf(result, programme.name),
                f"statements-{month}.xlsx": statements_workbook(result, programme.name),
                f"zengin-sogo-furikomi-{month}.txt": payments.transfer(
                    db, month, rules_of=programme),
                f"close-{month}.json": (masked + "\n").encode("utf-8")}
    except ServiceError as error:
        raise _service_failure(error) from None
    except NoJapaneseFont as error:
        raise fail(f"{error}; nothing closed") from None
    for name, data in files.items():
        write_atomically(output / name, data)
    _print_close(result)
    typer.echo(f"closed; wrote {', '.join(files)} to {output}")


@group.command("statements")
def statements(month: MonthOption,
               output: Annotated[Path, typer.Option("-o", "--output",
                                                    help="A .pdf or .xlsx file.")],
               expert: Annotated[str | None, typer.Option(
                   "--expert", help="Only this expert's statement.")] = None,
               scenario: ScenarioOption = None) -> None:
    """Write a closed month's payment statements (支払明細書)."""
    from service.db.engine import transaction
    from service.logic import payments, state
    from service.logic.errors import ServiceError
    if output.suffix not in (".pdf", ".xlsx"):
        raise fail(f"{output}: name a .pdf or .xlsx file")
    loaded = _scenario(scenario)
    try:
        with transaction(_url()) as db:
            closed = payments.closed_month(db, month)
            name = loaded.programme.name if loaded is not None else state.programme(db).name
    except ServiceError as error:
        raise _service_failure(error) from None
    only = [expert] if expert else None
    if output.suffix == ".pdf":
        from reports.payment_statements import statements_pdf
        data = statements_pdf(closed, name, only)
    else:
        from spreadsheets.payments import statements_workbook
        data = statements_workbook(closed, name, only)
    write_atomically(output, data)


@group.command("transfer")
def transfer(month: MonthOption,
             output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
             no_line_endings: Annotated[bool, typer.Option(
                 "--no-line-endings", help="Records back to back, without CR LF.")] = False,
             scenario: ScenarioOption = None) -> None:
    """Write a closed month's Zengin 総合振込 transfer file."""
    from service.db.engine import transaction
    from service.logic import payments
    from service.logic.errors import ServiceError
    loaded = _scenario(scenario)
    try:
        with transaction(_url()) as db:
            data = payments.transfer(db, month, b"" if no_line_endings else b"\r\n",
                                     loaded.programme if loaded is not None else None)
    except ServiceError as error:
        raise _service_failure(error) from None
    write_atomically(output, data)


@group.command("yearly")
def yearly(year: Annotated[int, typer.Option("--year", help="The calendar year paid in.")],
           output: Annotated[Path | None, typer.Option(
               "-o", "--output", help="A .xlsx or .json file (default: a table on screen).")]
           = None) -> None:
    """Each payee's totals of the months paid in the year: paid and withheld (支払調書)."""
    from service.db.engine import transaction
    from service.logic import payments
    from spreadsheets.payments import yearly_workbook
    with transaction(_url()) as db:
        totals = payments.yearly(db, year)
    if output is None:
        typer.echo("expert\tname\ttype\tmonths\tpaid\twithheld\tnet")
        for t in totals:
            typer.echo(f"{t.expert_id}\t{t.expert_name}\t{t.payee_type}\t{len(t.months)}\t"
                       f"{t.paid_yen}\t{t.withheld_yen}\t{t.net_yen}")
        return
    if output.suffix == ".xlsx":
        write_atomically(output, yearly_workbook(totals, year))
    elif output.suffix == ".json":
        text = json.dumps([t.model_dump(mode="json") for t in totals], ensure_ascii=False,
                          indent=2)
        write_atomically(output, (text + "\n").encode("utf-8"))
    else:
        raise fail(f"{output}: name a .xlsx or .json file")
