"""Status values and their allowed transitions: the one place they live."""

# Plans
PLAN_STATUS_SUSPENDED = 'suspended'
PLAN_STATUS_STARTED = 'started'
PLAN_STATUSES = (PLAN_STATUS_SUSPENDED, PLAN_STATUS_STARTED)

# Services
SERVICE_STATUS_ENABLED = 'enabled'
SERVICE_STATUS_DISABLED = 'disabled'
SERVICE_STATE_UP = 'up'
SERVICE_STATE_DOWN = 'down'

# Daemon binaries that keep a service record
BINARY_API = 'karbor-api'
BINARY_PROTECTION = 'karbor-protection'
BINARY_OPERATION_ENGINE = 'karbor-operationengine'

# Resource types of the plugins shipped with Karbor
RESOURCE_TYPE_DIRECTORY = 'OS::Karbor::Directory'
RESOURCE_TYPE_POSTGRESQL_DATABASE = 'OS::Karbor::PostgreSQLDatabase'
RESOURCE_TYPE_MYSQL_DATABASE = 'OS::Karbor::MySQLDatabase'

# The API version header (microversions)
API_VERSION_SERVICE_TYPE = 'data-protection'
API_VERSION_HEADER = 'OpenStack-API-Version'

# Checkpoints
CHECKPOINT_PROTECTING = 'protecting'
CHECKPOINT_AVAILABLE = 'available'
CHECKPOINT_ERROR = 'error'
CHECKPOINT_DELETING = 'deleting'
CHECKPOINT_DELETED = 'deleted'
CHECKPOINT_ERROR_DELETING = 'error-deleting'
CHECKPOINT_WAIT_COPYING = 'wait_copying'
CHECKPOINT_COPYING = 'copying'
CHECKPOINT_COPY_FINISHED = 'copy_finished'

CHECKPOINT_STATUSES = (
    CHECKPOINT_PROTECTING, CHECKPOINT_AVAILABLE, CHECKPOINT_ERROR,
    CHECKPOINT_DELETING, CHECKPOINT_DELETED, CHECKPOINT_ERROR_DELETING,
    CHECKPOINT_WAIT_COPYING, CHECKPOINT_COPYING, CHECKPOINT_COPY_FINISHED)

# Which status may follow which. Every status change of a checkpoint goes
# through karbor.db.checkpoints.checkpoint_transition, which enforces it.
CHECKPOINT_TRANSITIONS = {
    CHECKPOINT_PROTECTING: {CHECKPOINT_AVAILABLE, CHECKPOINT_ERROR},
    CHECKPOINT_AVAILABLE: {CHECKPOINT_DELETING, CHECKPOINT_ERROR},
    # A failed copy is retried in place by the next copy of its source.
    CHECKPOINT_ERROR: {CHECKPOINT_DELETING, CHECKPOINT_AVAILABLE,
                       CHECKPOINT_WAIT_COPYING},
    CHECKPOINT_DELETING: {CHECKPOINT_DELETED, CHECKPOINT_ERROR_DELETING},
    CHECKPOINT_ERROR_DELETING: {CHECKPOINT_DELETING, CHECKPOINT_ERROR,
                                CHECKPOINT_AVAILABLE},
    CHECKPOINT_DELETED: set(),
    CHECKPOINT_WAIT_COPYING: {CHECKPOINT_COPYING, CHECKPOINT_ERROR,
                              CHECKPOINT_AVAILABLE},
    CHECKPOINT_COPYING: {CHECKPOINT_AVAILABLE, CHECKPOINT_ERROR},
    CHECKPOINT_COPY_FINISHED: {CHECKPOINT_AVAILABLE, CHECKPOINT_ERROR,
                               CHECKPOINT_DELETING},
}

# A checkpoint can be deleted from these (a failed delete can be retried).
CHECKPOINT_DELETABLE = (CHECKPOINT_AVAILABLE, CHECKPOINT_ERROR,
                        CHECKPOINT_ERROR_DELETING)
# An administrator may reset a checkpoint that is in one of these to
# available or error (never one an operation is working on).
CHECKPOINT_RESETTABLE = (CHECKPOINT_AVAILABLE, CHECKPOINT_ERROR,
                         CHECKPOINT_ERROR_DELETING, CHECKPOINT_WAIT_COPYING,
                         CHECKPOINT_COPYING, CHECKPOINT_COPY_FINISHED)
CHECKPOINT_RESET_TARGETS = (CHECKPOINT_AVAILABLE, CHECKPOINT_ERROR)

# Restores
RESTORE_IN_PROGRESS = 'in_progress'
RESTORE_SUCCESS = 'success'
RESTORE_FAIL = 'fail'
RESTORE_STATUSES = (RESTORE_IN_PROGRESS, RESTORE_SUCCESS, RESTORE_FAIL)

# Per-resource statuses inside a restore
RESOURCE_RESTORING = 'restoring'
RESOURCE_AVAILABLE = 'available'
RESOURCE_ERROR = 'error'

# Verifications: a checkpoint's bank objects re-read and their SHA-256
# checked (the same statuses as Karbor 1.6). Each resource goes
# RESOURCE_VERIFYING -> RESOURCE_AVAILABLE (intact) | RESOURCE_ERROR.
VERIFICATION_IN_PROGRESS = 'in_progress'
VERIFICATION_SUCCESS = 'success'
VERIFICATION_FAIL = 'fail'
VERIFICATION_STATUSES = (VERIFICATION_IN_PROGRESS, VERIFICATION_SUCCESS,
                         VERIFICATION_FAIL)
RESOURCE_VERIFYING = 'verifying'

# Copies: a request copying a plan's checkpoints to a copy destination.
# The request is COPY_IN_PROGRESS until every one of its pairs ended, then
# COPY_FINISHED (all copied) or COPY_ERROR (at least one failed; the others
# are still copied). Each pair (source checkpoint x destination) goes
# wait_copying -> copying -> finished | error, while its copy checkpoint
# goes wait_copying -> copying -> available | error.
COPY_IN_PROGRESS = 'in_progress'
COPY_FINISHED = 'finished'
COPY_ERROR = 'error'
COPY_STATUSES = (COPY_IN_PROGRESS, COPY_FINISHED, COPY_ERROR)
COPY_PAIR_WAITING = CHECKPOINT_WAIT_COPYING
COPY_PAIR_COPYING = CHECKPOINT_COPYING
COPY_PAIR_FINISHED = 'finished'
COPY_PAIR_ERROR = 'error'
COPY_PAIR_STATUSES = (COPY_PAIR_WAITING, COPY_PAIR_COPYING,
                      COPY_PAIR_FINISHED, COPY_PAIR_ERROR)
# A pair in one of these is not copied again by a new request.
COPY_PAIR_DONE_OR_RUNNING = (COPY_PAIR_WAITING, COPY_PAIR_COPYING,
                             COPY_PAIR_FINISHED)
# The official extra-info key of a copy checkpoint naming its source.
COPIED_FROM_KEY = 'karbor-copied-from'

# Operations: the engine's units of work, each with an owner and a lease.
OPERATION_PROTECT = 'protect'
OPERATION_DELETE = 'delete'
OPERATION_RESTORE = 'restore'
OPERATION_VERIFY = 'verify'
OPERATION_COPY = 'copy'
OPERATION_TYPES = (OPERATION_PROTECT, OPERATION_DELETE, OPERATION_RESTORE,
                   OPERATION_VERIFY, OPERATION_COPY)

OPERATION_PENDING = 'pending'      # accepted, no worker has claimed it
OPERATION_RUNNING = 'running'      # a worker holds the lease
OPERATION_DONE = 'done'            # its target reached a terminal status

# Operation logs: one documented set of statuses per operation type, each
# going from its running status to one of its terminal ones.
OPERATION_LOG_TYPES = (OPERATION_PROTECT, OPERATION_DELETE,
                       OPERATION_RESTORE, OPERATION_COPY, OPERATION_VERIFY)
OPERATION_LOG_STATUSES = {
    # type: (running, success, failure)
    OPERATION_PROTECT: ('protecting', 'available', 'error'),
    OPERATION_DELETE: ('deleting', 'deleted', 'error-deleting'),
    OPERATION_RESTORE: ('restoring', 'restored', 'error-restoring'),
    OPERATION_COPY: ('copying', 'success', 'error'),
    OPERATION_VERIFY: ('verifying', 'verified', 'error-verifying'),
}
ALL_OPERATION_LOG_STATUSES = tuple(sorted(
    {status for statuses in OPERATION_LOG_STATUSES.values()
     for status in statuses}))

# Triggers and scheduled operations
TRIGGER_TYPE_TIME = 'time'
TRIGGER_TYPES = (TRIGGER_TYPE_TIME,)
TRIGGER_FORMAT_CRONTAB = 'crontab'
TRIGGER_FORMAT_CALENDAR = 'calendar'
TRIGGER_FORMATS = (TRIGGER_FORMAT_CRONTAB, TRIGGER_FORMAT_CALENDAR)

SCHEDULED_PROTECT = 'protect'
SCHEDULED_RETENTION_PROTECT = 'retention_protect'
SCHEDULED_COPY = 'copy'
SCHEDULED_OPERATION_TYPES = (SCHEDULED_PROTECT, SCHEDULED_RETENTION_PROTECT,
                             SCHEDULED_COPY)

# The official extra-info key of checkpoints the engine creates.
CREATED_BY_KEY = 'karbor-created-by'
TRIGGER_ID_KEY = 'karbor-trigger-id'
CREATED_BY_OPERATION_ENGINE = 'operation-engine'

# A scheduled run: claimed by one engine under a lease, running once its
# checkpoint (or copy) exists, then succeeded or failed when that ends;
# skipped (with the reason) when it could not start.
RUN_CLAIMED = 'claimed'
RUN_RUNNING = 'running'
RUN_SUCCEEDED = 'succeeded'
RUN_FAILED = 'failed'
RUN_SKIPPED = 'skipped'
RUN_STATES = (RUN_CLAIMED, RUN_RUNNING, RUN_SUCCEEDED, RUN_FAILED,
              RUN_SKIPPED)
RUN_ENDED = (RUN_SUCCEEDED, RUN_FAILED, RUN_SKIPPED)
