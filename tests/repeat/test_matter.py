"""A matter's words and particulars: a reworded matter is alike, another company's is not."""

from cases.repeat import candidates, matter


def test_particulars_are_names_and_amounts_not_years_or_words() -> None:
    found = matter.particulars("本人2023年在裕锦机械制造有限公司工作，被拖欠工资26300元")
    assert "裕锦" in found and "26300" in found
    assert "2023" not in found
    assert not {"拖欠", "工资", "有限", "公司", "机械"} & set(found)


def test_a_reworded_matter_is_alike_another_company_is_not() -> None:
    original = matter.matter_vector(
        "裕锦机械制造有限公司拖欠工资", "本人2023年在裕锦机械制造有限公司工作，公司拖欠工资5个月。"
    )
    reworded = matter.matter_vector(
        "讨要裕锦机械制造有限公司欠薪", "我在裕锦机械制造有限公司上班，从2023年起公司就不发工钱。"
    )
    other = matter.matter_vector(
        "宏泰物流有限公司拖欠工资", "本人2023年在宏泰物流有限公司工作，公司拖欠工资5个月。"
    )
    same = matter.similarity(original, "裕锦机械制造有限公司拖欠工资", reworded, "讨要裕锦欠薪")
    different = matter.similarity(
        original, "裕锦机械制造有限公司拖欠工资", other, "宏泰物流有限公司拖欠工资"
    )
    assert same.score >= candidates.REPEAT_SIMILARITY > different.score
    assert different.particulars == 0  # the words agree, the company does not


def test_the_thesaurus_makes_synonyms_one_word() -> None:
    assert "拆迁" in matter.tokens("房屋征收")
    assert "工资" in matter.tokens("工钱和薪水")
