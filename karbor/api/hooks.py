"""The request context of every API call."""

from pecan import hooks

from karbor import context as karbor_context
from karbor.common import exceptions


def context_of(request):
    """The caller's RequestContext, built once per request.

    The auth middleware (keystonemiddleware or noauth) sets X-User-Id,
    X-Project-Id, X-Roles...; what the caller may do is decided by policy
    rules, never by a flag the caller sends. Built lazily because pecan
    routes (and checks the project in the URL) before its hooks run.
    """
    ctxt = request.context.get('karbor')
    if ctxt is None:
        ctxt = karbor_context.RequestContext.from_environ(request.environ)
        # The task of a mutating request, recorded by its first write.
        ctxt.pending_task = request.environ.get('karbor.pending_task')
        ctxt.task_tag = request.environ.get('karbor.task_tag')
        request.context['karbor'] = ctxt
    return ctxt


def accepts_query(*names):
    """Declare the query parameters a non-list handler takes.

    List handlers (``get_all``) validate theirs through
    :func:`karbor.api.listing.parse`; every other handler takes none unless
    it says so here, and :class:`QueryParameterHook` refuses the rest.
    """
    def decorate(handler):
        handler.karbor_query_parameters = frozenset(names)
        return handler
    return decorate


class QueryParameterHook(hooks.PecanHook):
    """Unknown query parameters are a 400 on every handler."""

    def before(self, state):
        handler = getattr(state.controller, '__func__', state.controller)
        allowed = getattr(handler, 'karbor_query_parameters', None)
        if allowed is None and handler.__name__ == 'get_all':
            return
        unknown = sorted(set(state.request.GET) - (allowed or frozenset()))
        if unknown:
            raise exceptions.InvalidQueryParameter(
                reason='unknown query parameter %r; this request accepts %s'
                % (unknown[0], ', '.join(sorted(allowed)) if allowed
                   else 'none'))
