from __future__ import annotations

import factory

from backoffice.accounts.models import IdToken


class IdTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdToken

    id_token = factory.Sequence(lambda n: f"TAG{n:05d}")
    status = IdToken.Status.ACCEPTED
