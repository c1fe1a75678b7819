import pytest

from karbor.api import microversion


@pytest.mark.parametrize('header, expected', [
    ('data-protection 1.0', (1, 0)),
    ('Data-Protection 1.0', (1, 0)),
    ('data-protection latest', microversion.MAX_VERSION),
    ('compute 2.1, data-protection 1.0', (1, 0)),
    ('compute 2.1', None),
    ('data-protection 12.34', (12, 34)),
])
def test_parse_header(header, expected):
    assert microversion.parse_header(header) == expected


@pytest.mark.parametrize('header', ['data-protection 1', 'data-protection '
                                    '1.0.1', 'data-protection 01.0',
                                    'data-protection x.y'])
def test_malformed_versions(header):
    with pytest.raises(ValueError):
        microversion.parse_header(header)
