"""The one list helper every collection uses.

It reads ``limit`` (capped), ``marker``, ``sort=key:dir,...`` or the legacy
``sort_key``/``sort_dir``, ``all_tenants``, ``project_id`` and the
collection's own filters; any other query parameter is a 400. It also
builds the ``<collection>_links`` next link.
"""

import dataclasses
import urllib.parse

from oslo_config import cfg

from karbor import policy
from karbor.common import exceptions

CONF = cfg.CONF

COMMON_PARAMS = frozenset(('limit', 'marker', 'sort', 'sort_key', 'sort_dir',
                           'all_tenants', 'project_id'))
SORT_DIRS = ('asc', 'desc')
_TRUE = ('1', 'true', 'yes', 'on')
_FALSE = ('0', 'false', 'no', 'off', '')


@dataclasses.dataclass
class ListParams:
    limit: int
    requested_limit: int | None
    marker: str | None
    sort: list
    filters: dict
    all_tenants: bool
    project_id: str | None


def _invalid(reason):
    return exceptions.InvalidQueryParameter(reason=reason)


def parse_bool(name, value):
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _invalid('%s must be a boolean (1/0, true/false), not %r'
                   % (name, value))


def _parse_limit(value):
    try:
        limit = int(value)
    except ValueError:
        raise _invalid('limit must be a positive integer, not %r'
                       % value) from None
    if limit < 1:
        raise _invalid('limit must be a positive integer, not %r' % value)
    return limit


def _parse_sort(query, sort_keys, default_sort):
    sort_param = query.get('sort')
    legacy_key = query.get('sort_key')
    legacy_dir = query.get('sort_dir')
    if sort_param is not None and (legacy_key or legacy_dir):
        raise _invalid('use either sort or sort_key/sort_dir, not both')
    items = []
    if sort_param is not None:
        for item in sort_param.split(','):
            key, _, direction = item.strip().partition(':')
            items.append((key.strip(), direction.strip() or 'desc'))
    elif legacy_key is not None or legacy_dir is not None:
        direction = (legacy_dir or 'desc').strip()
        keys = (legacy_key or default_sort[0][0]).split(',')
        items = [(key.strip(), direction) for key in keys]
    else:
        return list(default_sort)
    seen = set()
    for key, direction in items:
        if key not in sort_keys:
            raise _invalid('cannot sort by %r; sort keys are %s'
                           % (key, ', '.join(sort_keys)))
        if direction not in SORT_DIRS:
            raise _invalid('sort direction %r is not asc or desc'
                           % direction)
        if key in seen:
            raise _invalid('sort key %r is given twice' % key)
        seen.add(key)
    return items


def parse(request, filters=(), sort_keys=('id', 'created_at'),
          default_sort=(('created_at', 'desc'),), repeatable=()):
    """Validate the query string of a list request.

    Filters named in ``repeatable`` may be given several times (ranges);
    their value in ``filters`` is then the list of values.
    """
    query = request.GET
    allowed = COMMON_PARAMS | set(filters)
    for name in query.keys():
        if name not in allowed:
            raise _invalid('unknown query parameter %r; this list accepts '
                           '%s' % (name, ', '.join(sorted(allowed))))
        if len(query.getall(name)) > 1 and name not in repeatable:
            raise _invalid('query parameter %r is given more than once'
                           % name)
    requested_limit = None
    if 'limit' in query:
        requested_limit = _parse_limit(query['limit'])
    limit = min(requested_limit or CONF.api.default_limit,
                CONF.api.max_limit)
    marker = query.get('marker') or None
    all_tenants = parse_bool('all_tenants', query.get('all_tenants', '0'))
    return ListParams(
        limit=limit, requested_limit=requested_limit, marker=marker,
        sort=_parse_sort(query, sort_keys, default_sort),
        filters={name: (query.getall(name) if name in repeatable
                        else query[name])
                 for name in filters if name in query},
        all_tenants=all_tenants,
        project_id=query.get('project_id') or None)


def project_scope(context, params, all_tenants_rule):
    """The project whose items the caller lists; None means all projects.

    Listing other projects (all_tenants, or another project_id) needs
    ``all_tenants_rule``.
    """
    if params.all_tenants:
        policy.authorize(context, all_tenants_rule)
        return params.project_id
    if params.project_id and params.project_id != context.project_id:
        policy.authorize(context, all_tenants_rule)
        return params.project_id
    return context.project_id


def base_url(request):
    return (CONF.api.public_endpoint or request.host_url).rstrip('/')


def created_location(request, resource_id):
    """The URL of a resource a POST on this collection created."""
    return '%s%s/%s' % (base_url(request), request.path.rstrip('/'),
                        resource_id)


def next_link(request, params, last_id, collection):
    """``{"<collection>_links": [...]}`` for the page after ``last_id``."""
    query = [(k, v) for k, v in request.GET.items()
             if k not in ('marker', 'limit')]
    query.append(('limit', str(params.limit)))
    query.append(('marker', last_id))
    href = '%s%s?%s' % (base_url(request), request.path,
                        urllib.parse.urlencode(query))
    return {'%s_links' % collection: [{'rel': 'next', 'href': href}]}


def page_in_memory(items, params, key='id'):
    """Paginate a small list that is not in the database (providers...).

    ``items`` must already be in their final order; returns
    ``(page, has_more)``.
    """
    start = 0
    if params.marker is not None:
        ids = [item[key] for item in items]
        try:
            start = ids.index(params.marker) + 1
        except ValueError:
            raise exceptions.InvalidMarker(marker=params.marker) from None
    chunk = items[start:start + params.limit + 1]
    return chunk[:params.limit], len(chunk) > params.limit


def sort_in_memory(items, sort):
    """Sort dicts by ``sort`` keys (stable, last key first)."""
    items = list(items)
    for key, direction in reversed(sort):
        items.sort(key=lambda item: (item.get(key) is None,
                                     item.get(key) or ''),
                   reverse=direction == 'desc')
    return items
