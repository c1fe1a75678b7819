"""Keyset pagination shared by every list in the DB API.

A page is ``limit`` rows after ``marker`` in the order of ``sort`` (a list of
``(key, direction)``), with ``id`` always appended as the tie-break so the
order is total and stable. The caller asks for ``limit + 1`` rows to learn
whether a next page exists without counting.
"""

import sqlalchemy as sa

from karbor.common import exceptions


def ordered(query, model, sort):
    """Return ``query`` ordered by ``sort`` and the full sort list used."""
    sort = list(sort)
    if 'id' not in [key for key, _ in sort]:
        sort.append(('id', sort[-1][1] if sort else 'asc'))
    for key, direction in sort:
        column = getattr(model, key)
        query = query.order_by(column.desc() if direction == 'desc'
                               else column.asc())
    return query, sort


def after_marker(query, model, sort, marker_row):
    """Restrict ``query`` to rows strictly after ``marker_row`` in ``sort``.

    For keys k1..kn this is (k1 > m1) OR (k1 = m1 AND k2 > m2) OR ...
    with ``<`` for descending keys.
    """
    clauses = []
    for i, (key, direction) in enumerate(sort):
        equal_prefix = [getattr(model, k) == getattr(marker_row, k)
                        for k, _ in sort[:i]]
        column = getattr(model, key)
        value = getattr(marker_row, key)
        beyond = column < value if direction == 'desc' else column > value
        clauses.append(sa.and_(*equal_prefix, beyond))
    # The first key's bound, redundant with the OR, is what lets an index
    # scan start at the marker instead of reading every row before it.
    first_key, first_direction = sort[0]
    first_column = getattr(model, first_key)
    first_value = getattr(marker_row, first_key)
    bound = (first_column <= first_value if first_direction == 'desc'
             else first_column >= first_value)
    return query.where(bound, sa.or_(*clauses))


def page(session, query, model, sort, limit, marker=None,
         marker_query=None):
    """Run one page of ``query``; returns ``(rows, has_more)``.

    ``marker_query`` must select the marker row among the rows the caller
    may see (so a marker from another project is "not found", not a leak).
    """
    query, sort = ordered(query, model, sort)
    if marker is not None:
        marker_row = session.execute(
            (marker_query if marker_query is not None
             else sa.select(model)).where(model.id == marker)
        ).scalars().first()
        if marker_row is None:
            raise exceptions.InvalidMarker(marker=marker)
        query = after_marker(query, model, sort, marker_row)
    rows = session.execute(query.limit(limit + 1)).scalars().all()
    return rows[:limit], len(rows) > limit
