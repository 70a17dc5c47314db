"""Spelling suggestions shared by the engines: the nearest indexed word to a typo."""


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


def closest_word(word: str, candidates: list[tuple[str, int]]) -> str | None:
    """The candidate (word, document frequency) nearest to ``word``: fewest edits, then most used."""
    limit = 1 if len(word) < 6 else 2
    best, best_key = None, None
    for candidate, frequency in candidates:
        if candidate == word or not candidate.isalpha():
            continue
        distance = edit_distance(word, candidate, limit)
        if distance > limit:
            continue
        key = (distance, -frequency, candidate)
        if best_key is None or key < best_key:
            best, best_key = candidate, key
    return best
