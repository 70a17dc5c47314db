// Matching text the way readers of the archive type it: Vietnamese without its diacritics, in any
// case ("long tong" finds "Lồng Tồng", and "lồng tồng" finds "LONG TONG"), đ as d, any run of spaces
// as one. Used by the PDF reader (reader.js) to search inside a document and to highlight the words
// a visitor searched for.

const MARKS = /\p{M}/gu;
const SPACE = /\s/u;
// Letters of scripts written with spaces between words: a match must not start or end inside a word
// there ("an" does not find "ban"). Scripts without spaces (Han, kana) match anywhere.
const SPACED = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}]$/u;
const WORD = "[\\p{L}\\p{N}\\p{M}]";

// ``text`` folded for matching, with where each of its characters came from: ``starts[i]`` and ``ends[i]``
// are the positions in ``text`` of the character that gave folded character i.
export function fold(text) {
  let folded = "";
  const starts = [];
  const ends = [];
  for (let i = 0; i < text.length; ) {
    const character = String.fromCodePoint(text.codePointAt(i));
    const end = i + character.length;
    let plain;
    if (SPACE.test(character)) {
      plain = folded.endsWith(" ") ? "" : " ";
    } else {
      plain = character.normalize("NFKD").replace(MARKS, "").toLowerCase().replace(/đ/g, "d");
    }
    for (let unit = 0; unit < plain.length; unit++) {
      starts.push(i);
      ends.push(end);
    }
    // A combining mark (decomposed text) belongs with the letter before it.
    if (!plain && !SPACE.test(character)) {
      for (let k = ends.length - 1; k >= 0 && ends[k] === i; k--) ends[k] = end;
    }
    folded += plain;
    i = end;
  }
  return { text: folded, starts, ends };
}

function escape(text) {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

// A pattern for ``query`` in folded text: the whole phrase (``words`` false) or each of its words
// (``words`` true, for the words of a search that led to the document). Null when there is nothing to find.
export function pattern(query, { words = false } = {}) {
  const folded = fold(query || "").text.trim();
  if (!folded) return null;
  const parts = words ? [...new Set(folded.split(" "))].sort((a, b) => b.length - a.length) : [folded];
  const alternatives = parts.map((part) => {
    const chars = [...part];
    // Spaces in the query match any spacing, or none (a PDF may place words apart without a space).
    const body = escape(part).replace(/ /g, "\\s*");
    const before = SPACED.test(chars[0]) ? `(?<!${WORD})` : "";
    const after = SPACED.test(chars[chars.length - 1]) ? `(?!${WORD})` : "";
    return before + body + after;
  });
  try {
    return new RegExp(alternatives.join("|"), "gu");
  } catch {
    // Browsers without lookbehind (Safari before 16.4) find the words anywhere.
    return new RegExp(parts.map((part) => escape(part).replace(/ /g, "\\s*")).join("|"), "gu");
  }
}

// The matches of ``regexp`` (from ``pattern``) in ``text``, as [start, end) positions in ``text``.
export function matches(regexp, text) {
  if (!regexp) return [];
  const folded = typeof text === "string" ? fold(text) : text;
  const found = [];
  regexp.lastIndex = 0;
  for (const match of folded.text.matchAll(regexp)) {
    if (!match[0].length) continue;
    const last = match.index + match[0].length - 1;
    found.push([folded.starts[match.index], folded.ends[last]]);
  }
  return found;
}
