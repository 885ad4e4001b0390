"""Logging of the server: no secret reaches the log, wherever a client put it.

Secrets are calendar feeds' links (``/feeds/<secret>.ics``), API tokens (``hk_...``, also
when pasted into a path or a query string), bearer credentials, and the values of query
parameters named like a secret (``token``, ``access_token``, ``api_key``, ``password``...).
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

REDACTED = "[redacted]"
_PATTERNS = (
    (re.compile(r"/feeds/[^/?\s\"]+"), f"/feeds/{REDACTED}"),
    (re.compile(r"(?i)([?&;][^=&\s\"]*(?:token|secret|key|password|passwd|auth|session|"
                r"signature)[^=&\s\"]*=)[^&;\s\"]*"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\g<1> {REDACTED}"),
    (re.compile(r"\bhk_[A-Za-z0-9_-]+"), f"hk_{REDACTED}"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record before any handler formats it: message, arguments, traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        record.msg = redact(str(record.msg))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, every handler filtered; the service's own loggers go there too."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_secrets")
    config["root"] = {"handlers": ["default"], "level": "INFO"}
    return config
