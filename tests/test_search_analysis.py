"""Vietnamese text analysis shared by both search engines (no database needed)."""

import unicodedata

import pytest

from search.analysis import collation_key, fold, normalise, words
from search.engines.base import parse_terms
from search.engines.suggest import closest_word, edit_distance
from search.snippets import highlight


@pytest.mark.parametrize(
    ("new_style", "traditional"),
    [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Thuý", "Thúy"), ("HOÀ BÌNH", "HÒA BÌNH"), ("xoè", "xòe")],
)
def test_tone_mark_placement_is_normalised(new_style, traditional):
    assert normalise(new_style) == normalise(traditional) == traditional


@pytest.mark.parametrize("word", ["hoàng", "thuyền", "quý", "quá", "giữa", "người", "ngoài", "Đắk Lắk"])
def test_words_without_a_choice_of_placement_are_left_alone(word):
    assert normalise(word) == word


def test_nfd_input_becomes_nfc():
    assert normalise(unicodedata.normalize("NFD", "Lồng Tồng")) == "Lồng Tồng"


def test_folding_removes_every_diacritic_including_d_bar():
    assert fold("Đắk Lắk, Lồng Tồng, Ê Đê") == "dak lak, long tong, e de"


def test_the_embedded_index_folds_words_as_queries_are_folded():
    # Queries are folded in Python, the index by tantivy's filters: they must give the same
    # terms, for every Vietnamese letter with every tone, in both cases, and for the extra
    # vowels of minority-language alphabets (Ê Đê, Jrai, Bahnar).
    from search.engines.embedded import FOLDED, _analyzers

    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ŏ", "ĕ", "ŭ", "ĭ", "ơ̆"]
    syllables = [unicodedata.normalize("NFC", f"t{vowel}{tone}ng") for vowel in vowels for tone in tones]
    text = " ".join(syllables + [syllable.upper() for syllable in syllables] + ["Đắk", "đồng", "Ơi-Ha", "H'Mông"])
    assert _analyzers()[FOLDED].analyze(text) == [fold(word) for word in words(text)]


def test_words_split_like_the_engines_tokenizers():
    assert words("101/KH-UBND H'Mông Thuỷ") == ["101", "kh", "ubnd", "h", "mông", "thủy"]


def test_terms_keep_compounds_whole():
    terms = parse_terms("101/KH-UBND cồng")
    assert terms[0].is_compound and terms[0].keyword == "101/kh-ubnd" and terms[0].folded == ["101", "kh", "ubnd"]
    assert not terms[1].is_compound and terms[1].has_diacritics and terms[1].folded == ["cong"]


def test_vietnamese_alphabetical_order():
    titles = ["Đàn tính", "Dệt vải", "Em bé", "Ăn cơm mới", "An", "Bắc", "Dao", "da", "Ê Đê", "á", "à"]
    ordered = sorted(titles, key=collation_key)
    assert ordered == ["à", "á", "An", "Ăn cơm mới", "Bắc", "da", "Dao", "Dệt vải", "Đàn tính", "Em bé", "Ê Đê"]


def test_spelling_suggestion_prefers_fewer_edits_then_frequent_words():
    assert edit_distance("chiegn", "chieng") == 1  # a transposition is one edit
    assert closest_word("thxn", [("then", 5), ("than", 2), ("thanh", 9)]) == "then"
    assert closest_word("xyzzy", [("then", 5)]) is None


# --- Snippets (the embedded engine highlights stored text itself) -------------------------


def test_snippet_words_match_every_letter_that_folds_to_them():
    text = "ĐIỆN BIÊN, Điện Biên, dien bien, Diễn Biến"
    assert highlight(text, ["dien", "bien"], 220).count("<mark>") == 8


def test_snippet_marks_words_whatever_the_diacritics_and_keeps_the_text_as_written():
    text = "Mùa xuân, người Tày mở Lễ hội Lồng Tồng (xuống đồng) để cầu mùa."
    snippet = highlight(text, ["long", "tong"], 220)
    assert "<mark>Lồng</mark> <mark>Tồng</mark>" in snippet
    assert "người Tày" in snippet
    assert "lòng" not in snippet.lower()


def test_snippet_marks_whole_words_only():
    assert highlight("Người Hoa ở Hòa Bình", ["hoa"], 220) == "Người <mark>Hoa</mark> ở <mark>Hòa</mark> Bình"
    assert highlight("hoàng hôn", ["hoa"], 220) == ""


def test_snippet_is_escaped_html():
    snippet = highlight('Văn bản <script>alert("x")</script> về cồng chiêng & múa', ["cong", "chieng"], 220)
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "&amp; múa" in snippet
    assert "<mark>cồng</mark> <mark>chiêng</mark>" in snippet


def test_snippet_shows_the_window_with_the_most_query_words():
    filler = " ".join(["ruộng bậc thang"] * 60)
    text = f"Một lần nhắc đến then. {filler} Hát then đàn tính là di sản của người Tày. {filler}"
    snippet = highlight(text, ["hat", "then", "tinh"], 120)
    assert "<mark>Hát</mark> <mark>then</mark> đàn <mark>tính</mark>" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 120 + 4
