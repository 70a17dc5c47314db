"""Spelling suggestions shared by the engines: the nearest indexed word to a typo that the visitor
may see."""

from collections.abc import Callable, Iterable


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (a transposition costs one), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def nearest_words(word: str, candidates: Iterable[tuple[str, int]]) -> list[tuple[int, str]]:
    """The candidates (word, document frequency) within reach of ``word``, each once, as (edits,
    word): fewest edits first, then most used. Reach: one edit, two from six letters."""
    limit = 1 if len(word) < 6 else 2
    best: dict[str, tuple[int, int]] = {}
    for candidate, frequency in candidates:
        if candidate == word or not candidate.isalpha():
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            best[candidate] = min(best.get(candidate, (distance, -frequency)), (distance, -frequency))
    ranked = sorted((key, candidate) for candidate, key in best.items())
    return [(distance, candidate) for (distance, _frequency), candidate in ranked]


def closest_word(word: str, candidates: list[tuple[str, int]]) -> str | None:
    """The candidate (word, document frequency) nearest to ``word``: fewest edits, then most used."""
    ranked = nearest_words(word, candidates)
    return ranked[0][1] if ranked else None


def nearest_visible(ranked: list[tuple[int, str]], visible: Callable[[str], int]) -> str | None:
    """The nearest of ``ranked`` (from :func:`nearest_words`) that the visitor can find, or None.

    ``visible(word)`` counts the documents the visitor may see that hold ``word``: a word only in
    documents hidden from them (or deleted) is never offered, and the next nearest is. Among
    equally near words the one in more visible documents wins. Candidates are checked nearest
    first and no farther than the first distance with a visible one.
    """
    best: tuple[int, int, str] | None = None
    for distance, candidate in ranked:
        if best is not None and distance > best[0]:
            break
        found = visible(candidate)
        if found and (best is None or (-found, candidate) < (-best[1], best[2])):
            best = (distance, found, candidate)
    return best[2] if best else None
