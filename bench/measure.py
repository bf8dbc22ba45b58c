"""Whole-process measurement shared by the benches: wall, CPU and peak memory of one command.

``measure(cmd)`` starts a fresh, small intermediate Python process (``python -I -S``: no site,
no project imports, about 10 MB) that starts ``cmd``, waits for it with ``os.wait4`` and
prints, as one JSON line, the command's exit code, wall seconds, user and system CPU seconds
and ``ru_maxrss`` (the largest resident set of the command or any descendant it waited for).
Why the intermediate: Linux carries a parent's high-water mark into a child's ``ru_maxrss``
when the child is forked and execs, so a bench process that had built a big file would
inflate every measurement; the intermediate never grows.

The intermediate also samples, every 20 ms, the command's process tree: the sum of resident
sets (``VmRSS``) plus the pages of memory files (Linux ``memfd``, where icefacts stages large
sheets: memory, but not in RSS unless mapped), each file counted once; and, as
``sampled_memory_once_mib``, the same with the mapped memory-file pages (``RssShmem``) taken
out of RSS so no page counts twice. Peaks are reported beside ``ru_maxrss``. Sampling can
miss a spike shorter than 20 ms; ``ru_maxrss`` cannot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_LAUNCHER = r"""
import json, os, sys, threading, time

cmd = json.loads(sys.argv[1])
timeout = float(sys.argv[2])
out = open(sys.argv[3], "wb")
err = open(sys.argv[4], "wb")
env = dict(os.environ)
t0 = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, env, file_actions=[
    (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
    (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
    (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
])
peak = {"tree_rss_kib": 0, "memfd_kib": 0, "tree_rss_plus_memfd_kib": 0, "shmem_kib": 0,
        "once_kib": 0, "samples": 0}
stop = threading.Event()


def tree(root):
    seen, todo = [], [root]
    while todo:
        p = todo.pop()
        seen.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return seen


def sample():
    rss, shmem, files = 0, 0, {}
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("RssShmem:"):
                        shmem += int(line.split()[1])
            for fd in os.listdir(f"/proc/{p}/fd"):
                try:
                    if os.readlink(f"/proc/{p}/fd/{fd}").startswith("/memfd:"):
                        st = os.stat(f"/proc/{p}/fd/{fd}")
                        files[st.st_ino] = st.st_blocks // 2  # KiB held, not nominal size
                except OSError:
                    pass
        except OSError:
            pass
    staged = sum(files.values())
    peak["tree_rss_kib"] = max(peak["tree_rss_kib"], rss)
    peak["memfd_kib"] = max(peak["memfd_kib"], staged)
    peak["tree_rss_plus_memfd_kib"] = max(peak["tree_rss_plus_memfd_kib"], rss + staged)
    peak["shmem_kib"] = max(peak["shmem_kib"], shmem)
    # memory-file pages mapped into the process are in RSS too (RssShmem): counted once here
    peak["once_kib"] = max(peak["once_kib"], rss - shmem + staged)
    peak["samples"] += 1


def sampler():
    while not stop.wait(0.02):
        sample()


th = threading.Thread(target=sampler, daemon=True)
th.start()
killed = False
while True:
    got, status, usage = os.wait4(pid, os.WNOHANG)
    if got:
        break
    if time.perf_counter() - t0 > timeout:
        os.kill(pid, 9)
        killed = True
        got, status, usage = os.wait4(pid, 0)
        break
    time.sleep(0.005)
wall = time.perf_counter() - t0
stop.set()
th.join()
print(json.dumps({
    "exit_code": os.waitstatus_to_exitcode(status),
    "timed_out": killed,
    "wall_s": wall,
    "user_s": usage.ru_utime,
    "sys_s": usage.ru_stime,
    "cpu_s": usage.ru_utime + usage.ru_stime,
    "maxrss_mib": usage.ru_maxrss / 1024,
    "sampled_tree_rss_mib": peak["tree_rss_kib"] / 1024,
    "sampled_memfd_mib": peak["memfd_kib"] / 1024,
    "sampled_rss_plus_memfd_mib": peak["tree_rss_plus_memfd_kib"] / 1024,
    "sampled_rss_shmem_mib": peak["shmem_kib"] / 1024,
    "sampled_memory_once_mib": peak["once_kib"] / 1024,
    "samples": peak["samples"],
}))
"""


def measure(
    cmd: list[str], workdir: Path, timeout: float = 1800, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``cmd`` (its first element an absolute path) through the intermediate; returns the
    figures above plus ``stdout`` and ``stderr`` (text, the last 4,000 characters)."""
    workdir.mkdir(parents=True, exist_ok=True)
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            _LAUNCHER,
            json.dumps(cmd),
            str(timeout),
            str(out),
            str(err),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=timeout + 60,
    )
    if done.returncode != 0:
        raise SystemExit(f"measuring {cmd[0]} failed: {done.stderr.strip()[-1000:]}")
    r: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    r["stdout"] = out.read_text(errors="replace")[-4000:]
    r["stderr"] = err.read_text(errors="replace")[-4000:]
    out.unlink(missing_ok=True)
    err.unlink(missing_ok=True)
    return r


def own_peak_mib() -> float:
    """This process's own high-water mark (VmHWM), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
