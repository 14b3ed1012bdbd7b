"""Whether to remind the signed-in person to verify their address (no query: annotated)."""

from consortia.accounts.services import email_is_verified


def account(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unverified_email": not email_is_verified(user)}
