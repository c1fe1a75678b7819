"""Helpers shared by the views of every resource."""

import webob


def no_content():
    """A 204 with no body and no Content-Type."""
    response = webob.Response(status=204)
    del response.content_type
    return response


def isotime(value):
    """ISO 8601 in UTC with microseconds, e.g. 2026-11-22T05:07:52.123456Z.

    Naive datetimes from the database are UTC.
    """
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None) - value.utcoffset()
    # isoformat is several times faster than strftime (lists format two
    # timestamps per item).
    return value.isoformat(timespec='microseconds') + 'Z'

