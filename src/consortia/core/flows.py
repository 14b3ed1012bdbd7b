"""One way for a view to run a form (or a button) through its service.

Every form view does the same thing: when the form is valid, call the service; a ValidationError
goes onto the form (each message next to its field), a PermissionDenied becomes an error at the
top of the form; on success a flash message and a redirect that htmx follows too. `submit` does
exactly that, so views keep only what differs: which form, which service, where to go next.
Check access before the form (parse → permission → form → service): what the view can know
(not a member, not a team leader, not the initiative's leader) is the 403 page, as on GET.

- `submit(request, form, action, success=…, redirect_to=… | respond=…)`: the whole block.
- `run(form, action)`: the same without the response, when the view renders its success itself
  (a fragment swapped in place) or must do something between the service and the answer.
- `act(request, action, success=…)`: a button without a form (start, accept, sign off): a
  refusal (ValidationError) becomes an error message, an accepted action the success message;
  a PermissionDenied is left to Django (the 403 page with its sentence). The caller redirects.
- `posted(request)`: the data to bind the form to: the POST data on a POST (even an empty one,
  so the form says what is missing; `request.POST or None` would show a blank form), else None.
- `form_status(form)`: 422 when the form comes back with errors, else 200.
- `require_GET_or_POST`: the decorator of every page that shows a form and receives it.

    form = forms.PollCreateForm(flows.posted(request), members=members)
    if response := flows.submit(
        request, form,
        lambda data: services.poll_create(actor=person, network=network, **data),
        success=lambda poll: f"The poll “{poll.title}” is open.",
        redirect_to=lambda poll: reverse("poll_detail", args=[network.slug, poll.pk]),
    ):
        return response
    return render(request, "decisions/poll_form.html", context, status=flows.form_status(form))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from consortia.core import htmx

Text = str | Callable[[Any], str] | None

# A page that shows a form (GET) and receives it (POST); anything else is a 405.
require_GET_or_POST = require_http_methods(["GET", "POST"])


def posted(request):
    """The POST data on a POST, even empty (the form then says what is missing), else None."""
    return request.POST if request.method == "POST" else None


def _resolve(value, result):
    return value(result) if callable(value) else value


def add_error(form, exc: ValidationError | PermissionDenied) -> None:
    """Put what a service refused onto the form: field errors next to their fields, the rest on
    top, a permission refusal as a sentence on top."""
    if isinstance(exc, PermissionDenied):
        exc = ValidationError({NON_FIELD_ERRORS: [str(exc) or "You are not allowed to do this."]})
    if hasattr(form, "add_service_error"):
        form.add_service_error(exc)
        return
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            field = key if key in form.fields else None
            for error in errors:
                for message in error.messages:
                    form.add_error(field, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def run(form, action: Callable[[dict], Any]) -> tuple[bool, Any]:
    """Validate the bound form and call `action(cleaned_data)`; refusals go onto the form.

    Returns `(True, result)` when the service accepted, `(False, None)` otherwise (an unbound
    form, invalid input, or a refusal now shown on the form)."""
    if not form.is_bound or not form.is_valid():
        return False, None
    try:
        return True, action(form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        add_error(form, exc)
        return False, None


def submit(
    request,
    form,
    action: Callable[[dict], Any],
    *,
    success: Text = None,
    redirect_to: str | Callable[[Any], str] | None = None,
    respond: Callable[[Any], HttpResponse] | None = None,
) -> HttpResponse | None:
    """Run the form through its service. On success: flash `success` (text, or a function of the
    service's result) and answer `respond(result)` or an htmx-aware redirect to `redirect_to`.
    Otherwise None: the caller renders the form again, with `form_status(form)`."""
    if (redirect_to is None) == (respond is None):
        raise TypeError("submit() needs exactly one of redirect_to and respond")
    accepted, result = run(form, action)
    if not accepted:
        return None
    message = _resolve(success, result)
    if message:
        messages.success(request, message)
    if respond is not None:
        return respond(result)
    return htmx.redirect(request, _resolve(redirect_to, result))


def form_status(form) -> int:
    """422 when the form comes back with errors (htmx swaps it in place), else 200."""
    return htmx.UNPROCESSABLE if form is not None and form.errors else 200


def act(request, action: Callable[[], Any], *, success: Text = None) -> tuple[bool, Any]:
    """Call the service behind a button; its refusal becomes an error message, its success the
    `success` message (text, or a function of the result). Returns `(True, result)` or
    `(False, None)`; the caller answers (usually `htmx.redirect` back to the page)."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False, None
    message = _resolve(success, result)
    if message:
        messages.success(request, message)
    return True, result
