"""Versioned objects. Importing this package registers all of them."""

from karbor.objects.plan import Plan  # noqa: F401
from karbor.objects.service import Service  # noqa: F401
