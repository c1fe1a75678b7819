"""Karbor's exceptions.

Every exception that can reach a user carries an HTTP status (``code``), a
stable machine-readable ``error_code`` (the registry of all of them is this
module: one class, one code) and a message written for the user. The API turns
them into the v1 fault envelope in :mod:`karbor.api.errors`; anything that is
not a :class:`KarborException` becomes a 500 without details.
"""


class KarborException(Exception):
    code = 500
    error_code = 'internal_error'
    message = 'An unknown error occurred.'

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.message % kwargs
            except (KeyError, TypeError):
                message = self.message
        self.msg = message
        super().__init__(message)

    def __str__(self):
        return self.msg


# 400 ---------------------------------------------------------------------
class Invalid(KarborException):
    code = 400
    error_code = 'invalid_request'
    message = 'The request is invalid: %(reason)s'


class InvalidInput(Invalid):
    error_code = 'invalid_input'
    message = 'Invalid input: %(reason)s'


class MalformedBody(Invalid):
    error_code = 'malformed_body'
    message = 'The request body is not valid JSON: %(reason)s'


class InvalidUrlEncoding(Invalid):
    error_code = 'invalid_url_encoding'
    message = 'The URL is not valid UTF-8 once percent-decoded.'


class MissingContentType(Invalid):
    error_code = 'missing_content_type'
    message = ('A request with a body needs the header '
               '"Content-Type: application/json".')


class InvalidQueryParameter(Invalid):
    error_code = 'invalid_query_parameter'
    message = 'Invalid query parameter: %(reason)s'


class InvalidMarker(InvalidQueryParameter):
    error_code = 'invalid_marker'
    message = 'The marker %(marker)s does not name an item of this list.'


class ProjectMismatch(Invalid):
    error_code = 'project_mismatch'
    message = ('The project in the URL (%(url_project)s) is not the project '
               'of the token (%(token_project)s).')


class InvalidPlan(Invalid):
    error_code = 'invalid_plan'
    message = 'Invalid plan: %(reason)s'


class InvalidParameters(Invalid):
    error_code = 'invalid_parameters'
    message = 'Invalid parameters: %(reason)s'


class InvalidAPIVersionString(Invalid):
    error_code = 'invalid_api_version'
    message = ('The API version "%(version)s" is not of the form '
               '"data-protection X.Y" or "data-protection latest".')


class InvalidServiceUpdate(Invalid):
    error_code = 'invalid_service_update'
    message = 'Invalid service update: %(reason)s'


class ResourceNotProtectable(Invalid):
    error_code = 'resource_not_protectable'
    message = ('The provider %(provider_id)s cannot protect resources of type '
               '%(resource_type)s.')


class ResourceNotFoundInPlan(Invalid):
    error_code = 'plan_resource_not_found'
    message = ('The resource %(resource_id)s of type %(resource_type)s does '
               'not exist.')


# 401 / 403 ---------------------------------------------------------------
class NotAuthenticated(KarborException):
    code = 401
    error_code = 'not_authenticated'
    message = 'Authentication required.'


class PolicyNotAuthorized(KarborException):
    code = 403
    error_code = 'policy_not_authorized'
    message = 'Policy does not allow %(action)s to be performed.'


# 404 ---------------------------------------------------------------------
class NotFound(KarborException):
    code = 404
    error_code = 'not_found'
    message = 'The resource could not be found.'


class PlanNotFound(NotFound):
    error_code = 'plan_not_found'
    message = 'Plan %(plan_id)s could not be found.'


class ProviderNotFound(NotFound):
    error_code = 'provider_not_found'
    message = 'Provider %(provider_id)s could not be found.'


class ProtectableTypeNotFound(NotFound):
    error_code = 'protectable_type_not_found'
    message = 'Protectable type %(protectable_type)s could not be found.'


class ProtectableInstanceNotFound(NotFound):
    error_code = 'protectable_instance_not_found'
    message = ('Resource %(resource_id)s of type %(resource_type)s could not '
               'be found.')


class ServiceNotFound(NotFound):
    error_code = 'service_not_found'
    message = 'Service %(service_id)s could not be found.'


class RouteNotFound(NotFound):
    error_code = 'route_not_found'
    message = 'No API resource at %(path)s.'


# 405 / 406 / 409 / 413 / 415 ---------------------------------------------
class MethodNotAllowed(KarborException):
    code = 405
    error_code = 'method_not_allowed'
    message = 'Method %(method)s is not allowed on %(path)s.'


class APIVersionNotAcceptable(KarborException):
    code = 406
    error_code = 'api_version_not_acceptable'
    message = ('API version %(version)s is not supported; this server '
               'supports %(min_version)s to %(max_version)s.')


class Conflict(KarborException):
    code = 409
    error_code = 'conflict'
    message = 'The request conflicts with the current state: %(reason)s'


class PlanInUse(Conflict):
    error_code = 'plan_in_use'
    message = 'Plan %(plan_id)s is in use: %(reason)s'


class InvalidPlanState(Conflict):
    error_code = 'invalid_plan_state'
    message = 'Plan %(plan_id)s is %(status)s: %(reason)s'


class RequestTooLarge(KarborException):
    code = 413
    error_code = 'request_too_large'
    message = 'The request body is larger than the limit of %(limit)d bytes.'


class QuotaExceeded(KarborException):
    # 413 overLimit, as Karbor v1 answered (python-karborclient prints the
    # message).
    code = 413
    error_code = 'quota_exceeded'
    message = ('Quota exceeded for %(resource)s: limit %(limit)d, in use '
               '%(in_use)d, requested %(requested)d. Delete some %(resource)s '
               'or ask an administrator to raise the limit.')


class UnsupportedMediaType(KarborException):
    code = 415
    error_code = 'unsupported_media_type'
    message = ('Content-Type %(content_type)s is not supported; send '
               'application/json.')


# 5xx ---------------------------------------------------------------------
class ServiceUnavailable(KarborException):
    code = 503
    error_code = 'service_unavailable'
    message = 'The service is unavailable: %(reason)s'


class ProtectionWorkerUnavailable(ServiceUnavailable):
    error_code = 'protection_worker_unavailable'
    message = ('No protection worker answered within %(timeout)d seconds; '
               'try again later.')


# Errors raised by plugins: the user sees user_message, the operator log
# gets operator_message (see karbor.protection.plugin_errors).
class PluginError(KarborException):
    code = 500
    error_code = 'plugin_error'
    message = 'A protection plugin failed: %(user_message)s'

    def __init__(self, user_message, operator_message=None):
        self.user_message = user_message
        self.operator_message = operator_message or user_message
        super().__init__(user_message=user_message)
        # Crossing RPC rebuilds the exception as cls(*args, **kwargs): keep
        # only the user message there; the operator message stays in the
        # worker's log.
        self.kwargs = {}
        self.args = (user_message,)


class BankError(KarborException):
    code = 500
    error_code = 'bank_error'
    message = 'The bank failed: %(reason)s'


class InvalidBankKey(BankError):
    error_code = 'invalid_bank_key'
    message = 'Bank key %(key)r is not a safe relative path.'


class BankObjectNotFound(BankError):
    code = 404
    error_code = 'bank_object_not_found'
    message = 'Bank object %(key)s does not exist.'


class BankObjectCorrupted(BankError):
    code = 409
    error_code = 'bank_object_corrupted'
    message = ('Bank object %(key)s is corrupted: %(reason)s. The checkpoint '
               'cannot be trusted; restore from another one or a copy.')


class CopyDestinationNotFound(Invalid):
    error_code = 'copy_destination_not_found'
    message = ('Provider %(provider_id)s has no copy destination '
               '%(destination)r (it has: %(known)s).')


class NoCopyDestination(Invalid):
    error_code = 'no_copy_destination'
    message = ('Provider %(provider_id)s declares no copy destination: its '
               'checkpoints cannot be copied.')


class ProviderConfigError(KarborException):
    error_code = 'provider_config_error'
    message = 'Provider definition %(path)s is invalid: %(reason)s'


class CheckpointNotFound(NotFound):
    error_code = 'checkpoint_not_found'
    message = 'Checkpoint %(checkpoint_id)s could not be found.'


class RestoreNotFound(NotFound):
    error_code = 'restore_not_found'
    message = 'Restore %(restore_id)s could not be found.'


class VerificationNotFound(NotFound):
    error_code = 'verification_not_found'
    message = 'Verification %(verification_id)s could not be found.'


class CopyNotFound(NotFound):
    error_code = 'copy_not_found'
    message = 'Copy %(copy_id)s could not be found.'


class InvalidCheckpointState(Conflict):
    error_code = 'invalid_checkpoint_state'
    message = ('Checkpoint %(checkpoint_id)s is %(status)s; %(action)s needs '
               'it to be %(allowed)s.')


class DatabaseServerUnreachable(Conflict):
    """A configured database server did not answer: whether a database
    exists on it cannot be told until it is back."""

    error_code = 'database_server_unreachable'
    message = ('Database server %(server)s cannot be reached: %(reason)s. '
               'Try again when it is back.')


class DatabaseServerConfigError(KarborException):
    error_code = 'database_server_config_error'
    message = 'Option [%(group)s] servers is invalid: %(reason)s'


class ProtectInProgress(Conflict):
    error_code = 'protect_in_progress'
    message = ('Plan %(plan_id)s is already being protected; wait for its '
               'checkpoint to finish before starting another.')


class ProviderMismatch(Invalid):
    error_code = 'provider_mismatch'
    message = ('Plan %(plan_id)s belongs to provider %(plan_provider)s, not '
               '%(provider_id)s.')


class OperationLeaseLost(KarborException):
    error_code = 'operation_lease_lost'
    message = ('Operation %(operation_id)s is now owned by another worker; '
               'this one stops working on it.')


class OperationLogNotFound(NotFound):
    error_code = 'operation_log_not_found'
    message = 'Operation log %(log_id)s could not be found.'


class InvalidExtraInfo(Invalid):
    error_code = 'invalid_extra_info'
    message = 'Invalid extra-info: %(reason)s'


class TaskNotFound(NotFound):
    error_code = 'task_not_found'
    message = 'Task %(task_id)s could not be found.'


class TaskTagTaken(Conflict):
    """Another request with this tag got there first (raised inside the
    request; the task-tag middleware turns it into a replay or a 409)."""

    error_code = 'task_tag_in_progress'
    message = 'A request with Task-Tag %(tag)s is already being accepted.'


class TaskTagMismatch(Conflict):
    error_code = 'task_tag_mismatch'
    message = ('Task-Tag %(tag)s was used for a different request (%(action)s '
               'at %(path)s); use a new tag for a new request.')


class InvalidTaskTag(Invalid):
    error_code = 'invalid_task_tag'
    message = ('Task-Tag %(tag)r is not valid: 1 to 128 letters, digits, '
               '".", "_", ":" or "-".')


# Triggers and scheduled operations ----------------------------------------
class InvalidTrigger(Invalid):
    error_code = 'invalid_trigger'
    message = 'Invalid trigger: %(reason)s'


class TriggerNotFound(NotFound):
    error_code = 'trigger_not_found'
    message = 'Trigger %(trigger_id)s could not be found.'


class TriggerInUse(Conflict):
    error_code = 'trigger_in_use'
    message = ('Trigger %(trigger_id)s is used by the scheduled operations '
               '%(operations)s; delete them first.')


class InvalidScheduledOperation(Invalid):
    error_code = 'invalid_scheduled_operation'
    message = 'Invalid scheduled operation: %(reason)s'


class ScheduledOperationNotFound(NotFound):
    error_code = 'scheduled_operation_not_found'
    message = 'Scheduled operation %(operation_id)s could not be found.'


class PlanScheduled(Conflict):
    error_code = 'plan_scheduled'
    message = ('Plan %(plan_id)s is used by the scheduled operations '
               '%(operations)s; delete them first.')
