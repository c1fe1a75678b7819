import pytest

from karbor.api.controllers.v1 import protectables
from karbor.common import exceptions


@pytest.mark.parametrize('text, expected', [
    ("{'root': '/srv'}", {'root': '/srv'}),
    ("{'a': 'x', 'b': None}", {'a': 'x', 'b': None}),
    ('{"a": "x"}', {'a': 'x'}),
    ("{}", {}),
    ("{'k': 'it\"s'}", {'k': 'it"s'}),
])
def test_accepts_json_and_python_repr(text, expected):
    assert protectables.parse_parameters(text) == expected


@pytest.mark.parametrize('text', [
    "__import__('os').system('true')", "{'a': 1}", "{'a': ['x']}",
    "{'a': 'x'} or 1", '["a"]', "{'a' 'b'}", '{"a": {"b": "c"}}'])
def test_refuses_anything_else(text):
    with pytest.raises(exceptions.InvalidQueryParameter):
        protectables.parse_parameters(text)
