"""oslo.messaging plumbing shared by RPC clients and servers."""

import threading

from oslo_config import cfg
import oslo_messaging as messaging

from karbor.objects import base as objects_base

CONF = cfg.CONF

# Exceptions from these modules cross RPC as themselves (with their HTTP
# code and error_code), not as a generic RemoteError.
ALLOWED_EXMODS = ['karbor.common.exceptions']

_LOCK = threading.Lock()
_TRANSPORT = None


def set_defaults(control_exchange='karbor', transport_url=None):
    """Register oslo.messaging's options with Karbor's defaults.

    ``transport_url`` is the default transport (karbor-all uses the
    in-process ``fake://``; the daemons default to RabbitMQ).
    """
    messaging.set_transport_defaults(control_exchange)
    # Parsing the (default) URL registers oslo.messaging's transport options,
    # so their defaults can be changed before the configuration is read.
    messaging.TransportURL.parse(CONF)
    if transport_url:
        CONF.set_default('transport_url', transport_url)


def get_transport():
    global _TRANSPORT
    if _TRANSPORT is None:
        with _LOCK:
            if _TRANSPORT is None:
                _TRANSPORT = messaging.get_rpc_transport(
                    CONF, allowed_remote_exmods=ALLOWED_EXMODS)
    return _TRANSPORT


def cleanup():
    global _TRANSPORT
    with _LOCK:
        if _TRANSPORT is not None:
            _TRANSPORT.cleanup()
        _TRANSPORT = None


def serializer():
    return RequestContextSerializer(objects_base.KarborObjectSerializer())


class RequestContextSerializer(messaging.Serializer):
    """Carries the request context (and objects) across RPC."""

    def __init__(self, base):
        self._base = base

    def serialize_entity(self, context, entity):
        return self._base.serialize_entity(context, entity)

    def deserialize_entity(self, context, entity):
        return self._base.deserialize_entity(context, entity)

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        from karbor import context as karbor_context
        return karbor_context.RequestContext.from_dict(context)


def get_client(target, version_cap=None, timeout=None):
    return messaging.get_rpc_client(get_transport(), target,
                                    version_cap=version_cap,
                                    serializer=serializer(),
                                    timeout=timeout)


def get_server(target, endpoints):
    return messaging.get_rpc_server(get_transport(), target, endpoints,
                                    executor='threading',
                                    serializer=serializer())
