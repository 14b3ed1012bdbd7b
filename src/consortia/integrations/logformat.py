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
