"""The packed-row codec (pia_kg/packed_rows.py) through a real store: every kind of term, and
texts made of the characters the codec gives a meaning to, come back as they went in; and
ordering packed texts orders their rows cell by cell."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.errors import QueryError
from pia_kg.named_queries import sort_rows
from pia_kg.packed_rows import pack, pack_keyed, pack_lines, row_terms, split_keyed, unpack

# the characters the codec gives a meaning to, and some it must leave alone
_HARD = ["\t", "\n", "\r", "\\", "\\t", "<", "@", "^", "_", '"', " ", "\u2028", "\x85", "=", "部署", "a", "Z", "0"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_HARD) for _ in range(rng.randrange(0, 6)))


def _term(rng: random.Random) -> object:
    kind = rng.randrange(6)
    if kind == 0:
        return None
    if kind == 1:
        return URIRef("http://x/" + rng.choice(["a", "b#c", "%E9", "d_e"]))
    if kind == 2:
        return Literal(_text(rng), lang=rng.choice(["ja", "en", "ja-jp"]))
    if kind == 3:
        return Literal(_text(rng), datatype=URIRef("http://www.w3.org/2001/XMLSchema#token"))
    if kind == 4:
        return BNode("b" + str(rng.randrange(100)))
    return Literal(_text(rng))


def test_every_kind_of_term_comes_back_from_the_store_as_it_went_in() -> None:
    rng = random.Random(20261203)
    rows = [[_term(rng) for _ in range(5)] for _ in range(2_000)]
    store = ox.Store()
    item = ox.NamedNode("urn:x:item")
    for n, row in enumerate(rows):
        text = pack(row)
        assert "\n" not in text and text.count("\t") == 4
        graph = f"<urn:x:g{n}>"
        store.load(f"<urn:x:item> <urn:x:row{n}> {nt.literal(text)} {graph} .\n".encode(), format=ox.RdfFormat.N_QUADS)
    read = {q.predicate.value: q.object.value for q in store.quads_for_pattern(item, None, None)}
    for n, row in enumerate(rows):
        assert row_terms(read[f"urn:x:row{n}"], 5) == row, row
    # through the lines of one text and behind the join's keys too
    keyed = [pack_keyed([Literal("k\t1"), None], pack(row)) for row in rows[:50]]
    for line in pack_lines(keyed).split("\n"):
        keys, packed = split_keyed(line, 2)
        assert keys[0] == "k 1" and keys[1] is None
        assert row_terms(packed, 5) in rows[:50]


def test_packed_texts_order_their_rows_cell_by_cell_as_the_store_does() -> None:
    rng = random.Random(7)
    pool = ["", "a", "ab", "ab c", "ab!", "a b", "b", "部署", "部署a", "@x", "<y"]
    rows = [[Literal(rng.choice(pool)) if rng.random() < 0.9 else None for _ in range(3)] for _ in range(500)]
    texts = [pack(r) for r in rows]
    by_cells = sorted(rows, key=lambda r: [(c is not None, str(c) if c is not None else "") for c in r])
    assert [row_terms(t, 3) for t in sorted(texts)] == by_cells
    store = ox.Store()
    store.load("".join(f"<urn:x:s> <urn:x:p> {nt.literal(t)} .\n" for t in set(texts)).encode(),
               format=ox.RdfFormat.N_TRIPLES)
    ordered = [s["o"].value for s in store.query("SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o } ORDER BY ?o")]
    assert ordered == sorted(set(texts))


def test_rows_sorted_by_pia_kg_come_in_the_order_the_store_orders_them() -> None:
    # run_query sorts a packed query's rows itself (named_queries.sort_rows), by the
    # variables of its ORDER BY: unbound first, then by code point, column by column
    rng = random.Random(11)
    pool = ["", "a", "ab", "ab c", "ab!", "a b", "b", "部署", "部署a", "@x", "<y", "a\tb", " a"]
    rows = [tuple(rng.choice(pool) if rng.random() < 0.85 else None for _ in range(3)) for _ in range(600)]
    store = ox.Store()
    lines = []
    for n, row in enumerate(rows):
        lines.append(f"<urn:r:{n}> <urn:x:row> \"{n}\" .\n")
        lines += [f"<urn:r:{n}> <urn:x:c{i}> {nt.literal(v)} .\n" for i, v in enumerate(row) if v is not None]
    store.load("".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
    for at in ([0], [2, 0], [1, 2, 0]):
        order = " ".join(f"?c{i}" for i in at)
        found = [tuple(s[f"c{i}"].value if s[f"c{i}"] is not None else None for i in range(3)) for s in store.query(
            "SELECT ?c0 ?c1 ?c2 WHERE { ?r <urn:x:row> ?n OPTIONAL { ?r <urn:x:c0> ?c0 } "
            f"OPTIONAL {{ ?r <urn:x:c1> ?c1 }} OPTIONAL {{ ?r <urn:x:c2> ?c2 }} }} ORDER BY {order}")]
        ours = list(rows)
        sort_rows(ours, at)
        assert [[r[i] for i in at] for r in ours] == [[r[i] for i in at] for r in found]


def test_a_row_of_another_shape_is_refused_with_a_message() -> None:
    with pytest.raises(QueryError, match="2 cells where its query declares 3 members"):
        row_terms("a\tb", 3)
    with pytest.raises(QueryError, match="rederive"):
        unpack('{"organization":"x"}', ["organization", "department"])
