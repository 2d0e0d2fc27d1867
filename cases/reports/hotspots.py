"""研判分析: the topics and regions rising period over period.

The topic words come from the cases' subjects through ``cases.text.topic_words`` (the one owner of
jieba, so a repeat look-up never changes them): the petition domain's topics kept whole, their
variants merged (欠薪, 讨薪 → 拖欠工资), words every petition uses (建议, 办理, 小区, 社区) left out.
They are read once per case, at intake, and stored (``cases.repeat.topics``); a statistics call
counts them. A region is named
by the office's list of regions (「南京市玄武区（320102）」, ``workflow.regions``).
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from cases.repeat import jurisdiction
from cases.reports.counting import ratio


def rising(
    current: Mapping[str, int], previous: Mapping[str, int], limit: int
) -> list[dict[str, Any]]:
    """Keys that grew from the previous period, the largest rise first."""
    out = []
    for key in set(current) | set(previous):
        now, before = current.get(key, 0), previous.get(key, 0)
        if now > before:
            out.append(
                {
                    "key": key,
                    "count": now,
                    "previous": before,
                    "change": now - before,
                    "growth": ratio(now - before, before),
                }
            )
    out.sort(key=lambda h: (-h["change"], -h["count"], h["key"]))
    return out[:limit]


def hotspots(
    topic_counts: Iterable[tuple[str, int, int]],
    regions_now: Mapping[str, int],
    regions_before: Mapping[str, int],
    *,
    limit: int = 10,
    names: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The topic words (``cases.repeat.topics``, stored at intake) and the regions rising period
    over period."""
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for word, n_now, n_before in topic_counts:
        now[word] += n_now
        before[word] += n_before
    topics = rising(now, before, limit)
    for t in topics:
        t["keyword"] = t["key"]
    regions = rising(regions_now, regions_before, limit)
    for r in regions:
        r["region_code"] = r["key"]
        r["label"] = jurisdiction.region_label(r["key"], names or {})
    return {"topics": topics, "regions": regions}
