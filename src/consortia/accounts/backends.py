"""allauth's e-mail sign-in, loading the person as the rest of Consortia expects."""

from allauth.account.auth_backends import AuthenticationBackend

from consortia.core.backends import PersonBackend


class AccountBackend(AuthenticationBackend):
    def get_user(self, user_id):
        return PersonBackend().get_user(user_id)
