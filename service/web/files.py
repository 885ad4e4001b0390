"""File answers (Excel, CSV, zip): their OpenAPI entries and their downloads."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from fastapi import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"  # Starlette adds "; charset=utf-8"
ZIP = "application/zip"
JSON = "application/json"
PDF = "application/pdf"

_BINARY = {"schema": {"type": "string", "format": "binary"}}


def file_answer(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """The 200 entry of an operation that answers with a file of one of ``media_types``."""
    return {200: {"description": description,
                  "content": {media: _BINARY for media in media_types}}}


def download(data: bytes, media_type: str, filename: str) -> Response:
    """``data`` as an attachment that browsers save under ``filename`` (ASCII)."""
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def zipped(files: Mapping[str, bytes]) -> bytes:
    """Several CSV files as one zip, in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
