"""Bilingual occupation vocabulary: query translation both ways, longest terms first, the file's own format."""

from __future__ import annotations

import pytest

from assistant.retrieval import crosslingual
from assistant.retrieval.crosslingual import language_variants, translate
from assistant.text import language_of


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        ("电焊工", "en", "welder welding"),
        ("维修电工", "en", "maintenance electrician"),  # the longer term wins over 电工
        ("我在工厂做了三年电焊，会看图纸", "en", "welder welding"),  # found inside free text
        ("汽修学徒", "en", "motor vehicle mechanic car mechanic apprentice"),
        ("welder", "zh", "焊工 电焊工"),
        ("Welders wanted", "zh", "焊工 电焊工"),  # stems: welders → weld
        ("hairdresser", "zh", "美发师 美发"),
        ("software developer", "zh", "程序员 软件开发"),
        ("焊工", "zh", None),  # already in the target language
        ("量子色动力学", "en", None),  # no vocabulary term
        ("astronaut", "zh", None),
    ],
)
def test_translate(text: str, target: str, expected: str | None) -> None:
    assert translate(text, target) == expected


def test_language_variants_keep_the_query_where_nothing_is_known() -> None:
    assert language_variants("电焊工", ["en", "zh"]) == {"en": "welder welding", "zh": "电焊工"}
    assert language_variants("量子", ["en", "zh"]) == {"en": "量子", "zh": "量子"}


def test_a_malformed_vocabulary_line_is_named(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "terms.tsv"
    bad.write_text("# comment\n焊工\twelder\n电工 electrician\n", encoding="utf-8")
    monkeypatch.setattr(crosslingual, "VOCABULARY", bad)
    caches = (crosslingual._entries, crosslingual._english_stems, crosslingual.translate)  # translations are cached
    for cache in caches:
        cache.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"terms\.tsv:3: expected 'Chinese terms<TAB>English terms'"):
            translate("焊工", "en")
    finally:
        for cache in caches:
            cache.cache_clear()


def test_every_vocabulary_entry_has_both_languages() -> None:
    entries = crosslingual._entries()
    assert len(entries) > 100
    assert all(zh and en for zh, en in entries)
    assert all(language_of(t) == "zh" for zh, _ in entries for t in zh)
