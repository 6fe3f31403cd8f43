"""The index's other readings of English skills (skill_views.py): which texts are read, how they are written and
read back, and the scores a ranking gets from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index.documents import IndexDoc, Unit
from assistant.index.embedders import FakeEmbedder
from assistant.index.skill_views import FILES, VIEWS_DIR, SkillViews, build_views, skill_texts

SOURCE = {"name": "t", "url": None, "version": "1"}


def doc(title: str, type_: str = "skill", language: str = "en") -> IndexDoc:
    return IndexDoc(id=f"{type_}:{title}", type=type_, title=title, language=language, source=SOURCE)


# Label runs as the light ESCO set keeps them (title first, then its alternatives, unseparated), written by the
# team; the runs teach the boundaries where a label ends.
RUNS = [
    ("gather data", "gather data collect data compile data", "Collect data from several sources."),
    ("coordinate events", "coordinate events organise events plan events", "Plan and run events."),
    ("direct traffic", "direct traffic control traffic", ""),
    ("manage staff", "manage staff supervise staff direct staff", "Lead a team of workers."),
]


def corpus() -> tuple[list[IndexDoc], list[Unit]]:
    docs, units = [], []
    for title, run, definition in RUNS:
        units += [Unit(len(docs), "title", title, True), Unit(len(docs), "alias", run, False)]
        if definition:
            units.append(Unit(len(docs), "definition", definition, False))
        docs.append(doc(title))
    # An official ESCO skill: alternative labels one by one, never cut.
    units += [Unit(len(docs), "title", "weld metal", True), Unit(len(docs), "alias", "join metal by welding", False),
              Unit(len(docs), "alias", "metal welding", False)]
    docs.append(doc("weld metal"))
    # Not read: a Chinese skill and an English occupation.
    units += [Unit(len(docs), "title", "电焊", True)]
    docs.append(doc("电焊", language="zh"))
    units += [Unit(len(docs), "title", "welder", True), Unit(len(docs), "alias", "welder fabricator", False)]
    docs.append(doc("welder", type_="occupation"))
    return docs, units


@pytest.mark.parametrize(("at", "labels", "definition"), [
    (0, ("gather data", "collect data", "compile data"), "gather data collect data compile data Collect data from "
                                                         "several sources."),
    (2, ("direct traffic", "control traffic"), "direct traffic control traffic"),
    (4, ("weld metal", "join metal by welding", "metal welding"), "join metal by welding metal welding"),
])
def test_skill_texts_cut_label_runs_and_keep_separate_labels(at: int, labels: tuple[str, ...], definition: str) -> None:
    texts = {t.doc: t for t in skill_texts(*corpus())}
    assert texts[at].labels == labels
    assert texts[at].definition == definition


def test_skill_texts_read_english_skills_only() -> None:
    assert [t.doc for t in skill_texts(*corpus())] == [0, 1, 2, 3, 4]


@pytest.fixture
def views(tmp_path: Path) -> SkillViews:
    docs, units = corpus()
    files = build_views(tmp_path, skill_texts(docs, units), FakeEmbedder(dim=32), FakeEmbedder(dim=48))
    assert files == [f"{VIEWS_DIR}/{name}" for name in FILES]
    return SkillViews(tmp_path)


def test_views_read_back_the_vectors_written(views: SkillViews) -> None:
    second, main = FakeEmbedder(dim=32), FakeEmbedder(dim=48)
    texts = {t.doc: t for t in skill_texts(*corpus())}
    queries = ["collect data", "metal welding work"]
    q = second.embed_queries(queries)
    labels, definitions = views.cosines(q, [0, 4, 5])
    for j, d in enumerate([0, 4]):
        want_labels = (second.embed_passages(list(texts[d].labels)) @ q.T).max(axis=0)
        want_definition = second.embed_passages([texts[d].definition])[0] @ q.T
        np.testing.assert_allclose(labels[:, j], want_labels, atol=2e-3)  # stored in half precision
        np.testing.assert_allclose(definitions[:, j], want_definition, atol=2e-3)
    assert labels[:, 2].tolist() == definitions[:, 2].tolist() == [0.0, 0.0]  # the Chinese skill has no views
    titles = views.title_cosines(main.embed_queries(queries), [1, 4])
    want = main.embed_queries(["coordinate events", "weld metal"]) @ main.embed_queries(queries).T
    np.testing.assert_allclose(titles, want.T, atol=2e-3)
    assert (views.embedder, views.dim, views.main, views.main_dim) == ("fake", 32, "fake", 48)
    assert views.covers(4) and not views.covers(5)


def test_views_count_only_when_every_file_is_there(tmp_path: Path, views: SkillViews) -> None:
    assert SkillViews.exists(tmp_path)
    (tmp_path / VIEWS_DIR / FILES[-2]).unlink()
    assert not SkillViews.exists(tmp_path)
    assert not SkillViews.exists(tmp_path / "elsewhere")
