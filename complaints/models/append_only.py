"""Timelines that are written once and never changed: a row may be added, not updated or
deleted, whether one at a time or through a queryset."""

from django.db import models


def _refuse(model) -> TypeError:
    return TypeError(f"{str(model._meta.verbose_name_plural).capitalize()} are append-only.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _refuse(self.model)

    def delete(self):
        raise _refuse(self.model)


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise _refuse(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(self)
