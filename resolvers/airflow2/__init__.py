"""Resolvers for Airflow 2 databases: BackfillJob rows read as backfills, and their finalizing."""
