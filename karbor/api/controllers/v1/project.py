"""/v1/{project_id}: checks the project and routes to the resources."""

import pecan

from karbor.api import hooks
from karbor.api.controllers.v1 import copies
from karbor.api.controllers.v1 import operation_logs
from karbor.api.controllers.v1 import plans
from karbor.api.controllers.v1 import protectables
from karbor.api.controllers.v1 import providers
from karbor.api.controllers.v1 import quotas
from karbor.api.controllers.v1 import restores
from karbor.api.controllers.v1 import scheduled_operations
from karbor.api.controllers.v1 import services
from karbor.api.controllers.v1 import tasks
from karbor.api.controllers.v1 import triggers
from karbor.api.controllers.v1 import verifications
from karbor.common import exceptions


class ProjectController:
    plans = plans.PlansController()
    providers = providers.ProvidersController()
    protectables = protectables.ProtectablesController()
    restores = restores.RestoresController()
    verifications = verifications.VerificationsController()
    copies = copies.CopiesController()
    operation_logs = operation_logs.OperationLogsController()
    tasks = tasks.TasksController()
    # (quota_classes first: the next line rebinds the module's name)
    quota_classes = quotas.QuotaClassesController()
    quotas = quotas.QuotasController()
    triggers = triggers.TriggersController()
    scheduled_operations = (
        scheduled_operations.ScheduledOperationsController())


pecan.route(ProjectController, 'os-services', services.ServicesController())

_PROJECT = ProjectController()


def for_project(project_id):
    """The resources of ``project_id``, if the caller belongs to it."""
    ctxt = hooks.context_of(pecan.request)
    if ctxt.project_id != project_id:
        raise exceptions.ProjectMismatch(url_project=project_id,
                                         token_project=ctxt.project_id)
    return _PROJECT
