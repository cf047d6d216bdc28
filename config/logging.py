"""One JSON object per log line, for log shippers: set ``DJANGO_LOG_FORMAT=json``.

The web processes (Django and gunicorn), the workers and beat all use this formatter then, so
one parser reads every process's log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

# Attributes every record has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "process", ...extra}``; time in UTC."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # Objects such as the request Django attaches become their text, never an error.
        return json.dumps(entry, ensure_ascii=False, default=str)
