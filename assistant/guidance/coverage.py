"""Whether an offer teaches a requirement: the requirement's topic words found in one of its skills or in its text."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.index.tokenize import words

# Words every trade's tasks use: actions (使用, 检查, 维护, operate, maintain) and all-purpose nouns (设备, 数据, 安全,
# equipment, safety), drawn from the most frequent words of the CSCO 2022 task lines and the ESCO skill labels.
# Two requirements of different trades share them (设定焊接参数 and a robot course's 参数设定), so they never carry
# a match: what a requirement is about is what is left (焊接). A requirement made only of them (维护保养设备) is
# too general to tell which course teaches it, and no offer is credited with it.
GENERIC_ZH = frozenset("""
    设备 操作 使用 处理 维护 生产 技术 分析 工具 设计 检查 研究 管理 产品 系统 加工 指导 记录 制订 制定 保养 检测
    制成 工艺 组织 提供 中 制作 故障 实施 调整 调试 原料 方案 控制 安装 信息 作业 服务 数据 材料 安全 装配 应用
    编制 工作 方法 运用 质量 运行 测试 仪器 评估 情况 设施 检验 填写 参数 监测 过程 专用设备 装置 机械 相关 试验
    零部件 环境 维修 报告 调查 成品 监控 手工 根据 采集 开发 人员 计划 整理 机 业务 问题 办理 规划 收集 评价 资料
    项目 活动 工程 制品 制备 后 客户 顾客 标准 选择 确定 部件 成 器具 开展 提出 其他 物料 现场 装备 机具 措施 辅助
    专用 协助 参与 准备 监督 制造 利用 新 功能 咨询 咨询服务 仪器仪表 需求 结构 仪表 验收 发现 上 配合 更换 内 观察
    建立 保存 要求 企业 执行 有关 专业 效果 计算 建议 单位 发展 规范 结果 判断 资源 方式 协调 保管 状况 改进 文件
    对象 鉴定 编写 处置 物品 保障 按 状态 分类 清理 件 统计 配置 程序 仪器设备 下 综合 器 物 料 负责 完成 采取
    设定 设置 操控 识读 识别 了解 掌握 学习 遵守 确保 保证 做好 按照 依据 日常 各种 各类 规程 流程 意识 解决 基础
    基本 能力 知识 技能 团队 合作 协作 沟通 表达 看 做 用 会 能 有 好 基本知识 操作规程 相应 一定 常见 主要
""".split())
GENERIC_EN = frozenset(words("""
    operate operation manage management perform equipment use maintain maintenance develop product monitor process
    prepare provide apply design advise plan service system work type ensure assess test create tend procedure
    customer understand conduct safety inspect analyse analyze install handle study activity write supervise set
    check assist train method communicate technology record identify organise organize control information make
    strategy evaluate good interact material implement coordinate document user follow relate related collect select
    data research standard device require requirement support technical protect keep facility resource adjust
    principle remove oversee project need determine instruct instruction base integrate application model
    professional liaise investigate problem order practice compliance comply environment team teamwork skill
    knowledge basic quality security health client staff task regulation guideline specification issue part
    component tool carry deal read learn public general
""")) | {"s"}

_HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
# More than this share of a requirement's topic words must be in one of the offer's skills, or in its description,
# title and qualification together (there also at least two words: a long text mentions many things in passing).
SHARE = 0.5
TEXT_MIN_WORDS = 2


@functools.lru_cache(maxsize=16384)
def topic(label: str) -> tuple[str, ...]:
    """What a requirement is about: its words less the generic ones (设定焊接参数 → 焊接; weld metal parts → weld, metal)."""
    kept = [w for w in words(label)
            if any(ch.isalnum() for ch in w) and not w.isdigit() and w not in GENERIC_ZH and w not in GENERIC_EN]
    return tuple(dict.fromkeys(kept))


@functools.lru_cache(maxsize=16384)
def _topic(label: str) -> tuple[tuple[str, bool], ...]:
    # A Chinese word of two or more characters is looked for inside longer words too (焊接 in 熔化焊接, 图纸 in
    # 识读焊接图纸, however jieba cut the offer's phrase); single characters and English stems must be whole words.
    return tuple((w, bool(_HAN_WORD.fullmatch(w))) for w in topic(label))


@dataclass(frozen=True)
class Taught:
    """One text of an offer, ready for lookups: normalised as the words are, and its own words."""

    text: str
    words: frozenset[str]

    def count(self, topic_words: tuple[tuple[str, bool], ...]) -> int:
        return sum((w in self.text) if inside else (w in self.words) for w, inside in topic_words)


@functools.lru_cache(maxsize=65536)
def taught(text: str) -> Taught:
    return Taught(unicodedata.normalize("NFKC", text).casefold(), frozenset(words(text)))


@dataclass(frozen=True)
class Syllabus:
    """What an offer teaches: its skills one by one, and its title, description and qualification as one text."""

    skills: tuple[Taught, ...]
    text: Taught
    everything: Taught  # all of it: one look rules out the many requirements it has no word of

    @classmethod
    def of(cls, skills: Sequence[str], text: str = "") -> Syllabus:
        skills = [s for s in skills if s.strip()]
        return cls(tuple(taught(s) for s in skills), taught(text), taught(" ".join([*skills, text])))

    @classmethod
    def of_offer(cls, offer: dict[str, Any]) -> Syllabus:
        text = " ".join(str(offer.get(k) or "") for k in ("title", "description", "qualification"))
        return cls.of([str(s) for s in offer.get("target_skills") or ()], text)

    def teaches(self, label: str) -> bool:
        """True when one of the skills, or the text, holds more than half of what the requirement is about."""
        words = _topic(label)
        if not words or not self.everything.count(words):
            return False
        need = SHARE * len(words)
        if any(s.count(words) > need for s in self.skills):
            return True
        n = self.text.count(words)
        return n > need and n >= TEXT_MIN_WORDS


def teaches(label: str, skills: Sequence[str], text: str = "") -> bool:
    """Whether an offer with these skills and this text teaches the requirement (see Syllabus.teaches)."""
    return Syllabus.of(skills, text).teaches(label)


def offer_teaches(label: str, offer: dict[str, Any]) -> bool:
    """teaches() against an offer record: its target skills, then its title, description and qualification."""
    return Syllabus.of_offer(offer).teaches(label)
