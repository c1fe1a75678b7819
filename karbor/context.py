"""The request context: who is calling, for which project, and how."""

from oslo_context import context as oslo_context


class RequestContext(oslo_context.RequestContext):
    """Who calls, and the task tag of the request.

    What a caller may do is decided by policy rules on its roles; the
    ``is_admin`` flag is only set for Karbor's own internal contexts.
    """

    def __init__(self, *args, task_tag=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_tag = task_tag
        # The task of the API request being served (karbor.db.tasks); it
        # never crosses RPC.
        self.pending_task = None

    def to_dict(self):
        values = super().to_dict()
        values['task_tag'] = self.task_tag
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault('task_tag', values.get('task_tag'))
        return super().from_dict(values, **kwargs)

    def elevated(self):
        ctx = self.__class__.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles = list(ctx.roles) + ['admin']
        return ctx


def get_admin_context():
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          roles=['admin'], overwrite=False)
