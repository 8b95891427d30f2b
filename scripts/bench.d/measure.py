"""One measurement of one contender: draining N pre-pushed no-op jobs
(throughput, CPU per job, peak RSS), or a steady load at a given rate
(push-to-start latency). Every wait is bounded by a deadline."""
import math
import os
import subprocess
import time

import faktory_wire
import proc_stats

POLL_SECONDS = 0.005  # how often the server's processed count is read while a worker drains


def _parse_fields(line):
    return {key: value for key, _, value in (part.partition("=") for part in line.split())}


def run_tool(command):
    """Runs one of the bench tools to its end; its stdout, or a stop naming the command."""
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        shown = " ".join(faktory_wire.masked(part) for part in command)
        raise SystemExit(f"{result.stderr.strip()}\nbench: `{shown}` failed ({result.returncode})")
    return result.stdout


def push_noop(tools, url, queue, jobs):
    run_tool([tools["raw_loop"], "push", "--url", url, "--jobs", str(jobs), "--batch", "1000",
              "--queue", queue, "--jobtype", "Noop"])


def _wait_for(condition, deadline_seconds, what, check=None):
    until = time.monotonic() + deadline_seconds
    while True:
        value = condition()
        if value:
            return value
        if check:
            check()
        if time.monotonic() > until:
            raise SystemExit(f"bench: timed out after {deadline_seconds:.0f} s waiting for {what}")
        time.sleep(POLL_SECONDS)


def run_raw(tools, url, queue, concurrency, jobs, workdir):
    """faktory-bench-raw-loop: C connections doing FETCH then ACK on the protocol client
    alone. Its own clock gives jobs/s; the kernel's rusage of the process (wait4) gives
    CPU (start-up included: a C++ binary opening C sockets); VmHWM is read every 20 ms
    while it runs (the last reading before it exits)."""
    push_noop(tools, url, queue, jobs)
    log = os.path.join(workdir, "raw.log")
    os.makedirs(workdir, exist_ok=True)
    with open(log, "w") as err:
        process = subprocess.Popen([tools["raw_loop"], "consume", "--url", url, "--jobs", str(jobs),
                                    "--connections", str(concurrency), "--queue", queue],
                                   stdout=subprocess.PIPE, stderr=err, text=True)
    hwm = None
    until = time.monotonic() + max(60, jobs / 200)
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        try:
            hwm = proc_stats.peak_rss_kb(process.pid) or hwm
        except OSError:
            pass  # it is exiting: the last reading stands
        if time.monotonic() > until:
            process.kill()
            raise SystemExit("bench: the raw loop did not finish in time")
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    output = process.stdout.read()
    if process.returncode != 0:
        raise SystemExit(f"{open(log).read()}\nbench: the raw loop failed ({process.returncode}): {output}")
    fields = _parse_fields(output.strip().splitlines()[-1])
    return {
        "jobs_per_sec": float(fields["jobs_per_s"]),
        "cpu_us_per_job": (usage.ru_utime + usage.ru_stime) * 1e6 / jobs,
        "rss_kb": hwm,
    }


def run_drain(contender, tools, server, url, queue, concurrency, jobs, workdir):
    """Pushes N Noop jobs, starts the worker, and times it from the first job the server
    counts as processed to the last (start-up excluded; the server's count is read every
    5 ms). CPU is the process's utime+stime over that same window; VmHWM is read just
    before it is stopped."""
    push_noop(tools, url, queue, jobs)
    base = server.processed()
    worker = contender.start(workdir, queue, concurrency)
    try:
        what = f"{contender.name} to start processing"
        p0 = _wait_for(lambda: (lambda p: p if p > base else None)(server.processed()), 60, what,
                       lambda: worker.check_alive(contender.name))
        t0 = time.monotonic()
        cpu0 = proc_stats.cpu_seconds(worker.pid)
        target = base + jobs
        p1 = _wait_for(lambda: (lambda p: p if p >= target else None)(server.processed()), max(60, jobs / 100),
                       f"{contender.name} to process {jobs} jobs", lambda: worker.check_alive(contender.name))
        t1 = time.monotonic()
        cpu1 = proc_stats.cpu_seconds(worker.pid)
        hwm = proc_stats.peak_rss_kb(worker.pid)
    finally:
        worker.stop()
    counted = p1 - p0
    if counted < jobs / 2:
        raise SystemExit(f"bench: {contender.name} drained {jobs} jobs before the first two 5 ms readings could "
                         f"time it ({counted} counted); give it more with --jobs")
    return {
        "jobs_per_sec": counted / (t1 - t0),
        "cpu_us_per_job": (cpu1 - cpu0) * 1e6 / counted,
        "rss_kb": hwm,
    }


def _percentile(sorted_values, fraction):
    """Nearest rank: the smallest value with at least `fraction` of all at or below it."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def run_latency(contender, tools, server, url, queue, concurrency, rate, seconds, workdir):
    """A steady load of Latency jobs at `rate` for about `seconds`; each carries its push
    time and the handler records start - push. The worker is warmed up first (one Noop
    job processed) so its start-up is not counted as latency. Returns p50 and p99 in ms."""
    count = max(200, int(rate * seconds))
    out = os.path.join(workdir, "latency.txt")
    if os.path.exists(out):
        os.unlink(out)
    worker = contender.start(workdir, queue, concurrency, latency_out=out, latency_expect=count)
    try:
        base = server.processed()
        push_noop(tools, url, queue, 1)
        _wait_for(lambda: server.processed() > base, 60, f"{contender.name} to start processing",
                  lambda: worker.check_alive(contender.name))
        time.sleep(0.3)  # the other processors reach their first FETCH
        pushed = run_tool([tools["latency_push"], "--url", url, "--jobs", str(count), "--rate", f"{rate:.1f}",
                           "--queue", queue])
        _wait_for(lambda: os.path.exists(out), 60, f"{contender.name}'s latency samples in {out}",
                  lambda: worker.check_alive(contender.name))
    finally:
        worker.stop()
    samples = sorted(int(line) for line in open(out) if line.strip())
    push_rate = float(_parse_fields(pushed.strip().splitlines()[-1])["jobs_per_s"])
    return {
        "p50_ms": _percentile(samples, 0.50) / 1000.0,
        "p99_ms": _percentile(samples, 0.99) / 1000.0,
        "latency_rate": push_rate,
        "latency_samples": len(samples),
    }
