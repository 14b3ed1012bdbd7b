"""JSON logs (LOG_FORMAT=json): one object per line, for log collectors (no Django imports:
logging is configured before the apps are loaded)."""

from pythonjsonlogger.json import JsonFormatter


class JsonLogFormatter(JsonFormatter):
    """time, level, logger, message, process, any `extra` fields, and the exception as text."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level"})
        kwargs.setdefault("json_default", str)
        super().__init__(*args, **kwargs)


# Gunicorn's access log: its atoms (see gunicorn's access_log_format) as named fields.
ACCESS_FIELDS = {
    "h": "remote",
    "m": "method",
    "U": "path",
    "q": "query",
    "H": "protocol",
    "s": "status",
    "B": "bytes",
    "a": "user_agent",
    "f": "referer",
}


class JsonAccessLogFormatter(JsonLogFormatter):
    """One object per request: remote, method, path, query, status, bytes, duration_ms…"""

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        for atom, field in ACCESS_FIELDS.items():
            value = atoms.get(atom)
            if value not in (None, "", "-"):
                log_data[field] = value
        if isinstance(atoms.get("D"), int):
            log_data["duration_ms"] = round(atoms["D"] / 1000, 3)
        if isinstance(log_data.get("status"), str) and log_data["status"].isdigit():
            log_data["status"] = int(log_data["status"])


def gunicorn_json_logger():
    """Gunicorn's logger class with JSON on both its error and its access log."""
    from gunicorn.glogging import Logger

    class JsonGunicornLogger(Logger):
        def setup(self, cfg):
            super().setup(cfg)
            for log, formatter in (
                (self.error_log, JsonLogFormatter()),
                (self.access_log, JsonAccessLogFormatter()),
            ):
                for handler in log.handlers:
                    handler.setFormatter(formatter)

    return JsonGunicornLogger
