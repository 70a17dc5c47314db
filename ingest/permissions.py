"""Who may do what with ingest in the admin.

Originals are never edited or copied through forms (they are preservation masters), so the admin lists
and inspects them: any staff user may. Uploading onto a record, detaching media from it, and retrying or
reprocessing media follow the record's page permissions: whoever may edit a record may manage its media
(changes to a live record's list wait in its draft for review, ``ingest.attachments``). Reprocessing
replaces the access copies visitors get without a draft, so where a live record shows the original only
those who could publish that record may do it, besides holders of ``ingest.change_processingjob``.
Deleting an original (only once no record shows it) is a deliberate act kept for holders of
``ingest.delete_original``: superusers and the Administrators group, not curators.
"""

from wagtail.permission_policies import ModelPermissionPolicy

from archive.access import is_staff_user


class OriginalPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action == "view":
            return is_staff_user(user)
        if action == "delete":
            return can_delete_originals(user)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


def can_upload_to(user, record) -> bool:
    return is_staff_user(user) and record.permissions_for_user(user).can_edit()


def can_delete_originals(user) -> bool:
    return is_staff_user(user) and user.has_perm("ingest.delete_original")


def manages_all_media(user) -> bool:
    return is_staff_user(user) and (user.is_superuser or user.has_perm("ingest.change_processingjob"))


def can_manage(user, original, record=None) -> bool:
    """Retry or reprocess ``original``: superusers, holders of ``ingest.change_processingjob``, and editors of
    a record that shows it, or of ``record`` (given where the caller knows that it shows the original or
    that its draft lists it: the record's media page)."""
    if not is_staff_user(user):
        return False
    if manages_all_media(user):
        return True
    if record is not None and record.permissions_for_user(user).can_edit():
        return True
    return any(page.permissions_for_user(user).can_edit() for page in original.records.all())


def can_reprocess(user, original, record=None) -> bool:
    """Reprocess ``original``: as :func:`can_manage`, and where a live record shows it, only those who may
    publish every such record (or manage all media): the new copies reach visitors without a review."""
    if not can_manage(user, original, record):
        return False
    if manages_all_media(user):
        return True
    return all(page.permissions_for_user(user).can_publish() for page in original.records.all() if page.live)
