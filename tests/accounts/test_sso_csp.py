"""The strict policy lets the sign-in form lead to the configured identity providers only."""

import pytest


def provider(url):
    return {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "acme",
                    "name": "Acme SSO",
                    "client_id": "consortia",
                    "secret": "s3cret",
                    "settings": {"server_url": url},
                }
            ]
        }
    }


@pytest.mark.django_db
def test_it_adds_the_providers_origin_to_form_action(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider("https://id.example.org/realms/acme")
    policy = client.get("/login/")["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert form_action.split() == ["form-action", "'self'", "https://id.example.org"]


@pytest.mark.django_db
def test_without_providers_forms_post_to_this_site_only(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "form-action 'self';" in policy + ";"
    assert "id.example.org" not in policy
