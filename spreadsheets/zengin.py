"""The bank-transfer file of a closed month: Zengin (全銀協) 総合振込, fixed 120-byte records.

One header record (データ区分 1), one data record (2) per payee paid, a trailer (8) with the
count and the total, an end record (9). Each record is 120 bytes of JIS X 0201 as Shift_JIS
(cp932) writes it: numeric (N) fields right-aligned and padded with zeros, text (C) fields
left-aligned and padded with spaces, in half-width katakana, A-Z, 0-9 and a few signs.
Records end with CR LF (122 bytes a line, as banks' upload screens accept), or with
nothing at all when ``line_ending=b""``.

``read_transfer`` parses a file back field by field, checking every width, record order
and that the trailer's count and total are the data records'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from domain.payments import ZENGIN_CHARACTERS, MonthClose, Remitter, to_zengin_text

RECORD_BYTES = 120
ENCODING = "cp932"
CRLF = b"\r\n"
KIND_TRANSFER = "21"  # 種別コード: 総合振込
CODE_JIS = "0"  # コード区分: JIS
NEW_CODE_OTHER = "0"  # 新規コード: その他 (neither a first transfer nor a change)
TELEGRAPHIC = "7"  # 振込指定区分: 電信扱


@dataclass(frozen=True)
class Field:
    name: str  # as the format's tables name it
    kind: Literal["N", "C"]
    width: int


HEADER = (
    Field("データ区分", "N", 1), Field("種別コード", "N", 2), Field("コード区分", "N", 1),
    Field("振込依頼人コード", "N", 10), Field("振込依頼人名", "C", 40),
    Field("振込指定日", "N", 4), Field("仕向銀行番号", "N", 4), Field("仕向銀行名", "C", 15),
    Field("仕向支店番号", "N", 3), Field("仕向支店名", "C", 15), Field("預金種目", "N", 1),
    Field("口座番号", "N", 7), Field("ダミー", "C", 17),
)
DATA = (
    Field("データ区分", "N", 1), Field("被仕向銀行番号", "N", 4),
    Field("被仕向銀行名", "C", 15), Field("被仕向支店番号", "N", 3),
    Field("被仕向支店名", "C", 15), Field("手形交換所番号", "N", 4), Field("預金種目", "N", 1),
    Field("口座番号", "N", 7), Field("受取人名", "C", 30), Field("振込金額", "N", 10),
    Field("新規コード", "N", 1), Field("顧客コード1", "N", 10), Field("顧客コード2", "N", 10),
    Field("振込指定区分", "N", 1), Field("識別表示", "C", 1), Field("ダミー", "C", 7),
)
TRAILER = (Field("データ区分", "N", 1), Field("合計件数", "N", 6), Field("合計金額", "N", 12),
           Field("ダミー", "C", 101))
END = (Field("データ区分", "N", 1), Field("ダミー", "C", 119))
LAYOUTS = {"1": HEADER, "2": DATA, "8": TRAILER, "9": END}
assert all(sum(f.width for f in layout) == RECORD_BYTES for layout in LAYOUTS.values())


class TransferError(ValueError):
    """A transfer file that cannot be written, or that does not read as the format says."""


def _field(field: Field, value: str | int) -> str:
    text = str(value)
    if field.kind == "N":
        if not text.isdigit() or not text.isascii():
            raise TransferError(f"{field.name}: {text!r} is not a number")
        if len(text) > field.width:
            raise TransferError(f"{field.name}: {text} does not fit in {field.width} digits")
        return text.rjust(field.width, "0")
    text = to_zengin_text(text)
    if len(text) > field.width:
        raise TransferError(f"{field.name}: {text!r} is longer than {field.width} characters")
    return text.ljust(field.width, " ")


def _record(layout: Sequence[Field], values: Sequence[str | int]) -> bytes:
    text = "".join(_field(field, value) for field, value in zip(layout, values, strict=True))
    data = text.encode(ENCODING)
    if len(data) != RECORD_BYTES:  # every character above is one byte in cp932
        raise TransferError(f"a record of {len(data)} bytes, not {RECORD_BYTES}")
    return data


def transfer_file(close: MonthClose, remitter: Remitter, line_ending: bytes = CRLF) -> bytes:
    """The 総合振込 file paying each entry's net to its account on ``close.pay_on``.

    Entries with nothing to transfer (net ¥0) have no data record."""
    paid = [entry for entry in close.entries if entry.net_yen > 0]
    header = _record(HEADER, [
        "1", KIND_TRANSFER, CODE_JIS, remitter.consignor_code, remitter.name,
        close.pay_on.strftime("%m%d"), remitter.bank_code, remitter.bank_name,
        remitter.branch_code, remitter.branch_name, remitter.account_type,
        remitter.account_number, ""])
    data = []
    for entry in paid:
        account = entry.account
        data.append(_record(DATA, [
            "2", account.bank_code, account.bank_name, account.branch_code,
            account.branch_name, "0", account.account_type, account.account_number,
            account.holder_name, entry.net_yen, NEW_CODE_OTHER, "0", "0", TELEGRAPHIC, "",
            ""]))
    total = sum(entry.net_yen for entry in paid)
    trailer = _record(TRAILER, ["8", len(paid), total, ""])
    end = _record(END, ["9", ""])
    return b"".join(record + line_ending for record in [header, *data, trailer, end])


@dataclass(frozen=True)
class TransferRecord:
    kind: str  # データ区分: 1, 2, 8 or 9
    fields: dict[str, str]  # by the format's field name, as written (padding included)

    def number(self, name: str) -> int:
        return int(self.fields[name])

    def text(self, name: str) -> str:
        return self.fields[name].rstrip(" ")


def read_transfer(data: bytes) -> list[TransferRecord]:
    """A 総合振込 file's records, field by field; TransferError naming the record and field
    that does not read as the format says."""
    if data.endswith(CRLF) or CRLF in data[:RECORD_BYTES + 2]:
        lines = data.split(CRLF)
        if lines[-1] != b"":
            raise TransferError("the last record does not end with CR LF as the others do")
        raw = lines[:-1]
    else:
        if len(data) % RECORD_BYTES:
            raise TransferError(f"{len(data)} bytes is not a whole number of "
                                f"{RECORD_BYTES}-byte records")
        raw = [data[i:i + RECORD_BYTES] for i in range(0, len(data), RECORD_BYTES)]
    records = [_read_record(index + 1, record) for index, record in enumerate(raw)]
    kinds = "".join(record.kind for record in records)
    if not (kinds.startswith("1") and kinds.endswith("89") and set(kinds[1:-2]) <= {"2"}):
        raise TransferError(f"records in the order {kinds!r}, not header, data, trailer, end")
    data_records = records[1:-2]
    trailer = records[-2]
    if trailer.number("合計件数") != len(data_records):
        raise TransferError(f"the trailer counts {trailer.number('合計件数')} transfers; "
                            f"there are {len(data_records)}")
    total = sum(record.number("振込金額") for record in data_records)
    if trailer.number("合計金額") != total:
        raise TransferError(f"the trailer's total is {trailer.number('合計金額')}; "
                            f"the transfers add up to {total}")
    return records


def _read_record(line: int, record: bytes) -> TransferRecord:
    if len(record) != RECORD_BYTES:
        raise TransferError(f"record {line}: {len(record)} bytes, not {RECORD_BYTES}")
    try:
        text = record.decode(ENCODING)
    except UnicodeDecodeError:
        raise TransferError(f"record {line}: not Shift_JIS text") from None
    if len(text) != RECORD_BYTES:
        raise TransferError(f"record {line}: holds characters wider than one byte")
    layout = LAYOUTS.get(text[0])
    if layout is None:
        raise TransferError(f"record {line}: データ区分 {text[0]!r} is none of 1, 2, 8, 9")
    fields: dict[str, str] = {}
    position = 0
    for field in layout:
        value = text[position:position + field.width]
        position += field.width
        if field.kind == "N" and not value.isdigit():
            raise TransferError(f"record {line}: {field.name} {value!r} is not a number")
        if field.kind == "C" and not set(value) <= ZENGIN_CHARACTERS:
            raise TransferError(f"record {line}: {field.name} {value!r} holds characters "
                                "the format cannot carry")
        fields[field.name] = value
    return TransferRecord(text[0], fields)

