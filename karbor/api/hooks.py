"""The request context of every API call."""

from karbor import context as karbor_context
from karbor import policy


def context_of(request):
    """The caller's RequestContext, built once per request.

    The auth middleware (keystonemiddleware or noauth) sets X-User-Id,
    X-Project-Id, X-Roles...; admin comes from policy, never from the
    caller. Built lazily because pecan routes (and checks the project in
    the URL) before its hooks run.
    """
    ctxt = request.context.get('karbor')
    if ctxt is None:
        ctxt = karbor_context.RequestContext.from_environ(request.environ)
        ctxt.is_admin = policy.check_is_admin(ctxt)
        request.context['karbor'] = ctxt
    return ctxt
