"""Keys are normalized before blinding: a URL or e-mail becomes its registrable domain (Public
Suffix List, offline), a registration number loses its spaces and punctuation."""

import pytest

from consortia.overlap import keys


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("acme.example", "d:acme.example"),
        ("  ACME.com ", "d:acme.com"),
        ("https://www.sales.acme.co.uk/contact?x=1", "d:acme.co.uk"),
        ("http://user@shop.acme.de:8080/", "d:acme.de"),
        ("www.acme.com/about", "d:acme.com"),
        ("jane.doe@eu.acme.com", "d:acme.com"),
        ("Jane <jane@acme.fr>", "d:acme.fr"),
        ("city.kawasaki.jp", "d:city.kawasaki.jp"),  # an exception rule of the list
        ("a.b.kawasaki.jp", "d:a.b.kawasaki.jp"),  # a wildcard rule
        ("bücher.de", "d:xn--bcher-kva.de"),
        ("shop.example.blogspot.com", "d:blogspot.com"),  # ICANN rules only
        ("DE 811 907 980", "r:DE811907980"),
        ("HRB-12345/B", "r:HRB12345B"),
        ("123.456.789", "r:123456789"),
        ("co.uk", None),  # a public suffix is no account
        ("", None),
        ("   ", None),
        ("@", None),
        ("---", None),
    ],
)
def test_it_normalizes_keys(value, key):
    assert keys.normalize(value) == key


def test_the_suffix_list_ships_with_the_package_and_is_offline():
    rules = keys.icann_rules()
    assert "co.uk" in rules and "*.ck" in rules and "!www.ck" in rules
    assert "blogspot.com" not in rules  # the private section is left out
    assert all(rule.isascii() for rule in rules)  # IDN rules in punycode, as browsers see hosts
