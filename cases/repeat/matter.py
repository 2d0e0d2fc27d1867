"""A matter's words and particulars, as a vector, and how alike two matters are.

The wording is the tf-idf vector of a matter's keywords (jieba's search-mode segmentation through
``cases.text``, its IDF table, a small petition-domain thesaurus so 征收/拆迁 or 工钱/工资 count as
the same word), compared by cosine and blended with the character-bigram overlap of the two
subjects. The particulars are the names and amounts the matter is told by (a company, a village,
26300 元), taken as character pairs of what no common word explains and kept beside the keywords
(marked ``#``); when both matters name some, how many agree weighs as much as the wording, because
the same person's arrears at another company read alike but are another matter.

Pure text: no database. The keyword index (``cases.repeat.index``) stores these vectors and the
look-up (``cases.repeat.candidates``) compares them.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cases import text
from cases.text import STOPWORDS, SYNONYMS

#: Keywords and particulars kept per case (the stored vector) and per intake.
KEYWORDS_PER_CASE = 12
PARTICULARS_PER_CASE = 8
#: How much agreeing particulars weigh against the wording, when both matters name some.
PARTICULAR_WEIGHT = 0.5

_CJK_OR_ALNUM = re.compile(r"[\u3400-\u9fff0-9a-z]")
_NUMBER = re.compile(r"^[0-9.]+$")

#: Characters that begin or glue words, never a name: split runs of single characters on them and
#: strip them from the front of words jieba does not know (往南隆河 → 南隆河, 从元胜 → 元胜).
FUNCTION_CHARS = frozenset(
    "我你他她它们的了在是和与及或从往向把被给对于以为由将到也都就还又很最更已不没未无有个"
    "年月日元号栋亩层间位名次这那哪其此该各每些上下中内外前后里说要让叫去来过着得地之所"
)
#: Jieba's dictionary tags for names of people, places, organisations and other proper nouns.
NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})
#: A dictionary word this frequent explains its characters (家住 does; 家庄, seen 3 times, is
#: more likely the end of a village's name); a name this frequent is common (中国, not 兰州).
WORD_FREQ = 100
COMMON_FREQ = 5000
_YEAR = re.compile(r"^(19|20)[0-9]{2}$")
_CJK = re.compile(r"^[\u3400-\u9fff]+$")
#: A term that is a particular of the matter (a name, an amount) rather than a word of it.
PARTICULAR = "#"


def tokens(value: str) -> list[str]:
    """The matter's words: jieba search-mode words of two characters or more, thesaurus applied."""
    out = []
    for word in text.cut_for_search(value):
        word = word.strip()
        if len(word) < 2 or len(word) > 16 or word in STOPWORDS:
            continue
        if not _CJK_OR_ALNUM.search(word):
            continue
        if _NUMBER.match(word) and len(word) < 3:
            continue  # "3" 个月, "12" 号: numbers this short name nothing
        out.append(SYNONYMS.get(word, word))
    return out


def _known(word: str) -> bool:
    """Whether a word is part of the language or the thesaurus rather than a name."""
    return (
        word in STOPWORDS or word in SYNONYMS or word in text.CANONICAL or word in text.DOMAIN_WORDS
    )


def _composed(word: str, common: Callable[[str], bool]) -> bool:
    """Whether a word splits into common words (and function characters) only."""
    for i in range(1, len(word)):
        left, right = word[:i], word[i:]
        left_ok = left in FUNCTION_CHARS if len(left) == 1 else common(left)
        if not left_ok:
            continue
        if right in FUNCTION_CHARS if len(right) == 1 else common(right):
            return True
        if len(right) > 2 and _composed(right, common):
            return True
    return False


def particulars(value: str) -> list[str]:
    """The names and amounts a matter is told by, as character pairs: 裕锦, 何家, 家庄, 26300.

    jieba splits names it does not know in ways that change with the sentence around them
    (何家庄 → 何·家庄 or 年何·家庄), so a name is taken as the character pairs of each run of
    characters that no common word explains: words jieba does not know or rarely sees, names
    (people, places, organisations), and single characters that are not function words. Numbers
    of three digits or more count, years do not. A pair that every other petition uses (人管 from
    "没人管") is dropped at look-up time, when the case index says how many cases share it.
    """
    tags = text.word_tags()
    freq = text.word_frequencies()
    out: list[str] = []
    run: list[str] = []

    def common(word: str) -> bool:
        n = freq.get(word) or 0
        if _known(word):
            return True
        return n >= WORD_FREQ and (tags.get(word) not in NAME_TAGS or n >= COMMON_FREQ)

    def close_run() -> None:
        out.extend(
            pair
            for pair in ("".join(run[i : i + 2]) for i in range(len(run) - 1))
            if not common(pair)
        )
        run.clear()

    for word in text.cut(value):
        if word.isdigit():
            close_run()
            if len(word) >= 3 and not _YEAR.match(word) and word not in STOPWORDS:
                out.append(word)
            continue
        if not _CJK.match(word):
            close_run()
            continue
        if len(word) == 1:
            explained = word in FUNCTION_CHARS
        else:
            # A common word explains its characters, unless it is a name that is not common
            # (兰州 is a particular of a matter, 中国 is not); so does a rare phrase made of
            # common words (拖欠工资 = 拖欠 + 工资), but not 家庄 or 家村, the ends of names.
            explained = common(word) or _composed(word, common)
        if explained:
            close_run()
        else:
            run.extend(word)
    close_run()
    return out


def matter_vector(
    subject: str,
    content: str,
    requests: str = "",
    *,
    top: int = KEYWORDS_PER_CASE,
    top_particulars: int = PARTICULARS_PER_CASE,
) -> dict[str, float]:
    """A matter's keywords (tf-idf, unit length) and its particulars (marked ``#``, unit length)."""
    idf, median = text.idf()
    counts: Counter[str] = Counter()
    # The subject is the matter in a few words: it counts twice.
    for word in tokens(subject):
        counts[word] += 2
    for word in tokens(content) + tokens(requests):
        counts[word] += 1
    weights = {w: (1 + math.log(n)) * idf.get(w, median) for w, n in counts.items()}
    words = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    names: Counter[str] = Counter()
    for name in particulars(subject):
        names[name] += 2
    for name in particulars(content) + particulars(requests):
        names[name] += 1
    marked = [(PARTICULAR + n, float(c)) for n, c in names.most_common(top_particulars)]
    out: dict[str, float] = {}
    for part in (words, marked):
        norm = math.sqrt(sum(v * v for _, v in part)) or 1.0
        out.update((w, v / norm) for w, v in part)
    return out


def _split(vector: Mapping[str, float]) -> tuple[dict[str, float], set[str]]:
    """A vector's keywords, and its particulars apart."""
    words = {w: v for w, v in vector.items() if not w.startswith(PARTICULAR)}
    return words, {w for w in vector if w.startswith(PARTICULAR)}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The cosine of two unit-length keyword vectors."""
    if len(a) > len(b):
        a, b = b, a
    return min(1.0, sum(v * b[w] for w, v in a.items() if w in b))


def _bigrams(value: str) -> set[str]:
    """The character pairs of a subject's letters, digits and CJK characters."""
    chars = "".join(_CJK_OR_ALNUM.findall(text.normalise(value)))
    return {chars[i : i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def subject_overlap(a: str, b: str) -> float:
    """Dice coefficient of the two subjects' character bigrams."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


@dataclass(frozen=True)
class Likeness:
    """How alike two matters are: wording, subject, particulars, and the blend of them."""

    words: float
    subject: float
    particulars: float | None
    score: float


def similarity(
    q_vec: Mapping[str, float],
    q_subject: str,
    c_vec: Mapping[str, float],
    c_subject: str,
    generic: frozenset[str] = frozenset(),
) -> Likeness:
    """Keyword cosine blended with subject overlap; then, when both name particulars, with how
    many of them agree (the same kind of matter about another company or village is another
    matter, however alike the words). ``generic`` particulars (many cases share them) are left out.
    """
    q_words, q_names = _split(q_vec)
    c_words, c_names = _split(c_vec)
    q_names -= generic
    c_names -= generic
    words = cosine(q_words, c_words)
    subject = subject_overlap(q_subject, c_subject)
    wording = 0.75 * words + 0.25 * subject
    if q_names and c_names:
        agree = len(q_names & c_names) / min(len(q_names), len(c_names))
        return Likeness(
            words, subject, agree, (1 - PARTICULAR_WEIGHT) * wording + PARTICULAR_WEIGHT * agree
        )
    return Likeness(words, subject, None, wording)


def shared_terms(a: Mapping[str, float], b: Mapping[str, float], n: int = 5) -> list[str]:
    """The keywords and particulars two matters share, the most telling first."""
    common = [(a[w] * b[w], w.removeprefix(PARTICULAR)) for w in a if w in b]
    return [w for _, w in sorted(common, reverse=True)[:n]]
