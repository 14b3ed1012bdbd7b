"""first_rows: the rows of an ordered, joined queryset, keys sorted on the bare table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consortia.core.paging import first_rows
from consortia.networks.models import OrgMembership


@pytest.mark.django_db
def test_first_rows_keeps_the_order_the_slice_and_the_joins(world):
    rows = OrgMembership.objects.select_related("person", "organization").order_by(
        "-person__name", "pk"
    )
    expected = list(rows)
    assert len(expected) >= 4
    with CaptureQueriesContext(connection) as captured:
        first = first_rows(rows, 3)
        names = [(m.person.name, m.organization.name) for m in first]  # joined: no more queries
    assert len(captured) == 1
    assert first == expected[:3]
    assert names == [(m.person.name, m.organization.name) for m in expected[:3]]
    assert first_rows(rows, 2, offset=2) == expected[2:4]
    assert first_rows(rows.none(), 5) == []
