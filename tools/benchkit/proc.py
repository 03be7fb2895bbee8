"""proc.py - run one timed process for tools/bench: wall time, peak RSS,
exit status and output, plus the small statistics the bench needs.

The peak RSS comes from /usr/bin/time -f %M, not from the rusage Python
gets: Python starts programs with vfork, and Linux then counts the
parent's own peak as the child's when it execs (a 250-point build showed
217 MiB, the bench's own, after the 10^6 set). time is small and forks, so the
figure is the program's own. Linux reports the largest resident set of
the process or of any descendant it waited for, not their sum;
multi-process peers report their own sum (mapnik_tiles.py).
"""
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

TIME = "/usr/bin/time"
TIMING = re.compile(r"^trustmap: timing: (.+): ([0-9.]+) s$")


class Failed(Exception):
    """A measured program exited with an error."""


def run(cmd, cwd=None, env=None):
    """Run cmd (a list); return a dict with seconds, rss_kib, stdout and
    stderr (text). Raises Failed when it exits non-zero."""
    # Every program here writes thousands of files: without a sync first,
    # the kernel would still be writing the last one's while the next one
    # is timed.
    os.sync()
    rss = tempfile.NamedTemporaryFile("r", prefix="bench-rss-")
    t0 = time.perf_counter()
    p = subprocess.Popen([TIME, "-q", "-f", "%M", "-o", rss.name] + cmd,
                         cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    # Both pipes are drained by threads, so neither can fill up and stall
    # the program while the clock runs.
    out = {}

    def drain(name, stream):
        out[name] = stream.read()

    th = [threading.Thread(target=drain, args=(n, s))
          for n, s in (("stdout", p.stdout), ("stderr", p.stderr))]
    for t in th:
        t.start()
    p.wait()
    seconds = time.perf_counter() - t0
    for t in th:
        t.join()
    if p.returncode:
        raise Failed("%s exited with %d:\n%s" % (
            " ".join(cmd), p.returncode, out["stderr"][-2000:]))
    with rss:
        rss_kib = int(rss.read().split()[-1])
    return {"seconds": seconds, "rss_kib": rss_kib,
            "stdout": out["stdout"], "stderr": out["stderr"]}


def timings(stderr):
    """trustmap --timings lines as {stage: seconds}."""
    found = {}
    for line in stderr.splitlines():
        m = TIMING.match(line.strip())
        if m:
            found[m.group(1)] = float(m.group(2))
    return found


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


_trash = {"dir": None, "n": 0}


def use_trash(folder):
    """Where fresh() moves what it clears (a folder on the same file
    system as the runs)."""
    os.makedirs(folder, exist_ok=True)
    _trash["dir"] = folder


def fresh(path):
    """Clear path (a folder or file) for a new run, and return it. What
    was there goes to the trash folder, not away: after thousands of files
    are deleted, ext4 without a journal is slow to create files for a
    minute (it passes over inodes freed in the last 60 s), and the next
    timed run would pay for it. empty_trash() deletes it all once nothing
    more is timed."""
    if os.path.lexists(path):
        if _trash["dir"]:
            _trash["n"] += 1
            os.rename(path, os.path.join(_trash["dir"], "%d-%d" % (
                os.getpid(), _trash["n"])))
        elif os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    return path


def empty_trash():
    """Delete what fresh() moved to the trash; True if there was any."""
    folder = _trash["dir"]
    if not folder or not os.listdir(folder):
        return False
    shutil.rmtree(folder)
    os.makedirs(folder)
    return True
