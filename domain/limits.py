"""Length limits of the records' text fields, in one place: the API, the console and the
spreadsheets all validate with these types, so a value that one accepts the others keep
whole (every limit is below Excel's 32,767 characters a cell).

Every text also refuses what no database column can store: NUL characters (PostgreSQL
text cannot hold them) and lone surrogates (UTF-8 has no bytes for them)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

ID_LENGTH = 64  # record ids: E001, A001 (the id columns' width)
KEY_LENGTH = 64  # vocabulary keys: qualifications, needs, industries; time zones
NAME_LENGTH = 200  # people, associations, the programme, vocabulary labels
PLACE_LENGTH = 100  # prefecture, city, an expert's base area
ADDRESS_LENGTH = 300  # a postal address, the secretariat's contact
URL_LENGTH = 2000  # a meeting link
EMAIL_LENGTH = 254  # RFC 5321's longest address
PHONE_LENGTH = 30  # a telephone number as written: 03-0000-0000, +81 3 0000 0000
NOTE_LENGTH = 4000  # free text: notes, reasons, the record of a session held

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "NUL characters and lone surrogates are not accepted"
# What the OpenAPI document says of every text (surrogates never come out of a JSON
# encoder unescaped, and a JSON Schema pattern cannot name them portably).
STORABLE_PATTERN = r"^[^\x00]*$"


def storable(text: str) -> str:
    if UNSTORABLE.search(text):
        raise ValueError(UNSTORABLE_MESSAGE)
    return text


def email_address(text: str) -> str:
    """An address as written, if its syntax is an e-mail address's (RFC 5321/5322, and
    internationalised ones); no DNS look-up, so an address is judged the same offline."""
    import email_validator  # here: the domain imports nothing of ours, and this costs

    try:
        email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise ValueError(f"{text!r} is not an e-mail address: {error}") from None
    return text


_STORABLE = AfterValidator(storable)
_SCHEMA = {"pattern": STORABLE_PATTERN}

RecordId = Annotated[str, Field(min_length=1, max_length=ID_LENGTH, json_schema_extra=_SCHEMA),
                     _STORABLE]
Key = Annotated[str, Field(min_length=1, max_length=KEY_LENGTH, json_schema_extra=_SCHEMA),
                _STORABLE]
Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH, json_schema_extra=_SCHEMA),
                 _STORABLE]
Label = Annotated[str, Field(max_length=NAME_LENGTH, json_schema_extra=_SCHEMA), _STORABLE]
Place = Annotated[str, Field(max_length=PLACE_LENGTH, json_schema_extra=_SCHEMA), _STORABLE]
Address = Annotated[str, Field(max_length=ADDRESS_LENGTH, json_schema_extra=_SCHEMA),
                    _STORABLE]
Url = Annotated[str, Field(max_length=URL_LENGTH, json_schema_extra=_SCHEMA), _STORABLE]
Email = Annotated[str, Field(max_length=EMAIL_LENGTH, json_schema_extra=_SCHEMA), _STORABLE,
                  AfterValidator(email_address)]
Note = Annotated[str, Field(max_length=NOTE_LENGTH, json_schema_extra=_SCHEMA), _STORABLE]
Phone = Annotated[str, Field(max_length=PHONE_LENGTH, pattern=r"^[0-9+\-() ]*$"), _STORABLE]
