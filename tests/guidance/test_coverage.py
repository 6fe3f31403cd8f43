"""Whether an offer teaches a requirement (CSCO task lines and ESCO labels against offers' skills and texts)."""

from __future__ import annotations

import pytest

from assistant.guidance.coverage import offer_teaches, teaches, topic

CARBON = ["碳排放核算", "能耗数据采集", "节能措施评估", "报告编制", "数据处理"]
ROBOT = ["机器人示教编程", "工作站安全", "搬运码垛", "日常保养", "问题解决"]
ELDERCARE = ["生活照料", "安全防护", "基础护理", "沟通与同理心", "应急处置"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        pytest.param("设定焊接参数", ("焊接",), id="zh-verb-and-all-purpose-noun-dropped"),
        pytest.param("清理焊缝，检测外观质量", ("焊缝", "外观"), id="zh-two-clauses"),
        pytest.param("维护保养设备", (), id="zh-all-generic"),
        pytest.param("weld metal parts", ("weld", "metal"), id="en-stems"),
        pytest.param("read engineering drawings", ("engin", "draw"), id="en-verb-dropped"),
        pytest.param("apply safety management", (), id="en-all-generic"),
    ],
)
def test_topic(label: str, expected: tuple[str, ...]) -> None:
    assert topic(label) == expected


@pytest.mark.parametrize(
    ("label", "skills", "text", "expected"),
    [
        # Chinese: CSCO task lines against short phrases, as the offers write them
        pytest.param("设定焊接参数", ["焊接参数设置"], "", True, id="zh-same-skill-other-order"),
        pytest.param("设定焊接参数", ["熔化焊接", "焊接安全"], "", True, id="zh-same-trade"),
        pytest.param("识读焊接图纸", ["看焊接图纸"], "", True, id="zh-everyday-words"),
        pytest.param("清理焊缝，检测外观质量", ["焊缝外观检测"], "", True, id="zh-two-clauses"),
        pytest.param("统计、核算区域及企事业单位等碳排放数据", CARBON, "", True, id="zh-long-task-short-phrase"),
        pytest.param("照料老年人的饮食、清洁、睡眠和排泄等日常生活", [],
                     "内容包括照料老年人饮食起居、清洁和睡眠等日常生活照护", True, id="zh-in-the-description"),
        pytest.param("设定焊接参数", CARBON, "以线上课程讲授碳排放核算基础、企业能耗数据采集和参数设定", False,
                     id="zh-carbon-course-does-not-teach-welding"),
        pytest.param("设定焊接参数", ["参数设定", *ROBOT], "", False, id="zh-robot-parameters-are-not-welding"),
        pytest.param("维护保养设备", ["工业机器人维护保养"], "", False, id="zh-too-general-to-credit"),
        pytest.param("安装和加固构件", ["团队合作", "安全操作"], "", False, id="zh-transversal-phrases"),
        pytest.param("照料老年人的饮食、清洁、睡眠和排泄等日常生活", ["直播销售", "短视频制作"], "", False,
                     id="zh-other-trade"),
        pytest.param("采取安全保护措施，预防意外伤害", ELDERCARE, "", False, id="zh-one-shared-word-of-four"),
        pytest.param("设定焊接参数", [], "本课程适合焊接、电工等岗位转岗人员", False,
                     id="zh-one-word-in-passing-in-a-description"),
        pytest.param("设定焊接参数", ["welding parameters"], "", False, id="zh-requirement-english-offer"),
        # English: ESCO labels
        pytest.param("weld metal parts", ["metal welding"], "", True, id="en-same-skill"),
        pytest.param("operate forklift", ["forklift driving"], "", True, id="en-specific-object"),
        pytest.param("read engineering drawings", ["engineering drawing"], "", True, id="en-noun-phrase"),
        pytest.param("weld metal parts", [], "Apprentices learn to weld steel and metal parts in the workshop.", True,
                     id="en-in-the-description"),
        pytest.param("weld metal parts", ["arc welding"], "", False, id="en-half-is-not-enough"),
        pytest.param("weld metal parts", ["carbon accounting", "energy-use data", "report writing"], "", False,
                     id="en-carbon-course"),
        pytest.param("apply safety management", ["safety management"], "", False, id="en-too-general-to-credit"),
        pytest.param("manage a team", ["teamwork", "team leadership"], "", False, id="en-transversal"),
        pytest.param("operate forklift", ["叉车驾驶"], "", False, id="en-requirement-chinese-offer"),
    ],
)
def test_teaches(label: str, skills: list[str], text: str, expected: bool) -> None:
    assert teaches(label, skills, text) is expected


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        pytest.param({"target_skills": ["焊接识图"]}, False, id="target-skill-half"),
        pytest.param({"target_skills": ["焊接识图", "焊接图纸识读"]}, True, id="target-skills"),
        pytest.param({"description": "讲授焊接工艺和图纸识读"}, True, id="description"),
        pytest.param({"qualification": "焊接图纸识读专项能力证书"}, True, id="qualification"),
        pytest.param({"title": "焊工识图", "description": "焊接工艺"}, False, id="title-and-description-one-word"),
        pytest.param({"title": "焊接图纸识读培训"}, True, id="title"),
        pytest.param({"target_skills": None, "description": None}, False, id="empty-record"),
    ],
)
def test_offer_teaches_reads_the_record(offer: dict[str, object], expected: bool) -> None:
    assert offer_teaches("识读焊接图纸", offer) is expected
