"""Query and mutation logic and the per-request DataLoaders; all SQL lives in `db`."""
