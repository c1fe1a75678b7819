"""Portable column types."""

import json

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import mysql


def utc_datetime():
    """A DATETIME with microseconds on every back end.

    MySQL's plain DATETIME drops fractions of a second, which would make
    ``created_at`` ordering ambiguous and timestamps coarser than the API
    promises.
    """
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql',
                                      'mariadb')


class JsonEncoded(sa.types.TypeDecorator):
    """A JSON document stored as text, so that every back end agrees."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name in ('mysql', 'mariadb'):
            return dialect.type_descriptor(mysql.MEDIUMTEXT())
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return json.dumps(value, separators=(',', ':'), sort_keys=True)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            # Several times faster than json.loads on pages of rows.
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            # What json.dumps also writes and orjson refuses (NaN).
            return json.loads(value)
