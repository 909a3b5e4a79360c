"""The >>> examples of the form's text rules run as tests."""

from __future__ import annotations

import doctest

import pytest

from pia_kg.loaders.documents import (
    basic_level,
    change_blocks,
    cover,
    cover_cells,
    layout,
    skeleton,
    template,
    terms,
    triple_store,
)
from pia_kg.text import form_marks


@pytest.mark.parametrize(
    "module", [form_marks, skeleton, template, cover, cover_cells, layout, basic_level, change_blocks,
     terms, triple_store]
)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
