"""A deleted observation leaves a last revision, so its history outlives it."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from stats.models import Observation, ObservationRevision
from stats.revisions import record_revision


@receiver(post_delete, sender=Observation, dispatch_uid="stats_observation_deleted")
def observation_deleted(sender, instance, **kwargs):
    record_revision(
        instance, ObservationRevision.Action.DELETED, {k: [v, None] for k, v in instance.tracked_state().items()}
    )
