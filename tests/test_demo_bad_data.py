"""Bad demo data is refused with a message naming the file and item; nothing is written."""

import shutil

import pytest
import yaml

from django.core.management import CommandError, call_command
from django.utils import translation

from archive.demo import loader
from archive.models import ArchiveImage, EthnicGroup, RecordPage


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English here; Vietnamese ones are checked separately."""
    with translation.override("en"):
        yield


# --- bad data: a clear error, nothing written ------------------------------------------


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(loader.DATA_DIR, target)
    return target


def edit_first_record(data_dir, change):
    path = data_dir / "records-01.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content["records"][0])
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda record: record.update(ethnic_groups=["99"]), "unknown ethnic group '99'"),
        (lambda record: record.update(lunar_rule={"month": 1, "day": 31}), "between 1 and 30"),
        (lambda record: record.update(date={"lunar": "1/5n/2024"}), "no leap month 5"),
        (lambda record: record.update(identifier="dtts-0002"), "more than one record: dtts-0002"),
        (lambda record: record.update(places=["atlantis"]), "unknown place 'atlantis'"),
    ],
)
def test_bad_data_is_refused_with_a_clear_message_and_nothing_written(homes, data_copy, change, message):
    edit_first_record(data_copy, change)
    before = (RecordPage.objects.count(), EthnicGroup.objects.count(), ArchiveImage.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("load_demo", "--no-images", "--data-dir", str(data_copy))
    assert (RecordPage.objects.count(), EthnicGroup.objects.count(), ArchiveImage.objects.count()) == before


def test_broken_yaml_names_the_file(homes, data_copy):
    (data_copy / "subjects.yaml").write_text("subjects: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="subjects.yaml: not valid YAML"):
        call_command("load_demo", "--no-images", "--data-dir", str(data_copy))


def test_wrong_encoding_names_the_file(homes, data_copy):
    (data_copy / "languages.yaml").write_bytes("languages: [{tag: vi, name: Tiéng}]".encode("latin-1"))
    with pytest.raises(CommandError, match="languages.yaml: not UTF-8"):
        call_command("load_demo", "--no-images", "--data-dir", str(data_copy))
