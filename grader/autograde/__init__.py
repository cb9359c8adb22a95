"""Autograding: submission parsing, sandbox plan, trusted verdicts, records.

Side: trusted grader.
"""
