"""Exceptions keep their class, code and message across RPC."""

from oslo_messaging._drivers import common as rpc_common

from karbor import rpc
from karbor.common import exceptions


def round_trip(error):
    serialized = rpc_common.serialize_remote_exception((type(error), error,
                                                        None))
    return rpc_common.deserialize_remote_exception(serialized,
                                                   rpc.ALLOWED_EXMODS)


def test_karbor_exceptions_cross_rpc_as_themselves():
    error = round_trip(exceptions.ProtectableInstanceNotFound(
        resource_id='r1', resource_type='T'))
    assert isinstance(error, exceptions.ProtectableInstanceNotFound)
    assert error.code == 404
    assert 'r1' in str(error)


def test_plugin_errors_keep_the_user_message_only():
    original = exceptions.PluginError('disk full', 'ENOSPC on /dev/sdb')
    error = round_trip(original)
    assert isinstance(error, exceptions.PluginError)
    assert 'disk full' in str(error)
    assert 'sdb' not in str(error)


def test_other_exceptions_become_remote_errors():
    error = round_trip(ValueError('x'))
    assert not isinstance(error, exceptions.KarborException)
    assert 'ValueError' in str(error)
