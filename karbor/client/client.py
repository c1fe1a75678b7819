"""The SDK entry point: ``Client`` holds one manager per resource type."""

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

from karbor.client import http
from karbor.client.v1 import checkpoints
from karbor.client.v1 import copies
from karbor.client.v1 import operation_logs
from karbor.client.v1 import plans
from karbor.client.v1 import protectables
from karbor.client.v1 import providers
from karbor.client.v1 import quotas
from karbor.client.v1 import restores
from karbor.client.v1 import scheduled_operations
from karbor.client.v1 import services
from karbor.client.v1 import tasks
from karbor.client.v1 import triggers
from karbor.client.v1 import verifications

SERVICE_TYPE = 'data-protect'
USER_AGENT = 'karbor-client'


class Client:
    """A client of the Karbor v1 API for one project.

    Two ways to authenticate:

    * Keystone: pass a keystoneauth ``session``; the endpoint comes from the
      catalog (service type ``data-protect``) unless ``endpoint`` overrides
      it, and the project from the session's token.
    * No Keystone: pass ``endpoint`` (the server root, e.g.
      ``http://127.0.0.1:8799``), ``token`` and ``project_id``.

    ``endpoint`` may also already end with ``/v1/<project_id>``.
    Connection failures are retried ``retries`` times; HTTP errors never
    are. Every POST/PUT/DELETE carries a ``Task-Tag`` made by
    ``task_tag_factory`` (a new UUID by default), reused on its retries.
    """

    def __init__(self, session=None, endpoint=None, token=None,
                 project_id=None, *, timeout=http.DEFAULT_TIMEOUT,
                 retries=http.DEFAULT_RETRIES,
                 retry_delay=http.DEFAULT_RETRY_DELAY, api_version='1.0',
                 task_tag_factory=http.new_task_tag,
                 service_type=SERVICE_TYPE, interface='public',
                 region_name=None, verify=True):
        if session is None:
            auth = token_endpoint.Token(endpoint, token) if token else None
            session = ks_session.Session(auth=auth, verify=verify)
        adapter = ks_adapter.Adapter(
            session, service_type=service_type, interface=interface,
            region_name=region_name, user_agent=USER_AGENT)
        self.http = http.HTTPClient(
            adapter, endpoint=endpoint, project_id=project_id,
            timeout=timeout, retries=retries, retry_delay=retry_delay,
            api_version=normalize_api_version(api_version),
            task_tag_factory=task_tag_factory)
        self.providers = providers.ProviderManager(self.http)
        self.protectables = protectables.ProtectableManager(self.http)
        self.plans = plans.PlanManager(self.http)
        self.services = services.ServiceManager(self.http)
        self.checkpoints = checkpoints.CheckpointManager(self.http)
        self.restores = restores.RestoreManager(self.http)
        self.verifications = verifications.VerificationManager(self.http)
        self.copies = copies.CopyManager(self.http)
        self.operation_logs = operation_logs.OperationLogManager(self.http)
        self.tasks = tasks.TaskManager(self.http)
        self.quotas = quotas.QuotaManager(self.http)
        self.quota_classes = quotas.QuotaClassManager(self.http)
        self.triggers = triggers.TriggerManager(self.http)
        self.scheduled_operations = (
            scheduled_operations.ScheduledOperationManager(self.http))

    @property
    def last_task(self):
        """The TaskInfo (task_id, tag, replayed) of this thread's last
        mutating call that the server answered, or None."""
        return self.http.last_task

    @property
    def base_url(self):
        """``<endpoint>/v1/<project_id>``, resolved on first use."""
        return self.http.base_url


def normalize_api_version(version):
    """'1' (python-karborclient's spelling) means microversion 1.0."""
    version = str(version or '1.0')
    return version if '.' in version else version + '.0'
