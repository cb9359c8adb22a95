"""Vietnamese for Sphinx's search, which has no such language of its own.

Without one, Sphinx falls back to English: it drops English stop words that
are Vietnamese words ("an", "do", "to", "no", "in") and cannot match a query
typed without diacritics. Here every word, in the index and in the query,
is folded the same way: NFC, lower case, diacritics removed, đ → d, so
"tich chap", "tích chập" and "TÍCH CHẬP" all find "Tích chập cho ảnh".
Nothing is a stop word. The JavaScript below mirrors ``fold`` exactly.
"""
from __future__ import annotations

import re
import unicodedata

from sphinx.search import SearchLanguage

_COMBINING = re.compile(r"[\u0300-\u036f]")
# Letters, digits, underscore and combining marks: a word typed as decomposed
# Unicode (base letter + marks) stays one word.
_WORD = re.compile(r"[\w\u0300-\u036f]+")


def fold(word: str) -> str:
    """The search key of a word: lower case, no diacritics, đ → d."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return _COMBINING.sub("", decomposed).replace("đ", "d")


class SearchVietnamese(SearchLanguage):
    lang = "vi"
    language_name = "Vietnamese"
    stopwords: set[str] = set()

    js_stemmer_code = r"""
/* Vietnamese "stemmer": fold diacritics, as bookbuild.search_vi.fold does. */
var Stemmer = function() {
  this.stemWord = function(word) {
    return word.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  };
};
"""
    js_splitter_code = r"""
function splitQuery(query) {
  return query.normalize("NFC")
    .split(/[^\p{Letter}\p{Number}\p{Mark}_]+/gu)
    .filter(term => term);
}

/* The excerpt under each result: Sphinx looks for the (folded) search terms in
   the page's text as written, finds none and shows only "...". Look for them in
   the text folded letter by letter (same length, so positions carry over). */
if (typeof Search !== "undefined") {
  const stemmer = new Stemmer();
  const foldLetters = (text) => [...text].map((letter) => {
    const folded = stemmer.stemWord(letter);
    return folded.length === letter.length ? folded : letter;
  }).join("");
  // Parts of a page that are not its text: the print-only title and contents,
  // the notebook links under the title.
  const notText = "#jb-print-docs-body, .framework-notebooks";
  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const page = new DOMParser().parseFromString(htmlText, "text/html");
    page.querySelectorAll(notText).forEach((element) => element.remove());
    const text = Search.htmlToText(page.documentElement.outerHTML, anchor).replace(/\s+/g, " ").trim();
    if (text === "") return null;
    const folded = foldLetters(text);
    const found = [...keywords].map((word) => folded.indexOf(foldLetters(word))).filter((i) => i > -1);
    const start = found.length ? Math.max(Math.min(...found) - 120, 0) : 0;
    const summary = document.createElement("p");
    summary.classList.add("context");
    summary.textContent = (start > 0 ? "..." : "") + text.substr(start, 240).trim()
      + (start + 240 < text.length ? "..." : "");
    return summary;
  };
}
"""

    def split(self, input: str) -> list[str]:
        return _WORD.findall(unicodedata.normalize("NFC", input))

    def stem(self, word: str) -> str:
        return fold(word)

    def word_filter(self, word: str) -> bool:
        # Every word counts: short Vietnamese words ("ô", "và") are words.
        return bool(word) and not word.isdigit()
