"""`consortia restore FILE [--force]`: see consortia.core.backup."""

from consortia.core.backup import main_restore as main

__all__ = ["main"]
