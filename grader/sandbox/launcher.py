"""First process inside the sandbox: starts the observer and the student process apart.

Side: sandbox launcher (privileged for a moment, runs no student code).

    python -I -S -B launcher.py OBSERVER_UID STUDENT_UID RESULT_FD CODE_DIR CHANNEL_DIR

When the grader runs as root, bwrap starts this as uid 0 with only
CAP_SETUID and CAP_SETGID.  It forks the observer, which drops to
OBSERVER_UID and alone keeps the result channel (RESULT_FD) and the plan
(stdin); once the observer has made the channel FIFOs it forks the student
process, which drops to STUDENT_UID with /dev/null as stdin.  Both get
no_new_privs.  Without root (a user namespace, uid -1 here) both keep the
namespace's single uid and are protected from each other by being not
dumpable.  The launcher then reaps: the student's exit status goes to the
observer; when the observer ends, the launcher ends, bwrap's init ends and
the PID namespace takes every remaining process with it.
"""

import ctypes
import os
import sys

PR_SET_NO_NEW_PRIVS = 38


def drop_privileges(uid):
    if uid >= 0 and os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def main():
    observer_uid, student_uid, result_fd = (int(value) for value in sys.argv[1:4])
    code_dir, channel_dir = sys.argv[4], sys.argv[5]
    ready_read, ready_write = os.pipe()
    status_read, status_write = os.pipe()

    observer = os.fork()
    if observer == 0:
        os.close(ready_read)
        os.close(status_write)
        os.set_inheritable(ready_write, True)
        os.set_inheritable(status_read, True)
        drop_privileges(observer_uid)
        os.execv(sys.executable, [sys.executable, "-I", "-B", os.path.join(code_dir, "observer.py"),
                                  str(result_fd), str(ready_write), str(status_read), channel_dir])
    os.close(ready_write)
    os.close(status_read)
    os.close(result_fd)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    if os.read(ready_read, 1) != b"1":
        _, status = os.waitpid(observer, 0)
        sys.exit(os.waitstatus_to_exitcode(status) or 70)
    os.close(ready_read)

    student = os.fork()
    if student == 0:
        os.close(status_write)
        drop_privileges(student_uid)
        os.execv(sys.executable, [sys.executable, "-I", "-B", os.path.join(code_dir, "runner.py"),
                                  channel_dir])
    while True:
        pid, status = os.wait()
        if pid == student:
            os.write(status_write, b"%d\n" % os.waitstatus_to_exitcode(status))
            os.close(status_write)
        elif pid == observer:
            sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
