"""Moving to a shared server: `oxigraph serve` on the folder `pia-kg load` made, then every
command through `--endpoint`; loading through an endpoint in bounded requests; Virtuoso."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LAW_DIR, SEED_000, SEED_001, SEED_003, SEED_004
from servers import oxigraph_server
from virtuoso import virtuoso_server

from pia_kg.corpus import write_corpus
from pia_kg.named_queries import run_query
from pia_kg.pipeline import load_documents, load_law_dir, remove_documents
from pia_kg.store import ExportFormat, Store, open_store
from pia_kg.vocab import ID

pytestmark = pytest.mark.slow

PIA_KG = str(Path(sys.executable).with_name("pia-kg"))
DOCS = str(ID["graph/doc/"])
HEADLINE = ["query", "departments-under-item", "-p", "table=番号法別表", "-p", "item=81",
            "-p", "as_of=2025-01-01", "-f", "csv"]


def pia(*args: str) -> str:
    done = subprocess.run([PIA_KG, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(text: str) -> list[dict[str, str]]:
    return sorted(csv.DictReader(io.StringIO(text)), key=lambda r: sorted(r.items()))


def per_graph(store: Store) -> dict[str, int]:
    return {str(g): store.triple_count(g) for g in store.named_graphs()}


@pytest.fixture(scope="module")
def made_by_load(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder made by the CLI: the law and four seeds (静岡市's in the old numbering:
    what the 2024-05-27 renumbering breaks)."""
    path = tmp_path_factory.mktemp("made") / "store"
    pia("--store", str(path), "law", "load", str(LAW_DIR))
    pia("--store", str(path), "load", str(SEED_000), str(SEED_001), str(SEED_003), str(SEED_004))
    return path


def test_oxigraph_serve_on_the_folder_pia_kg_made(made_by_load: Path, tmp_path: Path) -> None:
    embedded = pia("--store", str(made_by_load), *HEADLINE)
    assert len(rows(embedded)) > 0
    served = tmp_path / "served"
    shutil.copytree(made_by_load, served)
    with oxigraph_server(served) as base:
        remote = ["--endpoint", f"{base}/query", "--update-endpoint", f"{base}/update"]
        assert rows(pia(*remote, *HEADLINE)) == rows(embedded)
        # and the store keeps growing through the server
        corpus = write_corpus(tmp_path / "corpus", 3, seed=2)
        pia(*remote, "load", *map(str, corpus))
        graphs = pia(*remote, "graphs")
        for p in corpus:
            assert p.stem in graphs
        pia(*remote, "remove", corpus[0].stem)
        assert corpus[0].stem not in pia(*remote, "graphs")


def test_load_through_an_endpoint_in_bounded_requests(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", 4, seed=9)
    local = open_store("oxigraph", path=tmp_path / "local")
    load_law_dir(local, LAW_DIR)
    load_documents(local, corpus, workers=1)
    with oxigraph_server(tmp_path / "server") as base:
        sizes: list[int] = []
        remote = open_store("remote", endpoint=f"{base}/query", update_endpoint=f"{base}/update",
                            max_request_bytes=256 * 1024)
        update = remote.update

        def counted(text: str) -> None:
            sizes.append(len(text.encode("utf-8")))
            update(text)

        remote.update = counted  # type: ignore[method-assign]
        load_law_dir(remote, LAW_DIR)
        load_documents(remote, corpus, workers=1)
        assert per_graph(remote) == per_graph(local)
        # many requests, each near the bound (a line's length over it at most)
        assert len(sizes) > 20 and max(sizes) < 256 * 1024 + 64 * 1024
    local.close()


def test_a_remote_store_tells_when_any_pia_kg_process_wrote(tmp_path: Path) -> None:
    """Each write ends by changing the store's state token, which another process reads
    (so its caches of answers hold between writes, and no longer): never written by pia-kg,
    a store has none, and nothing is cached of it."""
    from rdflib import URIRef

    with oxigraph_server(tmp_path / "server") as base:
        writer = open_store("remote", endpoint=f"{base}/query", update_endpoint=f"{base}/update")
        reader = open_store("remote", endpoint=f"{base}/query", token_ttl=0)
        assert writer.state_token() is None and reader.state_token() is None
        g = URIRef("urn:x:g")
        writer.replace_graphs({g: '<urn:x:s> <urn:x:p> "1" .\n'})
        first = reader.state_token()
        assert first is not None and writer.state_token() == first
        assert reader.state_token() == first  # nothing written since: the same
        writer.drop_graphs([g])
        second = reader.state_token()
        assert second not in (None, first) and writer.state_token() == second
        # the token's graph is not one of the store's
        assert reader.named_graphs() == [] and reader.triple_count() == 0
        assert reader.export(ExportFormat.nquads).strip() == b""
        # a reader within its time to live answers from what it read last
        slow = open_store("remote", endpoint=f"{base}/query", token_ttl=3600)
        seen = slow.state_token()
        writer.replace_graphs({g: '<urn:x:s> <urn:x:p> "2" .\n'})
        assert slow.state_token() == seen != reader.state_token()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as base:
        yield base


def test_virtuoso_loads_replaces_removes_and_pages(virtuoso: str, made_by_load: Path) -> None:
    store = open_store("remote", endpoint=f"{virtuoso}/sparql",
                       update_endpoint=f"{virtuoso}/sparql-auth", user="dba", password="dba")
    local = open_store("oxigraph", path=made_by_load, read_only=True)
    expected = {g: n for g, n in per_graph(local).items()}
    load_law_dir(store, LAW_DIR)
    before = store.state_token()
    load_documents(store, [SEED_000, SEED_001, SEED_003, SEED_004], workers=1)
    ours = {g: n for g, n in per_graph(store).items() if g in expected}
    assert ours == expected
    assert before is not None and store.state_token() not in (None, before)  # Virtuoso takes the stamp too
    # the packed answers read back whole: the same rows as the embedded store's
    for name, params in (("departments_under_item", {"table": "番号法別表", "item": "81"}),
                         ("citation_problems", {}), ("renumbering_impact", {"amendment": "2024-05-27"})):
        answer = run_query(store, name, params).rows
        assert answer and answer == run_query(local, name, params).rows, name
    # loading again replaces (DROP SILENT: Virtuoso refuses DROP of a graph made by INSERT)
    load_documents(store, [SEED_001], workers=1)
    assert per_graph(store)[f"{DOCS}{SEED_001.stem}"] == expected[f"{DOCS}{SEED_001.stem}"]
    # more than the 10,000 rows Virtuoso returns at most: read whole, page by page
    total = store.triple_count()
    assert total > 10_000
    exported = [line for line in store.export(ExportFormat.nquads).splitlines() if line.strip()]
    assert len(exported) == total
    remove_documents(store, [SEED_003.stem])
    assert not any(SEED_003.stem in g for g in store.named_graphs())
    answers = store.query(
        "SELECT ?a WHERE { ?a a <https://w3id.org/pia-kg/ontology#Assessment> }"
    ).rows
    assert len(answers) == 3  # 000, 001, 004
    local.close()
