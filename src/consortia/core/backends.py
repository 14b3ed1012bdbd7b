"""Authentication backend that loads a person together with their organization."""

from django.contrib.auth.backends import ModelBackend

from consortia.core.hooks import person_annotations
from consortia.networks.models import Person


class PersonBackend(ModelBackend):
    """Every request needs "which organization does this person act for?": answer it in the
    same query that loads the person from the session."""

    def get_user(self, user_id):
        person = (
            Person._default_manager.select_related("org_membership__organization")
            .annotate(**person_annotations())
            .filter(pk=user_id)
            .first()
        )
        return person if person is not None and self.user_can_authenticate(person) else None
