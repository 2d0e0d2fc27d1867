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
