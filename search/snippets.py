"""Snippets made from stored text: the window where the query's words are, matches in ``<mark>``.

The embedded engine keeps the start of each record's description as stored text only (not
indexed a second time) and highlights it here. Matching is diacritic-blind like the search
itself ("le hoi" marks "lễ hội"): each folded query word becomes a pattern of letter classes,
so the text is searched as written, with no folded copy to make.
"""

import re
import unicodedata
from functools import lru_cache
from html import escape


def _variants() -> dict[str, str]:
    """For each folded letter, every letter that folds to it: "d" → "dDđĐ", "o" → "oOóÓòÒ…ơƠợỢ"."""
    variants: dict[str, list[str]] = {}
    for code in list(range(ord("A"), ord("Z") + 1)) + list(range(ord("a"), ord("z") + 1)) + list(range(0xC0, 0x2000)):
        char = chr(code)
        base = "d" if char in "đĐ" else unicodedata.normalize("NFD", char)[0].lower()
        if base.isascii() and base.isalpha():
            variants.setdefault(base, []).append(char)
    return {base: "".join(chars) for base, chars in variants.items()}


_VARIANTS = _variants()


def _word_pattern(word: str) -> str:
    """A folded word as a pattern matching it with any diacritics and case: "le" → [lL…][eEéÉ…ệỆ]."""
    return "".join(f"[{re.escape(_VARIANTS[char])}]" if char in _VARIANTS else re.escape(char) for char in word)


@lru_cache(maxsize=512)
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    """One group per query word (named w0, w1, …), longest first, each a whole word."""
    ordered = sorted(range(len(words)), key=lambda index: -len(words[index]))
    alternatives = "|".join(f"(?P<w{index}>{_word_pattern(words[index])})" for index in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def highlight(text: str, words, max_chars: int, max_matches: int = 64) -> str:
    """HTML: about ``max_chars`` of ``text`` around the most query words, each match marked.

    ``words`` are folded query words. Returns "" when none occurs in the text.
    """
    words = tuple(sorted({word for word in words if word}))
    if not text or not words:
        return ""
    matches, limit = [], None
    for match in _pattern(words).finditer(text):
        if limit is not None and match.end() > limit:
            break  # a window with every word is found: the rest of the text cannot do better
        matches.append((match.start(), match.end(), match.lastgroup))
        if len(matches) >= max_matches:
            break
        if limit is None:
            first = _window_with_all(matches, len(words), max_chars)
            if first is not None:
                limit = first + max_chars
    if not matches:
        return ""
    # The window starting at the match that has the most different words within reach.
    best, best_words = 0, 0
    for index, (start, _end, _word) in enumerate(matches):
        reach = {word for other_start, other_end, word in matches[index:] if other_end <= start + max_chars}
        if len(reach) > best_words:
            best, best_words = index, len(reach)
            if best_words == len(words):
                break
    first = matches[best][0]
    start = min(first, _word_start(text, max(0, first - max_chars // 6)))
    end = _word_end(text, min(len(text), start + max_chars))
    parts, position = [], start
    for match_start, match_end, _word in matches[best:]:
        if match_end > end:
            break
        parts.append(escape(text[position:match_start]))
        parts.append(f"<mark>{escape(text[match_start:match_end])}</mark>")
        position = match_end
    parts.append(escape(text[position:end]))
    snippet = " ".join("".join(parts).split())
    return ("… " if start > 0 else "") + snippet + (" …" if end < len(text) else "")


def _window_with_all(matches: list, wanted: int, max_chars: int) -> int | None:
    """Where a window that the last match closes starts, if it holds every query word."""
    end = matches[-1][1]
    seen, first = set(), None
    for start, _end, word in reversed(matches):
        if end - start > max_chars:
            break
        seen.add(word)
        first = start
    return first if len(seen) == wanted else None


def _word_start(text: str, position: int) -> int:
    """``position`` moved forward to the start of a word (unless it already is one)."""
    if position == 0 or text[position - 1].isspace():
        return position
    space = text.find(" ", position)
    return space + 1 if space != -1 else position


def _word_end(text: str, position: int) -> int:
    """``position`` moved back to the end of a word."""
    if position >= len(text) or text[position].isspace():
        return position
    space = text.rfind(" ", 0, position)
    return space if space > 0 else position
