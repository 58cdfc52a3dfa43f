"""The benchmark harness (`make bench`): seeding, load generation, scenarios, report.

Not part of the application: nothing outside bench/ imports it.
"""
