"""Gives every request an id, answered in ``x-openstack-request-id``.

The same environ keys and header as oslo.middleware's RequestId (so
oslo.context and oslo.log find the ids), as a plain WSGI callable: webob's
request and response objects around every call cost more than the rest of
this middleware.

A caller's ``X-OpenStack-Request-ID`` of the form ``req-<uuid>`` becomes
the global request id, which ties the requests of one user action
together across services.
"""

import re

from oslo_context import context

ENV_REQUEST_ID = 'openstack.request_id'
ENV_GLOBAL_REQUEST_ID = 'openstack.global_request_id'
HEADER = 'x-openstack-request-id'
_INBOUND = 'HTTP_X_OPENSTACK_REQUEST_ID'
_ID = re.compile(r'^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-'
                 r'[a-f0-9]{12}$')


class RequestIdMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        inbound = environ.get(_INBOUND)
        if inbound and _ID.match(inbound):
            environ[ENV_GLOBAL_REQUEST_ID] = inbound
        request_id = context.generate_request_id()
        environ[ENV_REQUEST_ID] = request_id

        def start_with_id(status, headers, exc_info=None):
            if not any(name.lower() == HEADER for name, _ in headers):
                headers = list(headers)
                headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.application(environ, start_with_id)
