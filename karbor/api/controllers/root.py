"""The version document (/) and the v1 root."""

import pecan

from karbor.api import listing
from karbor.api import microversion
from karbor.api.controllers.v1 import project as v1_project


def _version_v1(request):
    return {
        'id': 'v1.0',
        'status': 'CURRENT',
        'version': microversion.format_version(microversion.MAX_VERSION),
        'min_version': microversion.format_version(
            microversion.BASE_VERSION),
        'updated': '2026-11-22T00:00:00Z',
        'links': [{'rel': 'self',
                   'href': listing.base_url(request) + '/v1/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.data-protection'
                                 '+json;version=1'}],
    }


class V1Controller:

    @pecan.expose('json')
    def index(self):
        return {'version': _version_v1(pecan.request)}

    @pecan.expose()
    def _lookup(self, project_id, *remainder):
        return v1_project.for_project(project_id), remainder


class RootController:
    v1 = V1Controller()

    @pecan.expose('json')
    def index(self):
        return {'versions': [_version_v1(pecan.request)]}
