"""The demo's ethnic groups carry their other names as data, each with its kind and source.

Apart from tests/test_search_names.py, whose module-wide corpus would already hold groups and places."""

from archive.models import EthnicGroup, EthnicGroupName


def test_the_demo_gives_each_group_its_other_names_with_their_source(db):
    from archive.demo.loader import load_taxonomies

    load_taxonomies()
    load_taxonomies()  # a second load adds nothing
    assert EthnicGroup.objects.filter(code_system__startswith="QĐ 121").count() == 54
    mong = EthnicGroup.objects.get(slug="mong")
    assert [(name.name, name.kind) for name in mong.names.all()] == [
        ("H'Mông", "spelling"),
        ("Mèo", "other"),
        ("Mẹo", "other"),
        ("Ná Mẻo", "other"),
    ]
    names = EthnicGroupName.objects.filter(group__code_system__startswith="QĐ 121")
    assert names.count() == 134  # the other names of the 1979 list, and three spellings beside official names
    assert all("121-TCTK/PPCĐ" in name.source and "DOMAIN" not in name.source for name in names)
    assert not EthnicGroup.objects.get(slug="co-lao").names.exclude(name="Cờ Lao").exists()
