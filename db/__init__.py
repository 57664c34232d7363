"""Data layer: Airflow's tables, the engine and sessions, and the SQL itself."""
