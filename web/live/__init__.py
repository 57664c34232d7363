"""Subscriptions: the worker's hub (grouping, change detection) and the transports."""
