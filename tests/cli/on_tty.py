#!/usr/bin/env python3
"""on_tty.py ANSWER CMD...: runs CMD on a pseudo-terminal, types ANSWER and a
newline when it asks for something (output ending in ": "), and copies
what the terminal showed to stdout.  Exits with CMD's exit code."""
import os
import pty
import signal
import sys


def main():
    answer = sys.argv[1].encode()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.argv[2], sys.argv[2:])
    signal.alarm(30)  # a command that never stops asking fails the test
    seen, typed = b"", False
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if not typed and seen.rstrip().endswith(b":"):
            os.write(fd, answer + b"\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode("utf-8", "replace"))
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 125)


main()
