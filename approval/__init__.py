"""Approval up the hierarchy (审核, CONTRACT §11): the state machine and the portal's store.

:mod:`approval.machine` is the machine as data plus one function; :mod:`approval.store`
is the portal's own store (accounts, sessions, uploads, the approval log), SQLite by
default or PostgreSQL by URL, written by the portal and read by the runs.
"""
