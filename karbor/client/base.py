"""Generic pieces every resource manager of the SDK is built from.

A resource module (plans, checkpoints, ...) declares a Resource dataclass
and a Manager subclass; listing, pagination, sorting and name lookup live
here once.
"""

import dataclasses
import urllib.parse
import uuid

from karbor.client import exceptions


@dataclasses.dataclass(kw_only=True)
class Resource:
    """A server object with typed attributes.

    Fields the server sends that this SDK version does not know are kept in
    ``_extra`` and returned by ``to_dict()``, so an older SDK shows a newer
    server's fields instead of silently dropping them.
    """

    _extra: dict = dataclasses.field(default_factory=dict, repr=False,
                                     compare=False)

    @classmethod
    def field_names(cls):
        return [f.name for f in dataclasses.fields(cls) if f.name != '_extra']

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise exceptions.InvalidResponse(
                'Expected an object for %s, got %r' % (cls.__name__, data))
        known = set(cls.field_names())
        return cls(**{k: v for k, v in data.items() if k in known},
                   _extra={k: v for k, v in data.items() if k not in known})

    def to_dict(self):
        data = {name: getattr(self, name) for name in self.field_names()}
        data.update(self._extra)
        return data


def percent_done(progress, statuses=(), done_statuses=()):
    """Percentage of a server ``progress`` dict (bytes, else items); else
    of ``statuses`` (one per resource or checkpoint) that are in
    ``done_statuses``; None before anything is known."""
    progress = progress or {}
    for done, total in (('bytes_done', 'bytes_total'),
                        ('items_done', 'items_total')):
        if progress.get(total):
            return 100 * progress.get(done, 0) // progress[total]
    statuses = list(statuses)
    if not statuses:
        return None
    finished = sum(1 for status in statuses if status in done_statuses)
    return 100 * finished // len(statuses)


def format_sort(sort):
    """Accept 'k:dir,k2', ['k:dir', 'k2'] or [('k', 'dir')]; return 'k:dir,..'.

    The server validates keys and directions; the SDK does not keep its own
    copy of the allowed keys, which would go stale when the server adds one.
    """
    if sort is None or isinstance(sort, str):
        return sort or None
    parts = []
    for item in sort:
        parts.append(':'.join(item) if isinstance(item, tuple) else item)
    return ','.join(parts)


def quote_segment(value):
    """Quote one path segment, keeping ':' (protectable types such as
    OS::Karbor::Directory travel literally in the path)."""
    return urllib.parse.quote(str(value), safe=':')


def looks_like_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class Manager:
    """Base of one manager per resource type.

    Subclasses set ``resource_class``, ``collection_path`` and the envelope
    keys (``resource_key`` for one object, ``collection_key`` for a list).
    """

    resource_class = Resource
    collection_path = ''
    resource_key = ''
    collection_key = ''
    # What _find's messages call one resource (default: resource_key).
    noun = None

    def __init__(self, http):
        self.http = http

    def _path(self, *parts):
        quoted = [quote_segment(p) for p in parts]
        return '/'.join([self.collection_path] + quoted)

    def _get(self, path, key=None, resource_class=None):
        body = self.http.get(path)
        return self._unwrap(body, key or self.resource_key, resource_class)

    def _create(self, path, body, task_tag=None):
        response = self.http.post(path, body=body, task_tag=task_tag)
        return self._unwrap(response, self.resource_key)

    def _update(self, path, body, task_tag=None, key=None):
        response = self.http.put(path, body=body, task_tag=task_tag)
        return self._unwrap(response, key or self.resource_key)

    def _delete(self, path, task_tag=None):
        self.http.delete(path, task_tag=task_tag)

    def _unwrap(self, body, key, resource_class=None):
        cls = resource_class or self.resource_class
        if not isinstance(body, dict) or key not in body:
            raise exceptions.InvalidResponse(
                'Expected a %r envelope, got %r' % (key, body))
        return cls.from_dict(body[key])

    def _list(self, path=None, *, params=None, limit=None, marker=None,
              sort=None, page_size=None, key=None, resource_class=None):
        """Lazily iterate a collection, following its next links.

        ``limit`` caps the total number of items returned; ``page_size`` is
        the per-request limit (default: ``limit``, else the server's).
        Nothing is fetched until the first item is asked for, and each
        further page only when iteration reaches it.
        """
        query = dict(params or {})
        query['marker'] = marker
        query['sort'] = format_sort(sort)
        query['limit'] = page_size or limit
        return _paginate(self.http, path or self.collection_path,
                         query, key or self.collection_key,
                         resource_class or self.resource_class, limit)

    def _find(self, name_or_id, name_filter='name'):
        """Resolve an id or a unique name to a resource.

        A UUID is fetched directly; anything else, or a UUID that is not
        found, is looked up by name with the server's filter.
        """
        not_found = None
        if looks_like_uuid(name_or_id):
            try:
                return self.get(name_or_id)
            except exceptions.NotFound as exc:
                not_found = exc
        matches = list(self._list(params={name_filter: name_or_id},
                                  limit=2))
        if len(matches) == 1:
            return matches[0]
        noun = self.noun or self.resource_key.replace('_', ' ')
        if not matches and not_found is not None:
            # The server's own message and request id say more than ours.
            raise not_found
        if not matches:
            raise exceptions.NotFound(
                'No %s with a name or id of %r exists.' % (noun, name_or_id),
                http_status=404)
        raise exceptions.Conflict(
            'More than one %s is named %r; use its id.' % (noun, name_or_id),
            http_status=409)

    def get(self, resource_id):
        raise NotImplementedError


def _paginate(http, path, query, key, resource_class, limit):
    remaining = limit
    params = query
    while True:
        body = http.get(path, params=params)
        items = (body or {}).get(key) or []
        for item in items:
            yield resource_class.from_dict(item)
            if remaining is not None:
                remaining -= 1
                if remaining <= 0:
                    return
        next_href = next_link((body or {}).get(key + '_links'))
        if not next_href or not items:
            return
        # Keep our own endpoint and take the query from the link: the server
        # builds the link's host from its own view (a proxy, a 0.0.0.0
        # bind), which is not always reachable from the client.
        params = urllib.parse.urlsplit(next_href).query


def next_link(links):
    for link in links or ():
        if isinstance(link, dict) and link.get('rel') == 'next':
            return link.get('href')
    return None
