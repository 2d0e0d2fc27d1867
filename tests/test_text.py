"""cases.text owns its jieba tokenizer: nothing else in the process changes how a subject reads."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent

SCRIPT = """
import json
import jieba
from cases import text
from cases.repeat import matter
subject = "关于违法建设迟迟未解决"
before = text.topic_words(subject)
matter.matter_vector("小区违法建设", "邻居私搭乱建", "拆除")  # the matter index's words
jieba.add_word("建设迟迟", freq=10**6)  # a stranger mutating jieba's global dictionary
text.topic_words.cache_clear()
after = text.topic_words(subject)
print(json.dumps([before, after, jieba.lcut(subject)]))
"""


def test_topics_do_not_change_after_a_repeat_look_up_or_a_global_jieba_word() -> None:
    """Before the split, the repeat look-up's jieba.add_word changed the hot topics of every
    later statistics call: 「关于违法建设迟迟未解决」 gave 违法/建设, then nothing."""
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    before, after, global_cut = json.loads(out)
    assert before == after == ["违法建设"]
    assert "建设迟迟" in global_cut  # the global dictionary did change: ours did not follow


def test_domain_words_segment_whole() -> None:
    """住建局 and 补偿款 are the petition domain's words, not 住/建局 or 补偿/款."""
    from cases import text

    words = text.cut("住建局拖欠补偿款")
    assert "住建局" in words and "补偿款" in words


def test_a_topic_is_kept_whole_and_its_variants_count_as_it() -> None:
    """The domain's topics: 拖欠工资 is one topic however a petition writes it, not 拖欠 + 工资."""
    from cases import text

    for subject in ("某公司拖欠工资半年", "欠薪三个月无人过问", "讨薪无果", "拖欠农民工工资问题"):
        assert text.topic_words(subject)[0] == "拖欠工资", subject
    assert text.topic_words("物业公司乱收物业费")[0] == "物业"
    assert text.topic_words("小区私搭乱建严重")[0] == "违法建设"
    assert "拖欠" not in text.topic_words("某公司拖欠工资半年")


def test_generic_words_are_no_topics() -> None:
    """建议, 办理, 小区, 社区 are in nearly every petition: the stop words leave them out."""
    from cases import text

    generic = {"建议", "办理", "小区", "社区", "问题", "要求", "情况", "解决"}
    for subject in ("建议社区办理事项公开", "小区问题请求社区尽快办理", "关于小区情况的建议"):
        assert not generic & set(text.topic_words(subject)), subject
    assert {"建议", "社区"} <= text.topic_stop_words()


def test_the_stop_word_lists_say_where_they_come_from() -> None:
    """The bundled general list names its origin and licence; both lists read as words."""
    from cases import text

    head = (text.TEXT_DATA / "stopwords-zh.txt").read_text(encoding="utf-8").splitlines()[:12]
    assert any("Stopwords ISO" in line for line in head)
    assert any("MIT" in line for line in head)
    assert {"的", "因为", "小区", "办理"} <= text.topic_stop_words()
    assert not any(w.startswith("#") for w in text.topic_stop_words())
