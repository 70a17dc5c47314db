"""Snippets made from stored text: the window where the query's words are, matches in ``<mark>``.

The embedded engine keeps the start of each record's description as stored text only (not
indexed a second time) and highlights it here. Matching is diacritic-blind like the search
itself ("le hoi" marks "lễ hội"), while the snippet shows the text as written.
"""

import re
import unicodedata
from functools import lru_cache
from html import escape


def _fold_table() -> dict[int, str]:
    """One character for one character: lowercase, diacritics off, đ → d. Folding keeps every
    offset, so a match found in the folded text is at the same place in the original."""
    table = {code: chr(code + 32) for code in range(ord("A"), ord("Z") + 1)}
    for code in range(0xC0, 0x2000):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[code] = base.lower()
    table[ord("đ")] = table[ord("Đ")] = "d"
    return table


_FOLD = _fold_table()


def fold_in_place(text: str) -> str:
    """``text`` lowercased and without diacritics, with the same length (NFC text in, as stored)."""
    return text.translate(_FOLD)


@lru_cache(maxsize=512)
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def highlight(text: str, words, max_chars: int, max_matches: int = 64) -> str:
    """HTML: about ``max_chars`` of ``text`` around the most query words, each match marked.

    ``words`` are folded query words. Returns "" when none occurs in the text.
    """
    words = tuple(sorted({word for word in words if word}))
    if not text or not words:
        return ""
    matches = []
    for match in _pattern(words).finditer(fold_in_place(text)):
        matches.append((match.start(), match.end(), match.group(0)))
        if len(matches) >= max_matches:
            break
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
