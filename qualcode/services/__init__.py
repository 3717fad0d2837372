"""Services: one function per user action, each over a :class:`qualcode.store.Store`.

They validate everything before writing and write inside one transaction, so a failed
action leaves the project exactly as it was.
"""
