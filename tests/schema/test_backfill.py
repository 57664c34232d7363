"""schema/backfill.py: which of Backfill's fields read its row."""

from backfill_gateway.schema.backfill import ID_ONLY_FIELDS, backfill_row_fields
from backfill_gateway.web.execution.executable_schema import build_schema


def test_every_backfill_field_is_answered_by_id_alone_or_reads_the_row():
    # The names come from the Strawberry type; the executable schema must agree, so a
    # renamed or added field cannot escape both lists (and be answered from a bare record).
    graphql_fields = set(build_schema()._schema.type_map["Backfill"].fields) | {"__typename"}
    assert backfill_row_fields() | ID_ONLY_FIELDS == graphql_fields
    assert not backfill_row_fields() & ID_ONLY_FIELDS
    assert {"dagId", "createdAt", "status", "dag", "hostname"} <= backfill_row_fields()
