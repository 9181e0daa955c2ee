#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a user's shell would, and presses Ctrl-C when told.

    scripts/pty-run.py [--ctrl-c-when GLOB] [--after SECONDS] [--log FILE] -- COMMAND [ARGS...]

The command gets a new session whose controlling terminal is the pty (stdin, stdout and stderr), so
the terminal driver turns the Ctrl-C byte (0x03) into SIGINT for its foreground process group, exactly
as in an interactive terminal. With --ctrl-c-when, Ctrl-C is typed SECONDS after a path matching
GLOB first exists (the run is mid-write). Everything the command printed goes to --log. The exit code
is the command's (128 + signal number when a signal ended it). Python standard library only.
"""
import argparse
import glob
import os
import pty
import select
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctrl-c-when")
    ap.add_argument("--after", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--log")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    if not cmd:
        ap.error("no command")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    transcript = bytearray()
    seen_at = None
    pressed = False
    start = time.time()
    status = None
    while status is None:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            transcript += data
        if a.ctrl_c_when and not pressed:
            if seen_at is None and glob.glob(a.ctrl_c_when):
                seen_at = time.time()
            if seen_at is not None and time.time() - seen_at >= a.after:
                os.write(fd, b"\x03")  # the terminal's interrupt character: SIGINT to the foreground group
                pressed = True
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
        elif time.time() - start > a.timeout:
            os.kill(pid, 9)
    try:  # what was printed last
        while select.select([fd], [], [], 0.1)[0]:
            data = os.read(fd, 65536)
            if not data:
                break
            transcript += data
    except OSError:
        pass
    if a.log:
        with open(a.log, "wb") as f:
            f.write(transcript)
    if a.ctrl_c_when and not pressed:
        print("pty-run: the command ended before Ctrl-C could be pressed", file=sys.stderr)
        sys.exit(125)
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()
