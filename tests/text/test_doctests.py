"""Every module of pia_kg.text carries runnable examples, and they all hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pia_kg.text

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(pia_kg.text.__path__, "pia_kg.text.") if not m.ispkg
)


def test_the_text_package_has_modules() -> None:
    assert "pia_kg.text.citation" in MODULES and "pia_kg.text.wareki" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_doctests_of(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no doctest examples"
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


@pytest.mark.parametrize("name", MODULES)
def test_every_public_function_has_an_example(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    with_examples = {t.name.rsplit(".", 1)[-1] for t in finder.find(module) if t.examples}
    public = [
        n
        for n in getattr(module, "__all__", ())
        if callable(getattr(module, n)) and not isinstance(getattr(module, n), type)
    ]
    missing = [n for n in public if n not in with_examples]
    assert not missing, f"{name}: no >>> example in {missing}"
