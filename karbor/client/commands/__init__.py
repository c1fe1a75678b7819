"""The CLI commands, shared by karbor-cli and the OpenStack client plugin.

COMMANDS is the single list of commands: karbor-cli registers it directly
(so it works from a source tree, without installed entry points) and the
``openstack.data_protection.v1`` entry points in pyproject.toml must name
the same classes (a unit test keeps the two in sync). A new resource adds
one commands module and its lines here and in pyproject.toml.
"""

from karbor.client.commands import checkpoints
from karbor.client.commands import copies
from karbor.client.commands import operation_logs
from karbor.client.commands import plans
from karbor.client.commands import protectables
from karbor.client.commands import providers
from karbor.client.commands import quotas
from karbor.client.commands import restores
from karbor.client.commands import scheduled_operations
from karbor.client.commands import services
from karbor.client.commands import tasks
from karbor.client.commands import triggers
from karbor.client.commands import verifications

COMMANDS = {
    'provider list': providers.ListProviders,
    'provider show': providers.ShowProvider,
    'protectable list': protectables.ListProtectableTypes,
    'protectable show': protectables.ShowProtectableType,
    'protectable instance list': protectables.ListProtectableInstances,
    'protectable instance show': protectables.ShowProtectableInstance,
    'plan list': plans.ListPlans,
    'plan show': plans.ShowPlan,
    'plan create': plans.CreatePlan,
    'plan update': plans.UpdatePlan,
    'plan delete': plans.DeletePlan,
    'service list': services.ListServices,
    'service enable': services.EnableService,
    'service disable': services.DisableService,
    'checkpoint create': checkpoints.CreateCheckpoint,
    'checkpoint list': checkpoints.ListCheckpoints,
    'checkpoint show': checkpoints.ShowCheckpoint,
    'checkpoint delete': checkpoints.DeleteCheckpoint,
    'checkpoint reset state': checkpoints.ResetCheckpointState,
    'checkpoint copy': copies.CopyCheckpoints,
    'copy list': copies.ListCopies,
    'copy show': copies.ShowCopy,
    'restore create': restores.CreateRestore,
    'restore list': restores.ListRestores,
    'restore show': restores.ShowRestore,
    'verification create': verifications.CreateVerification,
    'verification list': verifications.ListVerifications,
    'verification show': verifications.ShowVerification,
    'operation log list': operation_logs.ListOperationLogs,
    'operation log show': operation_logs.ShowOperationLog,
    'task list': tasks.ListTasks,
    'task show': tasks.ShowTask,
    'task find': tasks.FindTask,
    'quota show': quotas.ShowQuota,
    'quota defaults': quotas.ShowDefaultQuota,
    'quota update': quotas.UpdateQuota,
    'quota delete': quotas.DeleteQuota,
    'quota class show': quotas.ShowQuotaClass,
    'quota class update': quotas.UpdateQuotaClass,
    'trigger create': triggers.CreateTrigger,
    'trigger list': triggers.ListTriggers,
    'trigger show': triggers.ShowTrigger,
    'trigger update': triggers.UpdateTrigger,
    'trigger delete': triggers.DeleteTrigger,
    'scheduled operation create':
        scheduled_operations.CreateScheduledOperation,
    'scheduled operation list': scheduled_operations.ListScheduledOperations,
    'scheduled operation show': scheduled_operations.ShowScheduledOperation,
    'scheduled operation update':
        scheduled_operations.UpdateScheduledOperation,
    'scheduled operation delete':
        scheduled_operations.DeleteScheduledOperation,
    'scheduled operation runs': scheduled_operations.ListScheduledRuns,
}

OSC_ENTRY_POINT_PREFIX = 'data_protection_'


def osc_entry_points():
    """{entry point name: 'module:Class'} for openstack.data_protection.v1."""
    return {
        OSC_ENTRY_POINT_PREFIX + name.replace(' ', '_'):
            '%s:%s' % (cls.__module__, cls.__name__)
        for name, cls in COMMANDS.items()
    }
