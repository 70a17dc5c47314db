"""Captions and transcripts: validate WebVTT and SRT, convert SRT to WebVTT, keep the plain text for search.

A small parser of our own, so that every problem is reported with its line number.
"""

import dataclasses
import html
import json
import re
from pathlib import Path
from typing import Any

from .errors import ProcessingError, gettext_noop
from .outputs import atomic_dir

MAX_REPORTED = 10
_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+(.*))?$")
_SRT_TIME = r"(\d{1,3}):([0-5]?\d):([0-5]?\d)[,.](\d{1,3})"
_SRT_TIMING = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s+.*)?$")
_TAG = re.compile(r"<(/?)([a-zA-Z]+)[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")


@dataclasses.dataclass
class Cue:
    start: float  # seconds
    end: float
    text: str  # WebVTT cue text (tags and entities as WebVTT has them)
    identifier: str = ""
    settings: str = ""
    line: int = 0  # where the cue's timing line is in the source


@dataclasses.dataclass
class Captions:
    format: str  # "vtt" or "srt": what the source was
    cues: list[Cue]
    warnings: list[str] = dataclasses.field(default_factory=list)


def decode(data: bytes) -> str:
    """Caption bytes as text: UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ProcessingError(
            gettext_noop(
                "The captions file is not UTF-8 text (line %(line)s has bytes that are not UTF-8). Open it in a text "
                "editor, save it with the encoding UTF-8 and upload it again."
            )
            % {"line": line},
            code="captions",
        ) from exc


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction.ljust(3, "0")[:3]) / 1000


def _blocks(lines: list[str], start: int) -> list[list[tuple[int, str]]]:
    """Groups of (line number, text) separated by blank lines, from index ``start``."""
    blocks, current = [], []
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _raise_if(errors: list[str], what: str) -> None:
    if not errors:
        return
    lines = [
        gettext_noop("The %(format)s file has %(count)s problem(s); fix them and upload it again:")
        % {"format": what, "count": len(errors)},
        *errors[:MAX_REPORTED],
    ]
    if len(errors) > MAX_REPORTED:
        lines.append(gettext_noop("… and %(count)s more.") % {"count": len(errors) - MAX_REPORTED})
    raise ProcessingError("\n".join(lines), code="captions")


def _check_order(cues: list[Cue], warnings: list[str], errors: list[str]) -> list[Cue]:
    for cue in cues:
        if cue.end <= cue.start:
            end, start = format_time(cue.end), format_time(cue.start)
            errors.append(
                gettext_noop("Line %(line)s: the cue ends (%(end)s) before or when it starts (%(start)s).")
                % {"line": cue.line, "end": end, "start": start}
            )
    if any(b.start < a.start for a, b in zip(cues, cues[1:], strict=False)):
        warnings.append(gettext_noop("Cues were not in time order; they have been sorted."))
        cues = sorted(cues, key=lambda c: (c.start, c.end))
    return cues


def parse_webvtt(text: str) -> Captions:
    """Validate WebVTT text; raise ProcessingError listing each malformed line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise ProcessingError(
            gettext_noop("Line 1: a WebVTT file must start with the word WEBVTT on its own line."), code="captions"
        )
    header_end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    errors: list[str] = []
    for number, line in enumerate(lines[1:header_end], start=2):
        if "-->" in line:
            errors.append(
                gettext_noop("Line %(line)s: a blank line is needed between the WEBVTT header and the first cue.")
                % {"line": number}
            )
            break
    warnings: list[str] = []
    cues: list[Cue] = []
    for block in _blocks(lines, header_end):
        first_number, first = block[0]
        if re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", first):
            continue
        if "-->" in first:
            identifier, timing_at = "", 0
        elif len(block) > 1 and "-->" in block[1][1]:
            identifier, timing_at = first.strip(), 1
        else:
            errors.append(
                gettext_noop(
                    "Line %(line)s: expected a cue timing line such as '00:00:01.000 --> 00:00:04.000', "
                    "found %(found)s."
                )
                % {"line": first_number, "found": repr(first.strip()[:60])}
            )
            continue
        number, timing = block[timing_at]
        match = _VTT_TIMING.match(timing.strip())
        if not match:
            errors.append(
                gettext_noop(
                    "Line %(line)s: malformed cue timing %(timing)s; write it as "
                    "'hh:mm:ss.ttt --> hh:mm:ss.ttt' (three digits after a full stop)."
                )
                % {"line": number, "timing": repr(timing.strip()[:60])}
            )
            continue
        payload = block[timing_at + 1 :]
        for payload_number, line in payload:
            if "-->" in line:
                errors.append(
                    gettext_noop("Line %(line)s: '-->' inside cue text; is a blank line missing before this cue?")
                    % {"line": payload_number}
                )
        if not payload:
            warnings.append(gettext_noop("Line %(line)s: the cue has no text.") % {"line": number})
        cues.append(
            Cue(
                start=_seconds(*match.group(1, 2, 3, 4)),
                end=_seconds(*match.group(5, 6, 7, 8)),
                text="\n".join(line for _, line in payload),
                identifier=identifier,
                settings=(match.group(9) or "").strip(),
                line=number,
            )
        )
    cues = _check_order(cues, warnings, errors)
    _raise_if(errors, "WebVTT")
    if not cues:
        raise ProcessingError(gettext_noop("The WebVTT file has no cues."), code="captions")
    return Captions("vtt", cues, warnings)


def srt_text_to_vtt(text: str) -> str:
    """SRT cue text as WebVTT cue text: keep <i>, <b>, <u>; drop other tags; escape the rest."""
    text = _ASS_OVERRIDE.sub("", text)
    out, position = [], 0
    for match in _TAG.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=False))
        if match.group(2).lower() in ("i", "b", "u"):
            out.append(f"<{match.group(1)}{match.group(2).lower()}>")
        position = match.end()
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def parse_srt(text: str) -> Captions:
    """Validate SRT text (cues become WebVTT cue text); raise ProcessingError listing each malformed line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    errors: list[str] = []
    warnings: list[str] = []
    cues: list[Cue] = []
    for block in _blocks(lines, 0):
        first_number, first = block[0]
        if _SRT_TIMING.match(first):
            warnings.append(gettext_noop("Line %(line)s: the cue has no number.") % {"line": first_number})
            timing_at = 0
        elif first.strip().isdigit() and len(block) > 1:
            timing_at = 1
        elif first.strip().isdigit():
            errors.append(
                gettext_noop("Line %(line)s: cue %(cue)s has no timing line.")
                % {"line": first_number, "cue": first.strip()}
            )
            continue
        else:
            errors.append(
                gettext_noop(
                    "Line %(line)s: expected a cue number followed by a timing line such as "
                    "'00:00:01,000 --> 00:00:04,000', found %(found)s."
                )
                % {"line": first_number, "found": repr(first.strip()[:60])}
            )
            continue
        number, timing = block[timing_at]
        match = _SRT_TIMING.match(timing)
        if not match:
            errors.append(
                gettext_noop(
                    "Line %(line)s: malformed cue timing %(timing)s; write it as 'hh:mm:ss,mmm --> hh:mm:ss,mmm'."
                )
                % {"line": number, "timing": repr(timing.strip()[:60])}
            )
            continue
        payload = [line for _, line in block[timing_at + 1 :]]
        if not payload:
            warnings.append(gettext_noop("Line %(line)s: the cue has no text.") % {"line": number})
        cues.append(
            Cue(
                start=_seconds(*match.group(1, 2, 3, 4)),
                end=_seconds(*match.group(5, 6, 7, 8)),
                text=srt_text_to_vtt("\n".join(payload)),
                identifier=first.strip() if timing_at else "",
                line=number,
            )
        )
    cues = _check_order(cues, warnings, errors)
    _raise_if(errors, "SRT")
    if not cues:
        raise ProcessingError(gettext_noop("The SRT file has no cues."), code="captions")
    return Captions("srt", cues, warnings)


def parse_captions(data: bytes | str) -> Captions:
    """Parse WebVTT or SRT, telling them apart by content."""
    text = decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")
    if text.lstrip(" \t").startswith("WEBVTT") or text.startswith("WEBVTT"):
        return parse_webvtt(text)
    return parse_srt(text)


def format_time(seconds: float) -> str:
    """``hh:mm:ss.ttt`` as WebVTT writes it."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_webvtt(captions: Captions) -> str:
    """The captions as a WebVTT document."""
    parts = ["WEBVTT", ""]
    for cue in captions.cues:
        if cue.identifier:
            parts.append(cue.identifier)
        timing = f"{format_time(cue.start)} --> {format_time(cue.end)}"
        parts += [f"{timing} {cue.settings}".rstrip(), cue.text, ""]
    return "\n".join(parts)


def plain_text(captions: Captions) -> str:
    """Cue text without tags or entities, one cue per line, repeated lines (roll-up captions) removed."""
    lines: list[str] = []
    for cue in captions.cues:
        text = html.unescape(re.sub(r"<[^>]*>", "", cue.text))
        text = " ".join(text.split())
        if text and (not lines or lines[-1] != text):
            lines.append(text)
    return "\n".join(lines)


def make_captions(src: Path, dest: Path) -> dict[str, Any]:
    """Validate ``src`` (WebVTT or SRT) and write ``captions.vtt`` and ``text.txt`` into ``dest``."""
    captions = parse_captions(Path(src).read_bytes())
    text = plain_text(captions)
    with atomic_dir(dest) as work:
        (work / "captions.vtt").write_text(to_webvtt(captions), encoding="utf-8")
        (work / "text.txt").write_text(text, encoding="utf-8")
        manifest = {
            "source_format": captions.format,
            "vtt": "captions.vtt",
            "text": "text.txt",
            "cues": len(captions.cues),
            "duration": round(max(c.end for c in captions.cues), 3),
            "warnings": captions.warnings,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return {**manifest, "text_content": text}
