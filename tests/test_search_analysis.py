"""Vietnamese text analysis shared by both search engines (no database needed)."""

import unicodedata

import pytest

from search.analysis import collation_key, fold, normalise, words
from search.engines.base import parse_terms
from search.engines.suggest import closest_word, edit_distance


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
