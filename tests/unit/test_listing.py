import pytest
import webob

from karbor.api import listing
from karbor.common import exceptions


def parse(query, **kwargs):
    return listing.parse(webob.Request.blank('/x?' + query), **kwargs)


def test_defaults():
    params = parse('')
    assert params.sort == [('created_at', 'desc')]
    assert params.marker is None and not params.all_tenants
    assert params.requested_limit is None


def test_sort_forms():
    keys = ('id', 'name', 'created_at')
    assert parse('sort=name:asc,id', sort_keys=keys).sort == \
        [('name', 'asc'), ('id', 'desc')]
    assert parse('sort_key=name&sort_dir=asc', sort_keys=keys).sort == \
        [('name', 'asc')]
    assert parse('sort_dir=asc', sort_keys=keys).sort == \
        [('created_at', 'asc')]


@pytest.mark.parametrize('query', ['sort=name:asc,name:desc', 'limit=-1',
                                   'all_tenants=2', 'bogus=1'])
def test_invalid(query):
    with pytest.raises(exceptions.InvalidQueryParameter):
        parse(query, sort_keys=('name', 'created_at'))


def test_filters_and_booleans():
    params = parse('name=a+b&all_tenants=True&project_id=p',
                   filters=('name',))
    assert params.filters == {'name': 'a b'}
    assert params.all_tenants and params.project_id == 'p'


def test_page_in_memory_and_marker():
    items = [{'id': str(i)} for i in range(5)]
    params = parse('limit=2')
    page, more = listing.page_in_memory(items, params)
    assert [i['id'] for i in page] == ['0', '1'] and more
    params = parse('limit=2&marker=3')
    page, more = listing.page_in_memory(items, params)
    assert [i['id'] for i in page] == ['4'] and not more
    with pytest.raises(exceptions.InvalidMarker):
        listing.page_in_memory(items, parse('marker=9'))


def test_sort_in_memory_is_stable_by_later_keys():
    items = [{'id': 'b', 'name': 'x'}, {'id': 'a', 'name': 'x'},
             {'id': 'c', 'name': 'w'}]
    ordered = listing.sort_in_memory(items, [('name', 'asc'), ('id', 'asc')])
    assert [i['id'] for i in ordered] == ['c', 'a', 'b']
