"""What browser tests do again and again, written once."""

import re

from tests.conftest import PASSWORD


def sign_in(page, who, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Sign in through the sign-in page as `who` (a person or an e-mail address); with `wait`,
    until the dashboard is shown."""
    email = getattr(who, "email", who)
    page.goto("/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if wait:
        page.wait_for_url(re.compile(r".*/$"))
    else:
        page.wait_for_load_state()
