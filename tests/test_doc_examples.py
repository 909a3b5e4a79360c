"""The runnable examples in the docstrings of every module of the product (pia_kg and the
folders it installs as its subpackages): each rule's examples are its first test, and one
that no longer holds fails here."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: folder → the package it is imported as (pyproject.toml, [tool.setuptools.package-dir])
PACKAGES = {"pia_kg": "pia_kg", "loaders": "pia_kg.loaders", "ontology": "pia_kg.ontology",
            "queries": "pia_kg.queries", "api": "pia_kg.api"}


def _modules() -> list[str]:
    found = []
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] != "__main__":
                found.append(".".join([package, *(parts[:-1] if parts[-1] == "__init__" else parts)]))
    return found


MODULES = _modules()


def test_the_modules_are_found() -> None:
    # the query runner, the pipeline and the citation rule at least, whatever the layout
    assert {"pia_kg.named_queries", "pia_kg.pipeline", "pia_kg.text.citation",
            "pia_kg.api.routes_source", "pia_kg.loaders.documents.layout"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
