"""The CE / MOC credit ledger: rules (pure), the projection, its queries and DTOs."""
