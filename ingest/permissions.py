"""Who may do what with ingest in the admin.

Originals are never edited or copied through forms (they are preservation masters), so the admin lists
and inspects them: any staff user may. Uploading onto a record, detaching media from it, and retrying or
reprocessing media follow the record's page permissions: whoever may edit a record may manage its media.
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


def can_manage(user, original) -> bool:
    """Retry or reprocess ``original``: superusers, holders of ``ingest.change_processingjob``, and editors of
    a record that shows it."""
    if not is_staff_user(user):
        return False
    if user.is_superuser or user.has_perm("ingest.change_processingjob"):
        return True
    return any(record.permissions_for_user(user).can_edit() for record in original.records.all())
