"""The DDL a migration runs to put a table under tenant row-level security."""

from __future__ import annotations

import pytest

from civicgrid_platform.db.rls import disable_tenant_rls, enable_tenant_rls

PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def test_enabling_forces_rls_and_adds_one_policy_for_reads_and_writes() -> None:
    assert enable_tenant_rls("reports") == [
        "ALTER TABLE reports ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE reports FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON reports USING ({PREDICATE}) WITH CHECK ({PREDICATE})",
    ]


def test_the_tenant_column_and_a_schema_can_be_named() -> None:
    statements = enable_tenant_rls("audit.entries", column="district_id")

    assert statements[0] == "ALTER TABLE audit.entries ENABLE ROW LEVEL SECURITY"
    assert (
        "USING (district_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
        in (statements[2])
    )


def test_disabling_undoes_enabling_in_reverse_order() -> None:
    assert disable_tenant_rls("reports") == [
        "DROP POLICY IF EXISTS tenant_isolation ON reports",
        "ALTER TABLE reports NO FORCE ROW LEVEL SECURITY",
        "ALTER TABLE reports DISABLE ROW LEVEL SECURITY",
    ]


@pytest.mark.parametrize("name", ["reports; DROP TABLE x", '"Reports"', "", "1reports", "a.b.c"])
def test_names_that_would_need_quoting_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a plain lower-case SQL identifier"):
        enable_tenant_rls(name)
    with pytest.raises(ValueError, match="not a plain lower-case SQL identifier"):
        enable_tenant_rls("reports", column=name)
