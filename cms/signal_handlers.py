from django.db.models.signals import post_delete

from wagtail.signals import page_published, page_unpublished, post_page_move

from cms import navigation


def _page_tree_changed(**kwargs):
    navigation.invalidate()


def connect():
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_page_tree_changed, dispatch_uid=f"cms.navigation.{signal!r}")
    post_delete.connect(_page_tree_changed, sender="wagtailcore.Page", dispatch_uid="cms.navigation.delete")
