"""Lists are lazy generators that follow <collection>_links next hrefs."""

from karbor.client import base


def plan(n):
    return {'id': 'p%d' % n, 'name': 'plan-%d' % n}


def next_links(server, query):
    # The host in the href is deliberately not the server's: the SDK keeps
    # its own endpoint and only takes the query from the link.
    return [{'rel': 'next',
             'href': 'http://unreachable.invalid/v1/demo/plans?' + query}]


def test_nothing_is_fetched_until_iteration(fake_server, sdk):
    fake_server.add('GET', 'plans', body={'plans': [plan(1)]})
    plans = sdk.plans.list()
    assert fake_server.requests == []
    assert [p.id for p in plans] == ['p1']
    assert len(fake_server.requests) == 1


def test_next_page_is_fetched_only_when_reached(fake_server, sdk):
    fake_server.add('GET', 'plans', body={
        'plans': [plan(1), plan(2)],
        'plans_links': next_links(fake_server, 'limit=2&marker=p2')})
    fake_server.add('GET', 'plans', body={
        'plans': [plan(3)],
        'plans_links': [{'rel': 'self', 'href': 'ignored'}]})
    plans = sdk.plans.list(page_size=2, status='started')
    assert next(plans).id == 'p1'
    assert next(plans).id == 'p2'
    assert len(fake_server.requests) == 1
    assert next(plans).id == 'p3'
    assert len(fake_server.requests) == 2
    assert list(plans) == []
    first, second = fake_server.requests
    assert first.query == {'limit': ['2'], 'status': ['started']}
    assert second.query == {'limit': ['2'], 'marker': ['p2']}


def test_limit_caps_the_total_and_stops_following_links(fake_server, sdk):
    fake_server.add('GET', 'plans', body={
        'plans': [plan(1), plan(2)],
        'plans_links': next_links(fake_server, 'limit=2&marker=p2')})
    assert [p.id for p in sdk.plans.list(limit=2)] == ['p1', 'p2']
    assert len(fake_server.requests) == 1


def test_limit_larger_than_a_server_page_follows_links(fake_server, sdk):
    # The server caps its pages; a limit above the cap still gets `limit`.
    fake_server.add('GET', 'plans', body={
        'plans': [plan(1), plan(2)],
        'plans_links': next_links(fake_server, 'limit=2&marker=p2')})
    fake_server.add('GET', 'plans', body={
        'plans': [plan(3), plan(4)],
        'plans_links': next_links(fake_server, 'limit=2&marker=p4')})
    assert [p.id for p in sdk.plans.list(limit=3)] == ['p1', 'p2', 'p3']
    assert len(fake_server.requests) == 2


def test_an_empty_page_with_a_next_link_ends_the_list(fake_server, sdk):
    fake_server.add('GET', 'plans', body={
        'plans': [], 'plans_links': next_links(fake_server, 'marker=x')})
    assert list(sdk.plans.list()) == []
    assert len(fake_server.requests) == 1


def test_filters_sort_marker_and_all_tenants_in_query(fake_server, sdk):
    fake_server.add('GET', 'plans', body={'plans': []})
    list(sdk.plans.list(name='a b', sort=[('name', 'asc'), 'id'],
                        marker='m', all_tenants=True, description=None))
    assert fake_server.requests[0].query == {
        'name': ['a b'], 'sort': ['name:asc,id'], 'marker': ['m'],
        'all_tenants': ['1']}


def test_instances_follow_their_own_links(fake_server, sdk):
    path = 'protectables/OS::Karbor::Directory/instances'
    fake_server.add('GET', path, body={
        'instances': [{'id': 'i1', 'type': 'OS::Karbor::Directory'}],
        'instances_links': [{'rel': 'next',
                             'href': 'http://x/v1/demo/%s?marker=i1' % path}]})
    fake_server.add('GET', path, body={'instances': [
        {'id': 'i2', 'type': 'OS::Karbor::Directory'}]})
    instances = sdk.protectables.list_instances(
        'OS::Karbor::Directory', parameters={'k': 'v'})
    assert [i.id for i in instances] == ['i1', 'i2']
    assert fake_server.requests[0].query == {'parameters': ['{"k": "v"}']}
    assert fake_server.requests[1].query == {'marker': ['i1']}


def test_format_sort():
    assert base.format_sort(None) is None
    assert base.format_sort('name:desc') == 'name:desc'
    assert base.format_sort(['a:asc', ('b', 'desc')]) == 'a:asc,b:desc'
