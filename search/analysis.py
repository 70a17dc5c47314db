"""Vietnamese text as the search index sees it.

Both engines index every text twice: once with its diacritics and once folded to plain
letters. The engines' own analyzers lowercase and fold (tantivy's ``ascii_fold``,
Elasticsearch's ``asciifolding``; both turn đ into d). What no engine analyzer does is
put tone marks in one place: "hoà" and "hòa", "thuỷ" and "thủy" are the same word
written in two styles. :func:`normalise` settles that, in Python, before text reaches
either engine and before a query does.
"""

import re
import unicodedata
from functools import lru_cache

from archive.text import nfc

# The five tone marks as combining characters (NFD).
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

_WORD = re.compile(r"\w+", re.UNICODE)


def _split_tone(word: str) -> tuple[str, str]:
    """The word without its tone mark (NFC), and the mark ('' when none)."""
    tone = ""
    kept = []
    for char in unicodedata.normalize("NFD", word):
        if char in TONE_MARKS and not tone:
            tone = char
        else:
            kept.append(char)
    return nfc("".join(kept)), tone


# Open syllables ending in oa, oe, uy (and ua) are written two ways: the tone on the first
# vowel (hòa, khỏe, thủy — the traditional style) or on the second (hoà, khoẻ, thuỷ). "qu"
# is a consonant, so quý and quá are not such pairs; before a final consonant both styles
# agree (hoàng, thuyền). (The pattern starts with the vowel, not the look back at "q", so that
# the regex engine can skip straight to the next o or u: four times faster.)
_SECOND_VOWEL_TONED = re.compile(r"([oOuU])(?<![qQ][oOuU])([àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ])(?![^\W\d_])", re.UNICODE)


def _move_tone(match: re.Match) -> str:
    base, tone = _split_tone(match.group(2))
    return nfc(match.group(1) + tone) + base


def normalise(text: str) -> str:
    """NFC, with tone marks where the traditional style puts them (hoà → hòa, thuỷ → thủy).

    >>> normalise("hoà thuỷ khoẻ") == normalise("hòa thủy khỏe")
    True
    """
    text = nfc(text or "")
    if text.isascii():
        return text
    return _SECOND_VOWEL_TONED.sub(_move_tone, text)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Every accented Latin letter (Vietnamese ones included) to its plain letter, for str.translate.
_PLAIN = {
    code: _strip_marks(chr(code))
    for block in (range(0xC0, 0x250), range(0x1E00, 0x1F00))
    for code in block
    if _strip_marks(chr(code)) != chr(code)
}


def fold(text: str) -> str:
    """Lowercase without any diacritics; đ becomes d (as the engines' folding filters do)."""
    plain = nfc(text or "").lower().replace("đ", "d").translate(_PLAIN)
    # Marks the table does not know (other scripts, a mark no letter precomposes with).
    return plain if plain.isascii() else _strip_marks(plain)


def has_diacritics(text: str) -> bool:
    return fold(text) != nfc(text or "").lower()


def words(text: str) -> list[str]:
    """Lowercased words split the way the engines' tokenizers split them (on non-letters)."""
    return [word for word in _WORD.findall(normalise(text).lower()) if word != "_"]


def word_pairs(words_: list[str]) -> list[str]:
    """Each two neighbouring words as one token ("cồng chiêng"): a phrase of two syllables, the
    commonest Vietnamese word shape, then matches as a single term, with no positions to read."""
    return [f"{first} {second}" for first, second in zip(words_, words_[1:], strict=False)]


def joined_forms(text: str, whole: int = 0) -> list[str]:
    """The forms of ``text`` people type with its syllables run together, folded: each two
    neighbouring syllables as one word ("Lễ hội Lồng Tồng" → "lehoi", "hoilong", "longtong";
    "H'Mông" → "hmong"; "Sa Pa" → "sapa"), and, for a text of at most ``whole`` syllables, the
    whole of it joined ("Bru-Vân Kiều" → "bruvankieu").

    Vietnamese writes every syllable apart, so no engine analyzer can split "longtong" back into
    "long tong": both engines index these forms as whole terms and look a query's words up in them
    (and their starts, for suggestions).
    """
    syllables = words(fold(text))
    forms = [first + second for first, second in zip(syllables, syllables[1:], strict=False)]
    if 2 < len(syllables) <= whole:
        forms.append("".join(syllables))
    return list(dict.fromkeys(forms))


# --- Vietnamese collation ------------------------------------------------------------------
# The alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, then tones
# (none, grave, hook, tilde, acute, dot) as a tie-breaker. Other letters sort after.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONE_ORDER = {"": "0", "\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


@lru_cache(maxsize=65536)
def _word_collation(word: str) -> tuple[str, str]:
    base, tone = _split_tone(word)
    primary = []
    for char in base:
        index = _ALPHABET.find(char)
        if index >= 0:
            primary.append(chr(0x41 + index))
        elif char.isascii() and char.isdigit():
            primary.append(char)
        else:
            primary.append("~" + char)
    return "".join(primary), _TONE_ORDER.get(tone, "0")


def collation_key(text: str) -> str:
    """A string whose byte order is Vietnamese alphabetical order ("đ" after "d")."""
    keys = [_word_collation(word) for word in words(text)]
    return " ".join(primary for primary, _tone in keys) + "\x01" + "".join(tone for _primary, tone in keys)
