#!/usr/bin/env python3
"""qemu-monitor.py SOCKET COMMAND: run one human-monitor command of a guest's
QEMU (qemu-run.sh's -monitor socket) and print what QEMU answered.

A scenario asks for devices this way (e2e_monitor in the guest); only the
commands that add or remove a device or its backing object are accepted.
Exit status 1 if the command is refused, not accepted or QEMU reports an
error."""
import socket
import sys

ALLOWED = ("device_add", "device_del", "object_add", "object_del")
PROMPT = b"(qemu) "


def until_prompt(sock, seen=b""):
    while not seen.endswith(PROMPT):
        chunk = sock.recv(4096)
        if not chunk:
            break
        seen += chunk
    return seen


def main():
    path, command = sys.argv[1], sys.argv[2].strip()
    if command.split(" ", 1)[0] not in ALLOWED:
        print(f"qemu-monitor: refused: {command}")
        return 1
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(10)
        sock.connect(path)
        until_prompt(sock)
        sock.sendall(command.encode() + b"\n")
        answer = until_prompt(sock).decode(errors="replace")
    # HMP echoes the line with terminal escapes; what follows it is the answer.
    answer = answer.rsplit("\n", 1)[0] if "\n" in answer else ""
    lines = [l.strip() for l in answer.splitlines()[1:] if l.strip()]
    print(f"qemu-monitor: {command}: {' / '.join(lines) or 'ok'}")
    return 1 if any("rror" in l for l in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
