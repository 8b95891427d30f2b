"""The reload gap (the hot-reload issue's figure): a steady stream of 50 ms
Sleep jobs at 300/s into faktory-host at concurrency 20, SIGHUP in the middle;
the longest gap between two job completions around the reload, once plain and
once with a long job running across it; jobs lost or FAILed are counted
(target: gap < 100 ms + plugin load, 0 lost, 0 FAILed). Completion times come
from the host's "done in" log lines (millisecond stamps), so this run logs at
level information."""
import os
import re
import shutil
import signal
import subprocess
import time

import measure

_STAMP = re.compile(r"T(\d\d):(\d\d):(\d\d(?:\.\d+)?)")
_PLUGIN_LOAD = re.compile(r"generation \d+ -> \d+.* in (\d+) ms;")


def _stamp_ms(line):
    match = _STAMP.search(line.split(" ", 1)[0])
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    return (int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000


def gap_figures(log_lines):
    """From a host log: (longest gap around the reload, longest gap in the steady state
    before it, plugin load ms or None), all in ms."""
    done, reload_at, load_ms = [], None, None
    for line in log_lines:
        if " done in " in line:
            stamp = _stamp_ms(line)
            if stamp is not None:
                done.append(stamp)
        elif "reload requested" in line and reload_at is None:
            reload_at = _stamp_ms(line)
        elif load_ms is None:
            match = _PLUGIN_LOAD.search(line)
            if match:
                load_ms = int(match.group(1))
    if reload_at is None or len(done) < 2:
        return None, None, load_ms
    worst = steady = 0
    for before, after in zip(done, done[1:]):
        gap = after - before
        if after >= reload_at - 1000 and before <= reload_at + 2000:
            worst = max(worst, gap)
        elif after < reload_at - 1000 and before > done[0] + 500:
            steady = max(steady, gap)
    return worst, steady, load_ms


def run(label, tools, server, url, workdir, long_ms, stream_jobs, hup_after_s):
    queue = f"reload{long_ms}"
    os.makedirs(os.path.join(workdir, "plugins"), mode=0o700, exist_ok=True)
    fixture = os.path.join(workdir, "plugins", "host_fixture.so")
    shutil.copyfile(tools["reload_fixture"], fixture)
    os.chmod(fixture, 0o755)
    config = os.path.join(workdir, "host.yaml")
    with open(config, "w") as file:
        file.write(f"faktory: {{ url: '{url}' }}\n"
                   f"worker: {{ concurrency: 20, queues: ['{queue}'], shutdown_timeout: 25s }}\n"
                   f"plugins: {{ dir: '{os.path.join(workdir, 'plugins')}' }}\n"
                   "log: { level: information }\n")
    processed0, failed0 = server.counts()
    log = os.path.join(workdir, "host.log")
    with open(log, "w") as out:
        host = subprocess.Popen([tools["host"], "--config", config], stdout=out, stderr=subprocess.STDOUT)
    try:
        until = time.monotonic() + 30
        while "worker running" not in open(log, errors="replace").read():
            if host.poll() is not None or time.monotonic() > until:
                raise SystemExit(open(log).read()[-3000:] + "\nbench: faktory-host did not start for the reload gap")
            time.sleep(0.05)
        total = stream_jobs
        if long_ms > 0:
            measure.run_tool([tools["raw_loop"], "push", "--url", url, "--jobs", "1", "--jobtype", "Sleep",
                              "--args", f"[{long_ms}]", "--queue", queue])
            total += 1
        pusher = subprocess.Popen([tools["raw_loop"], "push", "--url", url, "--jobs", str(stream_jobs), "--rate", "300",
                                   "--jobtype", "Sleep", "--args", "[50]", "--queue", queue], stdout=subprocess.DEVNULL)
        time.sleep(hup_after_s)
        host.send_signal(signal.SIGHUP)
        pusher.wait()
        until = time.monotonic() + 60 + long_ms / 1000
        while server.counts()[0] < processed0 + total and time.monotonic() < until:
            time.sleep(0.1)
    finally:
        host.send_signal(signal.SIGTERM)
        try:
            host.wait(timeout=40)
        except subprocess.TimeoutExpired:
            host.kill()
            host.wait()
    processed1, failed1 = server.counts()
    worst, steady, load_ms = gap_figures(open(log, errors="replace").read().splitlines())
    return {
        "label": label,
        "long_job_ms": long_ms,
        "gap_ms": worst,
        "steady_gap_ms": steady,
        "plugin_load_ms": load_ms,
        "lost": total - (processed1 - processed0),
        "failed": failed1 - failed0,
    }
