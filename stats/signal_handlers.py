"""A deleted observation leaves a last revision, so its history outlives it; a changed place makes the
pages read the units again (``stats.places.UnitIndex.shared``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from archive.models import Place
from stats.models import Observation, ObservationRevision
from stats.places import units_changed
from stats.revisions import record_revision


@receiver(post_delete, sender=Observation, dispatch_uid="stats_observation_deleted")
def observation_deleted(sender, instance, **kwargs):
    record_revision(
        instance, ObservationRevision.Action.DELETED, {k: [v, None] for k, v in instance.tracked_state().items()}
    )


@receiver(post_save, sender=Place, dispatch_uid="stats_place_saved")
@receiver(post_delete, sender=Place, dispatch_uid="stats_place_deleted")
def place_changed(sender, **kwargs):
    units_changed()
