"""Object fingerprints: a field change without a version bump fails here.

When this fails, bump the object's VERSION (and describe the change in its
version history comment), then update the hash below.
"""

from oslo_versionedobjects import fixture

import karbor.objects  # noqa: F401  (registers every object)
from karbor.objects import base

EXPECTED = {
    'Plan': '1.0-139e30b8f9aab3a536c201e464030f25',
    'Service': '1.0-4e8975367ae2b5a214966680b1930c96',
}


def test_versions_match_fingerprints():
    checker = fixture.ObjectVersionChecker(
        base.KarborObjectRegistry.obj_classes())
    expected, actual = checker.test_hashes(EXPECTED)
    assert expected == actual, (
        'Objects changed; bump their VERSION and update EXPECTED: %s'
        % {name: actual[name] for name in actual
           if expected.get(name) != actual[name]})
