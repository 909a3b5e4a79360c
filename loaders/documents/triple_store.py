"""The rdflib store a document's graph is built in: one graph, three indexes, a count.

A document graph is written thousands of times (a triple per field, four per fact's
provenance) and read only by pattern. rdflib's default ``Memory`` store keeps every triple's
contexts and sends an event per added triple, which a graph of one document never needs;
``TripleStore`` keeps the same three nested indexes (``spo``, ``pos``, ``osp``), so a pattern
yields its triples in the same order as it would from ``Memory``, and counts its triples so
``len`` costs nothing.

The loaders read a graph being built by subject only; patterns by predicate or object come
after it is built (the quality report, the search index), and some never. So ``pos`` and
``osp`` are brought up to date when first read, by replaying the additions and removals
made since, in their order: the same dictionaries in the same order as if each change had
been made to them at once, without making some ten thousand of them per document that the
garbage collector then walks while the document is read.

>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph(store=TripleStore())
>>> s, p = URIRef("urn:s"), URIRef("urn:p")
>>> _ = g.add((s, p, Literal(1))).add((s, p, Literal(2))).add((s, p, Literal(1)))
>>> len(g), [int(o) for o in g.objects(s, p)]
(2, [1, 2])
>>> g.set((s, p, Literal(3)))  # doctest: +ELLIPSIS
<Graph ...>
>>> len(g), g.value(s, p)
(1, rdflib.term.Literal('3', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')))
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rdflib import Graph
from rdflib.namespace import NamespaceManager
from rdflib.plugins.serializers.nt import _quoteLiteral as _quote_literal
from rdflib.store import Store
from rdflib.term import Literal, Node

__all__ = ["TripleGraph", "TripleStore"]

Triple = tuple[Any, Any, Any]
_Index = dict[Node, dict[Node, dict[Node, int]]]


class TripleGraph(Graph):
    """A ``Graph`` over a ``TripleStore`` whose N-Triples text the store writes itself (rdflib's
    serializer asks every term for its N-Triples form on every triple); any other format, or
    a destination, is rdflib's.

    ``prefixes`` are bound when the namespace manager is first asked for (as binding them
    at once would bind them). rdflib's namespace manager refers back to its graph: made
    only when needed, a graph that is only added to, read and written as N-Triples holds
    no cycle, and is freed as soon as it is dropped rather than by the cyclic GC.
    """

    def __init__(self, prefixes: Mapping[str, str] | None = None) -> None:
        self.triple_store = TripleStore()
        super().__init__(store=self.triple_store)
        self.triple_store.hold(self)
        self._pending_prefixes = dict(prefixes or {})

    @property  # type: ignore[override]
    def namespace_manager(self) -> NamespaceManager:
        manager = Graph.namespace_manager.fget(self)  # type: ignore[attr-defined]
        if self._pending_prefixes:
            pending, self._pending_prefixes = self._pending_prefixes, {}
            for prefix, namespace in pending.items():
                manager.bind(prefix, namespace)  # Graph.bind's defaults
        return manager

    @namespace_manager.setter
    def namespace_manager(self, manager: NamespaceManager) -> None:
        _ = self.namespace_manager  # the prefixes go where they would have gone already
        Graph.namespace_manager.fset(self, manager)  # type: ignore[attr-defined]

    def serialize(  # type: ignore[override]
        self,
        destination: Any = None,
        format: str = "turtle",
        base: str | None = None,
        encoding: str | None = None,
        **args: Any,
    ) -> Any:
        plain = destination is None and base is None and encoding is None and not args
        if plain and format in {"nt", "ntriples"}:
            text = self.triple_store.ntriples()
            text.encode("utf-8")  # fails where Graph.serialize would (its text goes through UTF-8)
            return text
        return super().serialize(destination, format, base, encoding, **args)


class TripleStore(Store):
    """An in-memory store of one graph that knows its size.

    Patterns are answered from the index whose leading term is bound, with the keys copied
    before they are yielded (as ``Memory`` does), so the graph may change while a pattern is
    being read. Once it ``hold``s a graph, the store answers as rdflib's context-aware
    ``Memory`` would holding that graph alone (a wrapper such as pyshacl's ``Dataset`` over
    the store sees that graph and empty others); it cannot take triples into another graph.
    """

    context_aware = True
    graph_aware = True

    def __init__(self, configuration: str | None = None, identifier: Node | None = None):
        super().__init__(configuration)
        self.identifier = identifier
        self._graph_id: Node | None = None
        self._owner: Callable[[], Graph | None] = lambda: None
        self._spo: _Index = {}
        self._pos: _Index = {}
        self._osp: _Index = {}
        # Changes not yet made to pos and osp, in order, four entries each (s, p, o, and True
        # for added or False for removed: a flat list, no tuple per change), and how many
        # entries each of the two has had.
        self._log: list[Any] = []
        self._pos_at = 0
        self._osp_at = 0
        self._size = 0
        self._namespace: dict[str, Any] = {}
        self._prefix: dict[Any, str] = {}

    def hold(self, graph: Graph) -> None:
        """Hold the triples of ``graph`` (and of no other graph)."""
        self._graph_id = graph.identifier
        self._owner = weakref.ref(graph)  # no cycle: the graph refers to its store

    def _other(self, context: Any) -> bool:
        """Whether ``context`` names a graph other than the one held."""
        if context is None or context is self._owner() or self._graph_id is None:
            return False
        return getattr(context, "identifier", context) != self._graph_id

    def add(self, triple: Triple, context: Any, quoted: bool = False) -> None:
        if context is not None and self._other(context):
            raise ValueError(f"this store holds the graph {self._graph_id} alone")
        # A literal hashes in Python (rdflib's Literal.__hash__): each index is asked about
        # the object once, by setdefault or by one assignment.
        s, p, o = triple
        by_p = self._spo.get(s)
        if by_p is None:
            by_p = self._spo[s] = {}
        objects = by_p.get(p)
        if objects is None:
            objects = by_p[p] = {}
        known = len(objects)
        objects[o] = 1  # a triple already held keeps its place
        if len(objects) == known:
            return
        self._log += (s, p, o, True)
        self._size += 1

    def remove(self, triple_pattern: Triple, context: Any = None) -> None:
        if self._other(context):
            return
        s, p, o = triple_pattern
        if s is not None and p is not None and o is None:  # what Graph.set removes
            self._drop_objects(s, p)
            return
        for triple, _ in list(self.triples(triple_pattern)):
            self._drop(triple)

    def put(self, triple: Triple) -> None:
        """``Graph.set`` without its checks: (s, p, o) becomes the only triple of s and p."""
        by_p = self._spo.get(triple[0])
        if by_p is not None and by_p.get(triple[1]):  # most puts are the first of s and p
            self._drop_objects(triple[0], triple[1])
        self.add(triple, None)

    def _drop_objects(self, s: Node, p: Node) -> None:
        by_p = self._spo.get(s)
        objects = by_p.get(p) if by_p is not None else None
        if objects:
            for o in list(objects):
                self._drop((s, p, o))

    def _drop(self, triple: Triple) -> None:
        s, p, o = triple
        del self._spo[s][p][o]
        self._log += (s, p, o, False)
        self._size -= 1

    def _by_predicate(self) -> _Index:
        """``pos``, with every change made so far."""
        if self._pos_at < len(self._log):
            _replay(self._pos, _changes(self._log, self._pos_at), (1, 2, 0))
            self._pos_at = len(self._log)
            self._trim()
        return self._pos

    def _by_object(self) -> _Index:
        """``osp``, with every change made so far."""
        if self._osp_at < len(self._log):
            _replay(self._osp, _changes(self._log, self._osp_at), (2, 0, 1))
            self._osp_at = len(self._log)
            self._trim()
        return self._osp

    def _trim(self) -> None:
        """Forget the changes both indexes have had."""
        done = min(self._pos_at, self._osp_at)
        if done:
            del self._log[:done]
            self._pos_at -= done
            self._osp_at -= done

    def triples(self, triple_pattern: Triple, context: Any = None) -> Iterator[tuple[Triple, Any]]:
        if self._other(context):
            return
        s, p, o = triple_pattern
        if s is not None:
            found = self._from_subject(s, p, o)
        elif p is not None:
            found = self._from_predicate(p, o)
        elif o is not None:
            found = ((s2, p2, o) for s2, p2 in _pairs(self._by_object().get(o)))
        else:
            found = (
                (s2, p2, o2) for s2, by_p in list(self._spo.items()) for p2, o2 in _pairs(by_p)
            )
        owner = self._owner()
        held_in = (owner,) if owner is not None else ()  # every triple is in the graph held
        for triple in found:
            yield triple, iter(held_in)

    def _from_subject(self, s: Node, p: Node | None, o: Node | None) -> Iterator[Triple]:
        by_p = self._spo.get(s)
        if by_p is None:
            return
        for p2 in (p,) if p is not None else list(by_p):
            objects = by_p.get(p2)
            if objects is None:
                continue
            if o is not None:
                if o in objects:
                    yield s, p2, o
                continue
            for o2 in list(objects):
                yield s, p2, o2

    def _from_predicate(self, p: Node, o: Node | None) -> Iterator[Triple]:
        by_o = self._by_predicate().get(p)
        if by_o is None:
            return
        if o is not None:
            for s2 in list(by_o.get(o, ())):
                yield s2, p, o
            return
        for o2, s2 in _pairs(by_o):
            yield s2, p, o2

    def __len__(self, context: Any = None) -> int:
        return 0 if self._other(context) else self._size

    def ntriples(self) -> str:
        """Every triple as an N-Triples line, written as rdflib's ``nt`` serializer writes
        it (literals quoted by it), each subject and predicate written once per run of its
        triples and each term object once."""
        lines: list[str] = []
        append = lines.append
        texts: dict[int, str] = {}  # by identity: the graph holds each term object alive
        is_literal: dict[type, bool] = {}  # by class: Literal is an abstract class, slow to test
        for s, by_p in self._spo.items():
            subject = s.n3()
            for p, objects in by_p.items():
                head = f"{subject} {_text(texts, is_literal, p)} "
                for o in objects:
                    text = texts.get(id(o))
                    if text is None:
                        text = _text(texts, is_literal, o)
                    append(f"{head}{text} .\n")
        return "".join(lines)

    def contexts(self, triple: Triple | None = None) -> Iterator[Any]:
        """The graph held, when it is alive and holds ``triple`` (any triple, when None)."""
        owner = self._owner()
        if owner is not None and (triple is None or any(True for _ in self.triples(triple))):
            yield owner

    def add_graph(self, graph: Graph) -> None:
        """A graph other than the one held stays empty here; nothing to record."""

    def remove_graph(self, graph: Graph) -> None:
        if not self._other(graph):
            self.remove((None, None, None))

    def bind(self, prefix: str, namespace: Any, override: bool = True) -> None:
        """As rdflib's ``SimpleMemory.bind``."""
        bound_namespace = self._namespace.get(prefix)
        bound_prefix = self._prefix.get(namespace)
        if bound_prefix is None and bound_namespace is not None:
            bound_prefix = self._prefix.get(bound_namespace)
        if override:
            if bound_prefix is not None:
                del self._namespace[bound_prefix]
            if bound_namespace is not None:
                del self._prefix[bound_namespace]
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace
        else:
            key = bound_namespace if bound_namespace is not None else namespace
            self._prefix[key] = bound_prefix if bound_prefix is not None else prefix
            name = bound_prefix if bound_prefix is not None else prefix
            self._namespace[name] = bound_namespace if bound_namespace is not None else namespace

    def namespace(self, prefix: str) -> Any:
        return self._namespace.get(prefix)

    def prefix(self, namespace: Any) -> str | None:
        return self._prefix.get(namespace)

    def namespaces(self) -> Iterator[tuple[str, Any]]:
        yield from list(self._namespace.items())


def _text(texts: dict[int, str], is_literal: dict[type, bool], node: Node) -> str:
    """A term as N-Triples (a literal as rdflib quotes it), made once per term object."""
    text = texts.get(id(node))
    if text is None:
        kind = type(node)
        literal = is_literal.get(kind)
        if literal is None:
            literal = is_literal[kind] = issubclass(kind, Literal)
        text = texts[id(node)] = _quote_literal(node) if literal else node.n3()
    return text


def _put(index: _Index, first: Node, second: Node, third: Node) -> None:
    """Add a key path to a three-level index, as ``setdefault`` would, making only the
    dictionaries that are missing."""
    by_second = index.get(first)
    if by_second is None:
        by_second = index[first] = {}
    thirds = by_second.get(second)
    if thirds is None:
        thirds = by_second[second] = {}
    thirds[third] = 1


def _changes(log: list[Any], start: int) -> Iterator[tuple[Any, Any, Any, bool]]:
    """The changes logged from entry ``start`` on, as (s, p, o, added)."""
    entries = iter(log[start:])
    return zip(entries, entries, entries, entries, strict=True)


def _replay(index: _Index, changes: Iterator[tuple[Any, Any, Any, bool]], order: tuple[int, int, int]) -> None:
    """Apply logged changes to an index whose keys are the triple's terms in ``order``
    (positions in (s, p, o): ``pos`` is (1, 2, 0))."""
    a, b, c = order
    for change in changes:
        if change[3]:
            _put(index, change[a], change[b], change[c])
        else:
            del index[change[a]][change[b]][change[c]]


def _pairs(index: dict[Node, dict[Node, int]] | None) -> Iterator[tuple[Node, Node]]:
    """(outer key, inner key) of a two-level index, each level's keys copied when reached."""
    if not index:
        return
    for outer in list(index):
        for inner in list(index[outer]):
            yield outer, inner
