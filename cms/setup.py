"""Idempotent setup of the site's skeleton: locales, home pages, editorial groups, workflow.

Run after every ``migrate`` (see ``cms.apps``) and by ``load_demo``; each step only
creates what is missing, so an administrator's later changes are kept.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

CURATORS, REVIEWERS, ADMINISTRATORS = "Curators", "Reviewers", "Administrators"
WORKFLOW_NAME = "Record review"

PAGE_PERMISSIONS = {
    CURATORS: ["add_page", "change_page", "lock_page", "unlock_page"],
    REVIEWERS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    ADMINISTRATORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"],
}
# Image permissions only: there is no Wagtail document library (files go through `ingest`).
COLLECTION_PERMISSIONS = {
    CURATORS: ["add_image", "change_image", "choose_image"],
    REVIEWERS: ["add_image", "change_image", "choose_image"],
    ADMINISTRATORS: ["add_image", "change_image", "delete_image", "choose_image"],
}
MODEL_PERMISSIONS = {
    CURATORS: [
        ("wagtailadmin", "access_admin"),
        ("archive", "add_place"),
        ("archive", "change_place"),
        ("archive", "add_subject"),
        ("archive", "change_subject"),
        ("stats", "add_observation"),
        ("stats", "change_observation"),
        ("experts", "view_expert"),
    ],
    REVIEWERS: [
        ("wagtailadmin", "access_admin"),
        ("archive", "add_place"),
        ("archive", "change_place"),
        ("archive", "add_subject"),
        ("archive", "change_subject"),
        ("archive", "change_ethnicgroup"),
        ("archive", "add_language"),
        ("archive", "change_language"),
        ("stats", "add_observation"),
        ("stats", "change_observation"),
        # The expert database (experts/): profiles, invitations and their review, the vocabulary, messages.
        ("experts", "view_expert"),
        ("experts", "add_expert"),
        ("experts", "change_expert"),
        ("experts", "add_expertisefield"),
        ("experts", "change_expertisefield"),
        ("experts", "view_profilechange"),
        ("experts", "change_profilechange"),
        ("experts", "view_contactmessage"),
    ],
    ADMINISTRATORS: [
        ("wagtailadmin", "access_admin"),
        *[
            (app, f"{action}_{model}")
            for app, model in [
                ("archive", "ethnicgroup"),
                ("archive", "place"),
                ("archive", "language"),
                ("archive", "subject"),
                ("stats", "indicator"),
                ("stats", "indicatorgroup"),
                ("stats", "unit"),
                ("stats", "disaggregation"),
                ("stats", "observation"),
            ]
            for action in ("add", "change", "delete")
        ],
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "add_group"),
        ("auth", "change_group"),
        ("wagtailcore", "add_locale"),
        ("wagtailcore", "change_locale"),
        ("wagtailcore", "add_workflow"),
        ("wagtailcore", "change_workflow"),
        ("cms", "change_sitesettings"),
        # Failed sign-ins (Settings menu): deleting one lifts its lock-out.
        ("axes", "view_accessattempt"),
        ("axes", "delete_accessattempt"),
        # The admin home's "site search needs attention" panel (search/wagtail_hooks.py).
        ("search", "view_pendingupdate"),
        # Managers retry or reprocess any media and delete originals no record shows; curators manage the
        # media of the records they may edit, and only detach them.
        ("ingest", "change_processingjob"),
        ("ingest", "delete_original"),
        # Researcher access requests (accounts): read them, approve or refuse them, delete old ones.
        ("accounts", "view_accessrequest"),
        ("accounts", "decide_accessrequest"),
        ("accounts", "delete_accessrequest"),
        # The expert database: all of it, erasure (delete_expert) and its log included.
        *[
            (app, f"{action}_{model}")
            for app, model in [("experts", "expert"), ("experts", "expertisefield"), ("experts", "profilechange")]
            for action in ("view", "add", "change", "delete")
        ],
        ("experts", "view_contactmessage"),
        ("experts", "delete_contactmessage"),
        ("experts", "view_erasurelog"),
    ],
}


def ensure_locales():
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


@transaction.atomic
def ensure_home_pages():
    """A HomePage as the default site's root, and its translation in every locale."""
    from cms.models import HomePage, SiteSettings

    root = Page.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has no tree to build on
        return None
    ensure_locales()
    default_locale = Locale.get_default()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = HomePage.objects.filter(depth=2, locale=default_locale).first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title=str(_("Vietnamese Ethnic Minority Digital Heritage")),
                slug="trang-chu",
                locale=default_locale,
                intro="",
            )
        )
    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=settings.WAGTAIL_SITE_NAME
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = site.site_name or settings.WAGTAIL_SITE_NAME
        site.save()
        # Wagtail's placeholder welcome page goes; a real page someone made stays.
        if type(old_root.specific) is Page and not old_root.get_children().exists():
            old_root.delete()
    for locale in Locale.objects.exclude(pk=default_locale.pk):
        if not home.has_translation(locale):
            # Published at once: a draft home would hide every page of that language (404).
            home.copy_for_translation(locale).save_revision().publish()
    SiteSettings.objects.get_or_create(site=site)
    return home


def _create_missing_permissions(using: str = "default"):
    """Django creates an app's permissions after that app has migrated; the groups are set up after ``cms``
    migrates, before the apps listed after it (ingest, auth, …) have theirs, so create them all first."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)


def _permissions(pairs):
    found = []
    for app_label, codename in pairs:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            found.append(permission)
    return found


@transaction.atomic
def ensure_editorial_groups():
    """Curators submit, Reviewers publish, Administrators manage; created once."""
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    if root_page is None or root_collection is None:
        return
    names = (CURATORS, REVIEWERS, ADMINISTRATORS)
    if Group.objects.filter(name__in=names).count() < len(names):
        _create_missing_permissions()
    for name in names:
        group, created = Group.objects.get_or_create(name=name)
        if not created:
            continue
        group.permissions.add(*_permissions(MODEL_PERMISSIONS[name]))
        for permission in _permissions(("wagtailcore", codename) for codename in PAGE_PERMISSIONS[name]):
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=permission)
        for permission in _permissions(("wagtailimages", codename) for codename in COLLECTION_PERMISSIONS[name]):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )

    if not Workflow.objects.filter(name=WORKFLOW_NAME).exists():
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        task = GroupApprovalTask.objects.create(name="Reviewer approval", active=True)
        task.groups.set([Group.objects.get(name=REVIEWERS), Group.objects.get(name=ADMINISTRATORS)])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        # Assigned at the root so every locale's tree goes through review.
        WorkflowPage.objects.filter(page=root_page).delete()
        WorkflowPage.objects.create(workflow=workflow, page=root_page)


def ensure_site_structure():
    ensure_home_pages()
    ensure_editorial_groups()


def refresh_planner_statistics(using: str = "default") -> None:
    """Let the database planner see the data's shape (SQLite keeps no statistics until asked).

    Without them SQLite starts the ethnic-group listing from the access-level index
    (thousands of rows) instead of the group's links (hundreds).
    """
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
