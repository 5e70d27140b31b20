"""Dutch-aware text normalisation shared by the label index and the queries.

Everything that compares a user's words with a label goes through these functions, so that
"CV-ketels", "cv ketel" and "cv-ketel" meet, "ontvangen" meets "ontvangst" as far as a
stemmer can take it, and "hygiënisch" meets "hygienisch".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

_TOKEN = re.compile(r"[0-9a-z]+")
_SPAN_TOKEN = re.compile(r"\w+(?:[-'’/.]\w+)*", re.UNICODE)

# Short function words that say nothing about a skill. Kept small on purpose: IDF weighting
# takes care of the rest, and words like "niet" or "zonder" can matter.
STOPWORDS: frozenset[str] = frozenset(
    [
        "de", "het", "een", "en", "of", "van", "in", "op", "met", "voor", "aan", "te", "bij",
        "naar", "om", "uit", "door", "over", "als", "tot", "je", "jij", "u", "uw", "mijn", "ik",
        "we", "wij", "ze", "zij", "die", "dat", "dit", "deze", "der", "des", "er", "ook", "maar",
        "dan", "nog", "wel", "zo", "the", "a", "an", "and", "or", "of", "in", "on", "at", "to",
        "for", "with", "by", "from", "as", "into", "your", "you", "is", "are", "be"
    ]
)

_stemmers: dict[str, Stemmer.Stemmer] = {}


def _stemmer(lang: str) -> Stemmer.Stemmer:
    name = {"nl": "dutch", "en": "english", "de": "german", "fr": "french"}.get(lang, "dutch")
    st = _stemmers.get(name)
    if st is None:
        st = _stemmers[name] = Stemmer.Stemmer(name)
    return st


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase, strip diacritics, turn punctuation into spaces and squeeze whitespace."""
    low = text.casefold()
    if not low.isascii():  # most text is plain ASCII: no marks to strip
        decomposed = unicodedata.normalize("NFKD", low)
        low = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_TOKEN.findall(low))


def tokens(text: str) -> list[str]:
    """Folded word tokens, stopwords kept (they matter for phrase identity)."""
    return fold(text).split()


def content_tokens(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS]


def stem_tokens(toks: Iterable[str], lang: str) -> list[str]:
    return list(_stemmer(lang).stemWords(list(toks)))


@lru_cache(maxsize=65536)
def phrase_key(text: str, lang: str) -> str:
    """Key under which two phrasings count as the same label.

    Folded, stopwords dropped, stemmed in the label's language and joined without spaces so
    that "cv-ketels" and "cv ketel" share a key. Word order is kept.
    """
    return "".join(stem_tokens(content_tokens(text), lang))


def split_compound(word: str, vocabulary: frozenset[str] | set[str], min_part: int = 3) -> list[str]:
    """Split a Dutch compound into known parts, trying the linking letters -s- and -e(n)-.

    Returns [] when the word is not a compound of two (or, recursively, more) vocabulary words.
    "metaalbewerkingsmachines" -> ["metaal", "bewerkings"...] depending on the vocabulary.
    """
    if len(word) < 2 * min_part:
        return []
    for i in range(len(word) - min_part, min_part - 1, -1):
        head, tail = word[:i], word[i:]
        if tail not in vocabulary:
            continue
        for h in (head, head[:-1] if head.endswith("s") else "", head[:-2] if head.endswith("en") else ""):
            if len(h) >= min_part and h in vocabulary:
                return [h, tail]
            if len(h) >= 2 * min_part:
                sub = split_compound(h, vocabulary, min_part)
                if sub:
                    return [*sub, tail]
    return []


_VOWELS = "aeiou"


def dutch_infinitives(word: str) -> list[str]:
    """Infinitives a conjugated Dutch verb form may come from, most likely first.

    Snowball leaves "rapporteert" and "rapporteren" apart; this undoes the present tense
    (-t), the long-vowel spelling of closed syllables ("kookt" -> "koken") and doubled final
    consonants ("zet" -> "zetten"), and the past tense (-de/-te/-den/-ten). The caller keeps
    the candidates that really occur in labels.
    """
    out: list[str] = []
    stems = [word[:-1]] if word.endswith("t") else []
    for suffix in ("den", "ten", "de", "te"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stems.append(word[: -len(suffix)])
    stems.append(word)
    for st in stems:
        if len(st) < 2:
            continue
        out.append(st + "en")
        if len(st) >= 3 and st[-2] in _VOWELS and st[-3] == st[-2] and st[-1] not in _VOWELS:
            out.append(st[:-2] + st[-1] + "en")  # kook -> koken, rapporteer -> rapporteren
        if st[-1] not in _VOWELS and st[-2:-1] and st[-2] in _VOWELS and (len(st) < 3 or st[-3] not in _VOWELS):
            out.append(st + st[-1] + "en")  # zet -> zetten, las -> lassen
        if st.endswith("f"):
            out.append(st[:-1] + "ven")  # schrijf -> schrijven
        if st.endswith("s"):
            out.append(st[:-1] + "zen")  # reis -> reizen
    return [w for w in dict.fromkeys(out) if w != word]


def span_tokens(text: str) -> list[tuple[str, int, int]]:
    """Tokens of raw text with their character offsets, for evidence spans."""
    return [(m.group(0), m.start(), m.end()) for m in _SPAN_TOKEN.finditer(text)]


_SENTENCE_END = re.compile(r"(?<=[.!?;•\n])\s+|\n+|\s+[-•*]\s+")


def sentences(text: str) -> list[tuple[int, int]]:
    """Character ranges of sentence-like chunks (sentences, bullet points, lines)."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


# Negation, for extraction: "ik heb geen rijbewijs" claims no driving licence.
NEGATORS = frozenset({"geen", "niet", "nooit", "niets", "no", "not", "never", "none", "nor", "cannot"})
# "geen moeite met tillen", "niet bang voor vuil werk", "no problem with": saying one can, not cannot
_NEGATION_IDIOMS = frozenset({"moeite", "probleem", "problemen", "bezwaar", "vies", "bang", "problem", "problems",
                              "issue", "issues", "objection"})
_CLAUSE_WORDS = frozenset({"maar", "wel", "want", "omdat", "dus", "terwijl", "but", "however", "although", "because",
                           "while", "though"})
_SUBJECTS = frozenset({"ik", "je", "jij", "u", "we", "wij", "ze", "zij", "hij", "i", "you", "he", "she", "they"})
_CLAUSE_PUNCT = re.compile(r"[,;:()]")


def negated_clauses(text: str) -> list[tuple[int, int]]:
    """Character ranges of the clauses of ``text`` that are negated ("ik heb geen rijbewijs", "I do not
    have a driving licence", "ik ben niet flexibel").

    A clause ends at a comma, semicolon, colon or bracket, before "maar", "wel", "want", … (and their
    English counterparts), and before "en"/"of" followed by a new subject ("… niet lassen en ik kan goed
    koken"). It is negated when it holds "geen", "niet", "nooit", "niets", "no", "not", "never", "cannot"
    or an English "n't", except in "geen moeite met", "niet bang voor", "no problem with" and the like.
    The whole clause counts as negated: Dutch puts "niet" before or after what it denies.
    """
    toks = span_tokens(text)
    out: list[tuple[int, int]] = []
    start, negated = 0, False
    for j, (tok, s, _) in enumerate(toks):
        word = fold(tok)
        nxt = fold(toks[j + 1][0]) if j + 1 < len(toks) else ""
        breaks = j > start and (_CLAUSE_PUNCT.search(text, toks[j - 1][2], s) is not None or word in _CLAUSE_WORDS
                                or (word in {"en", "of", "and", "or"} and nxt in _SUBJECTS))
        if breaks:
            if negated:
                out.append((toks[start][1], toks[j - 1][2]))
            start, negated = j, False
        if (word in NEGATORS and nxt not in _NEGATION_IDIOMS) or word.endswith(" t"):
            negated = True
    if negated and toks:
        out.append((toks[start][1], toks[-1][2]))
    return out
