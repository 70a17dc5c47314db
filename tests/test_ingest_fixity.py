"""``manage.py fixity_check``: stored originals re-hashed, an event per check, a non-zero exit naming damage."""

import pytest

from django.core.management import CommandError, call_command

from ingest import services
from ingest.models import FixityEvent, FixityOutcome
from tests.ingest_support import make_png, run_on_commit, sandbox


@pytest.fixture
def originals(db, settings, tmp_path):
    media_root = sandbox(settings, tmp_path)
    made = []
    with run_on_commit():
        for number in range(3):
            png = make_png(tmp_path / f"{number}.png", colour=(number, 50, 90))
            made.append(services.ingest_file(png, f"scan {number}.png")[0])
    return media_root, made


def test_every_original_unchanged(originals, capsys):
    _media_root, made = originals
    call_command("fixity_check")
    assert "Checked 3 original(s): 3 unchanged, 0 changed, 0 missing." in capsys.readouterr().out
    events = FixityEvent.objects.order_by("original_id")
    assert [(e.original_id, e.outcome) for e in events] == [(o.pk, FixityOutcome.OK) for o in made]
    assert all(e.actual == e.expected == e.original.sha256 and e.checked_at for e in events)


def test_changed_and_missing_files_are_named_and_fail_the_command(originals, capsys):
    media_root, (kept, changed, missing) = originals
    with (media_root / changed.file.name).open("r+b") as fh:  # one flipped byte deep inside
        fh.seek(40)
        byte = fh.read(1)
        fh.seek(40)
        fh.write(bytes([byte[0] ^ 0xFF]))
    (media_root / missing.file.name).unlink()
    with pytest.raises(CommandError) as caught:
        call_command("fixity_check")
    message = str(caught.value)
    assert "2 original(s) failed the fixity check" in message
    assert f"CHANGED: {changed.file.name}" in message and f"MISSING: {missing.file.name}" in message
    assert kept.file.name not in message
    assert "1 unchanged, 1 changed, 1 missing" in capsys.readouterr().out
    outcomes = dict(FixityEvent.objects.values_list("original_id", "outcome"))
    assert outcomes == {kept.pk: "ok", changed.pk: "changed", missing.pk: "missing"}
    event = FixityEvent.objects.get(original=changed)
    assert event.expected == changed.sha256 and len(event.actual) == 64 and event.actual != event.expected
    assert FixityEvent.objects.get(original=missing).actual == ""


def test_the_command_exits_non_zero_as_cron_sees_it(originals, capsys):
    from ingest.management.commands.fixity_check import Command

    media_root, (original, *_rest) = originals
    (media_root / original.file.name).unlink()
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "fixity_check"])
    assert caught.value.code == 1
    assert f"MISSING: {original.file.name}" in capsys.readouterr().err
