"""The rules of checkpoint extra-info keys and values.

* ``karbor-<key>`` keys are Karbor's own; only those in OFFICIAL_KEYS
  exist. Karbor sets them itself (the operation engine sets
  ``karbor-created-by`` and ``karbor-scheduled-operation-id``); through the
  API only administrators may set them (tools acting for the service).
* ``x-<application>--<key>`` keys belong to third-party applications
  (``x-ci--build-url``).
* Any other key is the user's own (no prefix, e.g. ``reason``).
* Keys: letters, digits, ``.``, ``_``, ``-``; they start with a letter or a
  digit. Values: strings. Sizes are bounded by [checkpoint_extra_info].
"""

import json
import re

from oslo_config import cfg

from karbor import policy
from karbor.common import exceptions
from karbor.policies import checkpoints as checkpoint_policy

CONF = cfg.CONF

OFFICIAL_PREFIX = 'karbor-'
OFFICIAL_KEYS = {
    'karbor-created-by': 'What created the checkpoint: "operation-engine" '
                         'for scheduled protections.',
    'karbor-scheduled-operation-id': 'The scheduled operation that created '
                                     'the checkpoint; its operation logs '
                                     'carry it as scheduled_operation_id.',
    'karbor-trigger-id': 'The trigger that fired that scheduled operation.',
    'karbor-copied-from': 'For a copy, the checkpoint it was copied from.',
}

_KEY = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]*$')
_THIRD_PARTY = re.compile(
    r'^[xX]-[A-Za-z0-9][A-Za-z0-9.-]*--[A-Za-z0-9._-]+$')
_TYPE_NAMES = {bool: 'boolean', int: 'number', float: 'number',
               list: 'list', dict: 'object'}


def _invalid(reason):
    return exceptions.InvalidExtraInfo(reason=reason)


def check_key(key):
    if not _KEY.match(key):
        raise _invalid('key %r: keys are letters, digits, ".", "_" and "-", '
                       'starting with a letter or a digit' % key)
    lowered = key.lower()
    if lowered.startswith(OFFICIAL_PREFIX) and key not in OFFICIAL_KEYS:
        raise _invalid('key %r: "karbor-" keys are reserved for Karbor; the '
                       'defined ones are %s' % (key, ', '.join(
                           sorted(OFFICIAL_KEYS))))
    if lowered.startswith('x-') and not _THIRD_PARTY.match(key):
        raise _invalid('key %r: "x-" keys are for third-party applications '
                       'and look like x-<application>--<key-name>' % key)


def validate(context, extra_info):
    """Check a user's extra-info; returns it (an empty dict for null)."""
    if extra_info is None:
        return {}
    if not isinstance(extra_info, dict):
        raise _invalid('extra-info must be an object of strings')
    bounds = CONF.checkpoint_extra_info
    if len(extra_info) > bounds.max_entries:
        raise _invalid('%d keys is more than max_entries (%d)'
                       % (len(extra_info), bounds.max_entries))
    for key, value in extra_info.items():
        if len(key) > bounds.max_key_length:
            raise _invalid('key %r is longer than max_key_length (%d)'
                           % (key[:40] + '...', bounds.max_key_length))
        check_key(key)
        if value is None:
            raise _invalid('key %r has no value: give key=value' % key)
        if not isinstance(value, str):
            raise _invalid('the value of key %r is a %s; values are strings'
                           % (key, _TYPE_NAMES.get(type(value),
                                                   type(value).__name__)))
        if len(value) > bounds.max_value_length:
            raise _invalid('the value of key %r is longer than '
                           'max_value_length (%d)'
                           % (key, bounds.max_value_length))
    size = len(json.dumps(extra_info, ensure_ascii=False).encode('utf-8'))
    if size > bounds.max_total_bytes:
        raise _invalid('%d bytes is more than max_total_bytes (%d)'
                       % (size, bounds.max_total_bytes))
    if any(key in OFFICIAL_KEYS for key in extra_info):
        policy.authorize(context, checkpoint_policy.SET_OFFICIAL_EXTRA_INFO)
    return dict(extra_info)


def parse_filters(values):
    """``extra_info=key:value`` query parameters into (key, value) pairs."""
    pairs = []
    for value in values:
        key, sep, wanted = value.partition(':')
        if not sep or not key:
            raise exceptions.InvalidQueryParameter(
                reason='extra_info filters look like extra_info=key:value, '
                       'not %r' % value)
        try:
            check_key(key)
        except exceptions.InvalidExtraInfo as err:
            raise exceptions.InvalidQueryParameter(
                reason='extra_info filter: %s' % err.kwargs['reason']
            ) from None
        pairs.append((key, wanted))
    return pairs
