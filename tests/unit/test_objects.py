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


def test_rows_load_into_objects_as_the_library_stores_them():
    import datetime
    import types

    from karbor.objects import plan

    row = types.SimpleNamespace(
        id='5b0c4e8e-5d5d-4f57-9a32-6f2d1a4c2b10', project_id='p',
        user_id='u', name='n', description=None,
        provider_id='b766f37c-d011-4026-8228-28730d734a3f',
        status='suspended', resources=[], parameters={},
        created_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 6),
        updated_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 7))
    loaded = plan.Plan._from_db_object(None, plan.Plan(), row)
    assert loaded.obj_attr_is_set('name') and loaded.name == 'n'
    assert loaded.description is None
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.replace(tzinfo=None) == row.created_at
    assert loaded.obj_what_changed() == set()
    # The library's own setter writes where the fast path writes.
    loaded.name = 'm'
    assert getattr(loaded, base.storage_name('name')) == 'm'
