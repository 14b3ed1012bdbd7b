"""Authentication backend that loads a person together with what every request needs."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PersonBackend(ModelBackend):
    """Every request needs "which organization does this person act for?": answer it in the
    same query that loads the person from the session. The user model names the relations to
    load with it (`SESSION_SELECT_RELATED`), so this backend knows no domain app."""

    def get_user(self, user_id):
        model = get_user_model()
        person = (
            model._default_manager.select_related(*getattr(model, "SESSION_SELECT_RELATED", ()))
            .filter(pk=user_id)
            .first()
        )
        return person if person is not None and self.user_can_authenticate(person) else None
