"""The sandbox one submission runs in.

Side: the package holds both sides; each module says which it is on.

Trusted side: ``host`` (starts a sandbox, collects its reports), ``cgroups``
(per-sandbox limits), ``uids`` (a private uid pair per sandbox).  Inside the
sandbox, with no student code: ``launcher`` and ``observer``.  The student
process's code is in ``grader/student/``.
"""
