"""The execution layer, between HTTP (web/) and the Strawberry types (schema/).

It builds the executable schema (executable_schema.py), runs queries through
the compiled fast path (fast_path*.py), enforces the query limits
(query_limits.py, query_shape.py, query_cost.py, limits_extension.py) and
gives every error its `extensions.code` and HTTP status (errors.py).
"""
