from typing import Any

from django.contrib.auth.backends import ModelBackend

from agencies.models import User


class MembershipBackend(ModelBackend):
    """Loads the signed-in user with their membership in one query: every page needs both."""

    def get_user(self, user_id: Any) -> User | None:
        user = (
            User.objects.select_related("membership__agency", "membership__partnership")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
