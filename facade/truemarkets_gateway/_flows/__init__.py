"""Workflow decisions (place, cancel, transfer, wait) as sans-I/O flows, with a sync and an
async runner that perform the steps they ask for.
"""
