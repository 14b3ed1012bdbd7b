"""Hooks other apps register to learn that an organization's profile changed.

`networks` knows nothing of the apps that keep something derived from a profile (matching's
index): they register a function from their `AppConfig.ready()`, and the services that change
a profile call `profile_changed()` inside their transaction. `network` is set when what changed
is the organization's record in one network (e.g. the initiatives it took part in), None when
its own profile (name, description, offerings, values) changed.

    from consortia.networks import hooks
    hooks.on_profile_changed(my_app.index.profile_changed)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

ProfileHook = Callable[..., None]
_profile_hooks: list[ProfileHook] = []


def on_profile_changed(hook: ProfileHook) -> ProfileHook:
    """Register `hook(organization_ids, *, network=None)` (idempotent)."""
    if hook not in _profile_hooks:
        _profile_hooks.append(hook)
    return hook


def profile_changed(organization_ids: Iterable[int], *, network=None) -> None:
    ids = [pk for pk in organization_ids if pk]
    if not ids:
        return
    for hook in list(_profile_hooks):
        hook(ids, network=network)
