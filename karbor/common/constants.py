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

# The API version header (microversions)
API_VERSION_SERVICE_TYPE = 'data-protection'
API_VERSION_HEADER = 'OpenStack-API-Version'
