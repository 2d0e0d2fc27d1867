"""Chinese text: the one owner of jieba in Shoujie, with a tokenizer of its own.

jieba's module-level functions share one process-wide dictionary; a word added there for one
purpose changes every other segmentation in the process (the statistics' hot topics changed after
the first repeat look-up). Here one ``jieba.Tokenizer`` carries the petition domain's words, and
both the matter index (``cases.repeat``) and the statistics' topics (``cases.reports``) read it, so
a subject segments the same way whatever ran first. It is built on first use (the dictionary, its
part-of-speech table and the IDF table take seconds to load), or ahead of it by ``warm()``, which
the server runs in a background thread once it has started, so the first intake does not wait.

The statistics' hot topics read two data files beside it (``text_data/``): the petition domain's
topics, each with the ways petitions write it (拖欠工资: 欠薪, 讨薪…), matched whole before the
subject is segmented; and the stop words no topic is made of (the general Chinese list of
Stopwords ISO, and the domain's own: 建议, 办理, 小区, 社区…).
"""

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache, lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar

#: The hot topics' data files: the topics with their variants, and the stop words.
TEXT_DATA = Path(__file__).resolve().parent / "text_data"

#: Words every petition uses: they say nothing about which matter it is.
STOPWORDS = frozenset(
    """
    要求 反映 问题 情况 信访 希望 请求 解决 处理 相关 有关 部门 多次 至今 一直 没有 我们 本人 自己
    进行 已经 目前 现在 由于 因为 但是 以及 这个 什么 一个 还是 可以 不能 没人 无人 表示 关于 及时
    尽快 依法 予以 给予 事情 事项 工作 存在 导致 造成 认为 未能 仍然 迟迟 始终 多年 上述 其中 此事
    情况反映 如何 为何 为什么 怎么 这样 那么 对于 通过 之后 以后 以来 后来 当时 同时 然后 并且 而且
    所以 如果 虽然 还有 只有 其他 各种 有些 一些 不断 均无 均未 没有人 给予答复 答复 回复 回应
    来访 来信 来电 网上 群众 本人家 家里 我家 我们家 他们 你们 她们 之前 期间 年来 今年 去年 前年
    一下 一直没有 至今没有 反复 屡次 几次 多年来 时间 问题反映 信访人 请求人 反映人 诉求
    12345 12315 12366 110 热线
    """.split()
)

#: A small petition-domain thesaurus: the words receptionists and petitioners use for one thing.
SYNONYMS: Mapping[str, str] = {
    "征收": "拆迁",
    "征迁": "拆迁",
    "动迁": "拆迁",
    "拆迁款": "补偿款",
    "补偿金": "补偿款",
    "补偿费": "补偿款",
    "安置费": "补偿款",
    "赔偿款": "补偿款",
    "工钱": "工资",
    "薪水": "工资",
    "薪资": "工资",
    "薪酬": "工资",
    "劳动报酬": "工资",
    "报酬": "工资",
    "欠薪": "拖欠",
    "欠付": "拖欠",
    "拖延": "拖欠",
    "噪声": "噪音",
    "扰民": "噪音",
    "违章建筑": "违建",
    "违法建设": "违建",
    "违法建筑": "违建",
    "私搭乱建": "违建",
    "退休金": "养老金",
    "养老保险金": "养老金",
    "医疗保险": "医保",
    "最低生活保障": "低保",
    "低保金": "低保",
    "承包地": "土地承包",
    "排污": "污染",
    "偷排": "污染",
    "上学": "入学",
    "学位": "入学",
    "交付": "交房",
    "开发商": "开发公司",
    "房地产公司": "开发公司",
    "物业公司": "物业",
    "物业费": "物业",
    "社会保险": "社保",
}

#: Words jieba's dictionary splits badly (住建局 → 住/建局) that petitions use all the time.
DOMAIN_WORDS = (
    "住建局",
    "补偿款",
    "拆迁款",
    "违章建筑",
    "违法建设",
    "私搭乱建",
    "物业费",
    "宅基地",
    "承包地",
    "养老金",
    "退休金",
    "低保金",
    "欠薪",
    "讨薪",
    "劳动报酬",
    "延期交房",
    "开发商",
    "安置房",
    "社保局",
    "人社局",
    "信访局",
)
CANONICAL = frozenset(SYNONYMS.values())

#: The stop-word files of the hot topics: the general Chinese list and the petition domain's.
STOP_WORD_FILES = ("stopwords-zh.txt", "petition-stopwords.txt")
#: Parts of speech (jieba's tags) that name a topic: nouns, verbs, idioms. Names of people (nr…)
#: and places (ns) are left out: regions are counted by their codes, and a person's name in a
#: subject is not a topic (nor anything a statistics page should repeat).
TOPIC_TAGS = ("n", "v", "l", "i", "j", "a", "eng")
NOT_TOPIC_TAGS = ("nr", "ns", "nt")
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")


#: Held while a table is built, so a request arriving during the warm-up waits for it instead of
#: building a second copy (functools.cache does not stop two threads building at once).
_BUILDING = threading.RLock()
T = TypeVar("T")


def warm() -> None:
    """Load what the first repeat look-up reads (dictionary, part-of-speech and IDF tables)."""
    word_tags()
    idf()


def _once(build: Callable[[], T]) -> Callable[[], T]:
    """``build`` run once, however many threads ask at the same time (the others wait for it)."""
    cached = cache(build)

    @wraps(build)
    def get() -> T:
        with _BUILDING:
            return cached()

    return get


@_once
def tokenizer() -> Any:
    """This module's own jieba tokenizer, with the domain words (built once)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces its dictionary on stderr otherwise
    own = jieba.Tokenizer()
    own.initialize()
    for word in DOMAIN_WORDS:
        own.add_word(word, freq=20000, tag="n")
    return own


@_once
def pos_tokenizer() -> Any:
    """Part-of-speech tagging over this module's tokenizer (built once)."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(tokenizer())


@_once
def idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table and its median (read once)."""
    import jieba.analyse

    table = jieba.analyse.TFIDF()
    return table.idf_freq, table.median_idf


def word_tags() -> Mapping[str, str]:
    """Each dictionary word's part of speech."""
    tagger = pos_tokenizer()
    tagger.makesure_userdict_loaded()
    return tagger.word_tag_tab


def word_frequencies() -> Mapping[str, int]:
    """How often jieba's dictionary has seen each word."""
    return tokenizer().FREQ


def normalise(text: str) -> str:
    """Full-width to half-width, lower case: the form every segmentation starts from."""
    return unicodedata.normalize("NFKC", text).lower()


def cut(text: str) -> list[str]:
    """jieba's precise-mode words of ``text``."""
    return tokenizer().lcut(normalise(text))


def cut_for_search(text: str) -> list[str]:
    """jieba's search-mode words of ``text`` (long words also give their parts)."""
    return tokenizer().lcut_for_search(normalise(text))


def _data_words(name: str) -> list[str]:
    """The words of a data file: whitespace-separated, ``#`` to the end of a line a comment."""
    text = (TEXT_DATA / name).read_text(encoding="utf-8")
    return [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]


@cache
def topic_stop_words() -> frozenset[str]:
    """The words no hot topic is made of: the general Chinese list and the petition domain's."""
    return frozenset(w for name in STOP_WORD_FILES for w in _data_words(name))


@cache
def topics() -> dict[str, str]:
    """The petition domain's topics: each way a petition writes one → the topic's name."""
    out: dict[str, str] = {}
    for line in (TEXT_DATA / "topics.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        name, ways = line.split(":", 1)
        for way in [name.strip(), *ways.split()]:
            out.setdefault(normalise(way), name.strip())
    return out


@cache
def _topic_pattern() -> re.Pattern[str]:
    """Every way of every topic, the longest first (物业费 before 物业)."""
    ways = sorted(topics(), key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in ways))


@lru_cache(maxsize=200_000)
def topic_words(subject: str) -> tuple[str, ...]:
    """The topic words of a subject, each once, the domain's topics first:
    「玄武区王建国反映拆迁补偿款未发放」→ 征地拆迁 补偿款; 「某公司欠薪三个月」→ 拖欠工资."""
    named = topics()
    found: list[str] = []

    def topic(m: re.Match[str]) -> str:
        found.append(named[m.group(0)])
        return " "  # the phrase is taken whole: its parts are no topics of their own

    rest = _topic_pattern().sub(topic, normalise(subject))
    stop = topic_stop_words()
    for pair in pos_tokenizer().lcut(rest):
        word, tag = pair.word.strip(), pair.flag
        if (
            len(word) >= 2
            and tag.startswith(TOPIC_TAGS)
            and not tag.startswith(NOT_TOPIC_TAGS)
            and _WORDLIKE.search(word)
            and word not in stop
        ):
            found.append(word)
    return tuple(dict.fromkeys(found))
