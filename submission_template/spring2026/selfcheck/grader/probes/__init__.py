"""Probes: grader-written calls into a submission, run inside a worker.

A probe receives plain data chosen by the trusted process, calls the
subject's code (the student's, or the reference's: the same probe serves
both), and returns plain data. It never judges; checks/ does that.
"""
