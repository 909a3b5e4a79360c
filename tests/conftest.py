"""Shared fixtures: where the seed documents and the law tables are.

Tests use real data only: the seed assessments copied into ``data/assessments`` and the law
tables in ``../shared/law`` beside the checkout (or ``$PIA_KG_LAW_DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO / "data" / "assessments"
LAW_DIR = Path(os.environ.get("PIA_KG_LAW_DIR", REPO.parent / "shared" / "law"))
ARTIFACTS = REPO / "test-artifacts"

SEED_000 = SEEDS_DIR / "000_446cb3177695f62c.txt"  # 静岡市 住民基本台帳 全項目 (old numbering)
SEED_001 = SEEDS_DIR / "001_57af33314b6a26f0.txt"  # 金沢市 児童手当 重点項目
SEED_002 = SEEDS_DIR / "002_aa3841ff71230e60.txt"  # 旭川市 committee material + draft (new numbering)
SEED_003 = SEEDS_DIR / "003_629faf11296c78e3.txt"  # 新宿区 変更箇所一覧 only
SEED_004 = SEEDS_DIR / "004_3b0bc6d58fb0621c.txt"  # 群馬県 住基ネット 全項目 (layout order)
ALL_SEEDS = [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004]


@pytest.fixture(scope="session")
def law_dir() -> Path:
    if not (LAW_DIR / "SOURCES.md").exists():
        pytest.fail(f"law tables not found at {LAW_DIR}; set PIA_KG_LAW_DIR")
    return LAW_DIR


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS_DIR


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def loaded_store(law_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """An embedded Oxigraph store with the law tables and every seed, built once per run.

    Read-only for tests: a test that writes builds its own store.
    """
    from pia_kg.pipeline import load_documents, load_law_dir
    from pia_kg.store import open_store

    store = open_store("oxigraph", path=tmp_path_factory.mktemp("loaded") / "store")
    load_law_dir(store, law_dir)
    load_documents(store, [SEEDS_DIR])
    yield store
    store.close()


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def loaded_on_each_backend(request: pytest.FixtureRequest, loaded_store):  # noqa: ANN001, ANN201
    """The law and the seeds on Oxigraph and on rdflib (a copy in memory of ``loaded_store``)."""
    from pia_kg.store import open_store

    if request.param == "oxigraph":
        return loaded_store
    copy = open_store("memory")
    copy.replace_graphs({g: loaded_store.get_graph(g) for g in loaded_store.named_graphs()})
    return copy
