"""The `>>>` examples in the docstrings of the pure value functions run as tests."""

from __future__ import annotations

import doctest

import pytest

from govgraph import values
from govgraph.appointments import bodies


@pytest.mark.parametrize("module", [values, bodies], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, "no examples found"
    assert result.failed == 0
