"""Checks: trusted judgement of what the probes returned (never runs student code)."""
