"""/v1/{project_id}/os-services: the daemons and their heartbeats."""

import pecan
from pecan import rest

from karbor import objects
from karbor import policy
from karbor.api import hooks
from karbor.api import validation
from karbor.api import views
from karbor.api.schemas import services as schemas
from karbor.common import constants
from karbor.common import exceptions
from karbor.policies import services as service_policy


def service_view(service):
    return {
        'id': service.id,
        'binary': service.binary,
        'host': service.host,
        'status': service.status,
        'state': service.state,
        'updated_at': views.isotime(service.last_heartbeat),
        'disabled_reason': service.disabled_reason,
    }


class ServicesController(rest.RestController):

    @pecan.expose('json')
    @hooks.accepts_query('host', 'binary')
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, service_policy.GET_ALL)
        query = pecan.request.GET
        services = objects.Service.list(ctxt, host=query.get('host'),
                                        binary=query.get('binary'))
        return {'services': [service_view(s) for s in services]}

    @pecan.expose('json')
    def put(self, service_id):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.update)
        policy.authorize(ctxt, service_policy.UPDATE)
        try:
            numeric_id = int(service_id)
        except ValueError:
            raise exceptions.ServiceNotFound(service_id=service_id) from None
        if not 0 < numeric_id < 2 ** 31:
            raise exceptions.ServiceNotFound(service_id=service_id)
        service = objects.Service.get_by_id(ctxt, numeric_id)
        disabled = body['status'] == constants.SERVICE_STATUS_DISABLED
        if not disabled and body.get('disabled_reason'):
            raise exceptions.InvalidServiceUpdate(
                reason='disabled_reason only goes with status disabled')
        service.disabled = disabled
        service.disabled_reason = body.get('disabled_reason') if disabled \
            else None
        service.save()
        return {'service': service_view(service)}
