"""Model receivers that turn access changes, however made, into revocation (services.revocation)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import StaffProfile
from .services import revocation

User = get_user_model()


@receiver(post_save, sender=User)
def _user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in, not a change of access
    # set_password() keeps the new raw password here until save() has run (AbstractBaseUser).
    if getattr(instance, "_password", None) is not None:
        revocation.password_changed(user_pk=instance.pk)
    else:
        revocation.access_changed(user_pk=instance.pk)


@receiver(post_delete, sender=User)
def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    revocation.access_changed(user_pk=instance.pk)


@receiver(post_save, sender=StaffProfile)
@receiver(post_delete, sender=StaffProfile)
def _profile_changed(sender: Any, instance: StaffProfile, **kwargs: Any) -> None:
    revocation.access_changed(user_pk=instance.user_id)


@receiver(m2m_changed, sender=StaffProfile.sites.through)
def _profile_sites_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        revocation.access_changed(user_pk=instance.user_id)
        return
    # A site's staff list changed: every profile it named, or all of them on clear.
    profiles = StaffProfile.objects.filter(pk__in=pk_set) if pk_set else StaffProfile.objects.none()
    for user_pk in profiles.values_list("user_id", flat=True):
        revocation.access_changed(user_pk=user_pk)
