import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from karbor.db import models
from karbor.db import pagination


def test_a_page_writes_its_limit_in_the_sql():
    # A bound LIMIT would be planned as a tenth of the table by a prepared
    # statement's generic plan (see pagination.literal_count).
    query = pagination.page_query(
        None, sa.select(models.Plan.__table__), models.Plan,
        [('created_at', 'desc')], 50, core=True)
    sql = str(query.compile(dialect=postgresql.dialect()))
    assert sql.rstrip().endswith('LIMIT 51')
    assert 'ORDER BY plans.created_at DESC, plans.id DESC' in sql
