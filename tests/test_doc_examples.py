"""The runnable examples in the docstrings of the presentation modules (pages, exports, search)
and of the query runner and the load pipeline."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "pia_kg.display",
    "pia_kg.exports",
    "pia_kg.results",
    "pia_kg.search",
    "pia_kg.headlines",
    "pia_kg.impact.render",
    "pia_kg.api.routes_source",
    "pia_kg.api.routes_search",
    "pia_kg.named_queries",
    "pia_kg.pipeline",
    "pia_kg.packed_rows",
    "pia_kg.derive.answer_rows",
    "pia_kg.impact.renumbering",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
