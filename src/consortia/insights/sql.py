"""Two small SQL functions Django lacks, written for SQLite and PostgreSQL."""

from django.conf import settings
from django.db.models import FloatField, Func
from django.db.models.functions import TruncDate


class DaysBetween(Func):
    """(later - earlier) in days, as a float; both datetimes or both dates."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return (
            f"(julianday({later}) - julianday({earlier}))",
            (*later_params, *earlier_params),
        )

    def as_postgresql(self, compiler, connection, **extra):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return (
            f"(EXTRACT(EPOCH FROM (({later})::timestamptz - ({earlier})::timestamptz)) / 86400.0)",
            (*later_params, *earlier_params),
        )

    def as_sql(self, compiler, connection, **extra):  # other backends: not supported
        raise NotImplementedError("DaysBetween supports SQLite and PostgreSQL")


class LocalDate(TruncDate):
    """TruncDate, computed natively by SQLite when the site's time zone is UTC.

    Django's SQLite TruncDate calls a Python function for every row (it converts time zones);
    for UTC, SQLite's own date() gives the same day ten times faster, which matters when a whole
    network's commitments are aggregated."""

    def as_sqlite(self, compiler, connection, **extra):
        if settings.TIME_ZONE == "UTC" and self.tzinfo is None:
            sql, params = compiler.compile(self.lhs)
            return f"date({sql})", params
        return super().as_sql(compiler, connection, **extra)
