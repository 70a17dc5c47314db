"""Signals other apps send or follow about records, beyond Wagtail's page signals."""

from django.dispatch import Signal

# Something derived from a record changed without the page itself being saved (its media
# finished processing, a caption was attached). Sent with ``page_ids``: the RecordPage ids.
record_derived_data_changed = Signal()

# Records were written in bulk without the per-page save path (``manage.py generate_corpus``):
# no page_published or post_save was sent for them. Sent once at the end with ``page_ids``:
# every page written, translations included. Receivers refresh what they derive from pages.
records_bulk_created = Signal()

# Who may see some records changed: they were published, unpublished or moved, or a view
# restriction covering them (in any language) was added, changed or removed. Sent with
# ``page_ids``: the RecordPage ids, translations included. Search re-indexes them; the page
# cache starts a new version. (A record's own save, level included, sends post_save as usual.)
records_visibility_changed = Signal()
