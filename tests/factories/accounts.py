from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from backoffice.accounts.models import IdToken, StaffProfile

USER_PASSWORD = "a-long-enough-test-password"


class IdTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdToken

    id_token = factory.Sequence(lambda n: f"TAG{n:05d}")
    status = IdToken.Status.ACCEPTED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.django.Password(USER_PASSWORD)


class StaffProfileFactory(factory.django.DjangoModelFactory):
    """A member of staff; `sites=[...]` limits them (otherwise they see every site)."""

    class Meta:
        model = StaffProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = StaffProfile.Role.OPERATOR
    all_sites = True

    @factory.post_generation
    def sites(self, create: bool, sites: list | None, **kwargs: object) -> None:
        if create and sites:
            self.all_sites = False
            self.save(update_fields=["all_sites"])
            self.sites.set(sites)
