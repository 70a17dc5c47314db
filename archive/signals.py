"""Signals other apps send or follow about records, beyond Wagtail's page signals."""

from django.dispatch import Signal

# Something derived from a record changed without the page itself being saved (its media
# finished processing, a caption was attached). Sent with ``page_ids``: the RecordPage ids.
record_derived_data_changed = Signal()

# Records were written in bulk without the per-page save path (``manage.py generate_corpus``):
# no page_published or post_save was sent for them. Sent once at the end with ``page_ids``:
# every page written, translations included. Receivers refresh what they derive from pages.
records_bulk_created = Signal()
