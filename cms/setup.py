"""Idempotent setup of the site's skeleton: locales, home pages, editorial groups, workflow.

Run after every ``migrate`` (see ``cms.apps``) and by ``load_demo``; each step only
creates what is missing, so an administrator's later changes are kept.

Apps above this one add to it through Wagtail hooks, without this module knowing them:

- ``editorial_group_permissions``: a function returning ``{group name: [(app label, codename), …]}``,
  given to the editorial groups when they are created, with the permissions below;
- ``editorial_workflow_models``: a function returning model classes (snippets with ``WorkflowMixin``)
  whose changes go through the records' workflow, assigned to it unless they already have one.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowContentType,
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
    ],
}


def group_permissions(name: str) -> list[tuple[str, str]]:
    """The model permissions a new editorial group gets: this module's and those the apps above add."""
    pairs = list(MODEL_PERMISSIONS[name])
    for hook in hooks.get_hooks("editorial_group_permissions"):
        pairs += list(hook().get(name, []))
    return pairs


def workflow_models() -> list:
    return [model for hook in hooks.get_hooks("editorial_workflow_models") for model in hook()]


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

    from wagtail.snippets.models import create_extra_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    # Snippets' publish, lock and unlock permissions (Wagtail makes them after its own app migrates).
    create_extra_permissions(apps.get_app_config("wagtailsnippets"), verbosity=0, using=using)


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
        group.permissions.add(*_permissions(group_permissions(name)))
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
    ensure_workflow_models()


def ensure_workflow_models():
    """The records' workflow for the models the apps above register (``editorial_workflow_models``),
    where no workflow is assigned yet."""
    from django.contrib.contenttypes.models import ContentType

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        return
    for model in workflow_models():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        WorkflowContentType.objects.get_or_create(content_type=content_type, defaults={"workflow": workflow})


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
