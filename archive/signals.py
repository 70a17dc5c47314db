"""Signals other apps send or follow about records, beyond Wagtail's page signals."""

from django.dispatch import Signal

# Something derived from a record changed without the page itself being saved (its media
# finished processing, a caption was attached). Sent with ``page_ids``: the RecordPage ids.
record_derived_data_changed = Signal()
