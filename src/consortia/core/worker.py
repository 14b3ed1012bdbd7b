"""Periodic jobs of `consortia worker`: apps register them in AppConfig.ready().

Jobs must be idempotent and safe to run from several workers at once (claim rows with a
conditional UPDATE); nothing correct depends on them running on time — state that depends on
the clock is computed on read — they only send reminders, digests and outcome notices.
"""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)
_jobs: dict[str, Callable[[], int]] = {}


def register_job(name: str, function: Callable[[], int]) -> None:
    _jobs[name] = function


def run_jobs() -> dict[str, int]:
    """Run every registered job once; one failing job does not stop the others."""
    done = {}
    for name, function in _jobs.items():
        try:
            done[name] = function() or 0
        except Exception:
            log.exception("worker job %s failed", name)
            done[name] = -1
    return done
