"""scripts/bench's figures, from the rounds' raw numbers: medians with their
spread (min-max), the table for people, the comparisons with the baselines
and the issue's targets, and the JSON document for scripts."""
import json
import os
import platform
import statistics
import subprocess
import time

METRICS = ["jobs_per_sec", "cpu_us_per_job", "rss_kb", "p50_ms", "p99_ms", "p50_fixed_ms", "p99_fixed_ms"]
ORDER = ["raw", "host", "host-8783c93", "node"]


def summarise(name, concurrency, jobs, rounds):
    """One result entry from the rounds of one contender at one concurrency; a metric
    no round measured (latency for the raw loop) is null."""
    entry = {"name": name, "concurrency": concurrency, "jobs": jobs, "rounds": len(rounds)}
    spread = {}
    for metric in METRICS:
        values = [r[metric] for r in rounds if r.get(metric) is not None]
        entry[metric] = round(statistics.median(values), 3) if values else None
        spread[metric] = [round(min(values), 3), round(max(values), 3)] if values else None
    rates = [r["latency_rate"] for r in rounds if r.get("latency_rate")]
    entry["latency_load_jobs_per_sec"] = round(statistics.median(rates), 1) if rates else None
    entry["spread"] = spread
    return entry


def _cell(entry, metric, digits):
    value = entry.get(metric)
    if value is None:
        return "n/a"
    low, high = entry["spread"][metric]
    if metric == "rss_kb":
        value, low, high = value / 1024, low / 1024, high / 1024
    return f"{value:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def _find(results, name, concurrency):
    return next((r for r in results if r["name"] == name and r["concurrency"] == concurrency), None)


def comparisons(results, concurrency):
    """The lines comparing today's host with its baselines and the issue's targets."""
    lines = []
    host = _find(results, "host", concurrency)
    if not host:
        return lines
    node = _find(results, "node", concurrency)
    old = _find(results, "host-8783c93", concurrency)
    raw = _find(results, "raw", concurrency)
    if node and node["jobs_per_sec"]:
        ratio = host["jobs_per_sec"] / node["jobs_per_sec"]
        lines.append(f"host throughput / node: {ratio:.2f}x (target >= 2.5x: {'met' if ratio >= 2.5 else 'missed'})")
    if old and old["cpu_us_per_job"]:
        ratio = host["cpu_us_per_job"] / old["cpu_us_per_job"]
        speed = host["jobs_per_sec"] / old["jobs_per_sec"]
        lines.append(f"host CPU per job / host-8783c93: {ratio:.2f}x (target <= 0.5x: "
                     f"{'met' if ratio <= 0.5 else 'missed'}); throughput {speed:.2f}x")
    if raw and raw["jobs_per_sec"]:
        lines.append(f"host throughput / raw loop: {host['jobs_per_sec'] / raw['jobs_per_sec']:.2f}x")
    limit_mb = 10 if concurrency <= 20 else 15 if concurrency <= 50 else None
    if host["rss_kb"] and limit_mb:
        mb = host["rss_kb"] / 1024
        lines.append(f"host peak RSS {mb:.1f} MB (target < {limit_mb} MB at concurrency {concurrency}: "
                     f"{'met' if mb < limit_mb else 'missed'})")
    return lines


def table(results, reload_figures, notes):
    out = []
    for concurrency in sorted({r["concurrency"] for r in results}):
        rows = sorted((r for r in results if r["concurrency"] == concurrency), key=lambda r: ORDER.index(r["name"]))
        first = rows[0]
        out.append(f"concurrency {concurrency}, {first['jobs']:,} no-op jobs per round, "
                   f"median of {first['rounds']} round(s) (min-max)")
        out.append(f"  {'':<13}{'jobs/s':<26}{'CPU µs/job':<20}{'peak RSS MB':<20}{'p50 ms':<20}{'p99 ms':<20}"
                   f"{'p50 ms, same rate':<20}{'p99 ms, same rate':<20}")
        for r in rows:
            out.append(f"  {r['name']:<13}{_cell(r, 'jobs_per_sec', 0):<26}{_cell(r, 'cpu_us_per_job', 1):<20}"
                       f"{_cell(r, 'rss_kb', 1):<20}{_cell(r, 'p50_ms', 2):<20}{_cell(r, 'p99_ms', 2):<20}"
                       f"{_cell(r, 'p50_fixed_ms', 2):<20}{_cell(r, 'p99_fixed_ms', 2):<20}")
        loads = ", ".join(f"{r['name']} {r['latency_load_jobs_per_sec']:,.0f}/s" for r in rows
                          if r.get("latency_load_jobs_per_sec"))
        if loads:
            out.append(f"  p50/p99 at half load: each at a fraction of its own throughput (--latency-load): {loads}; "
                       f"'same rate': every one at --latency-rate")
        out.extend("  " + line for line in comparisons(results, concurrency))
        out.append("")
    if reload_figures:
        out.append("reload gap (50 ms jobs at 300/s, concurrency 20, SIGHUP mid-stream):")
        for f in reload_figures:
            gap = "n/a" if f["gap_ms"] is None else f"{f['gap_ms']:.0f} ms"
            out.append(f"  {f['label']:<36}{gap:>8}   (steady state before it: {f['steady_gap_ms'] or 0:.0f} ms; "
                       f"plugin load {f['plugin_load_ms']} ms; lost {f['lost']}, FAILed {f['failed']})")
        out.append("")
    for note in notes:
        out.append("note: " + note)
    return "\n".join(out).rstrip() + "\n"


def _first_line(command):
    try:
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              timeout=10).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return None


def machine(root, server, extra):
    model = None
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), None)
    except OSError:
        pass
    info = {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "os": _first_line(["sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]),
        "memory_mb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": _first_line(["git", "-C", root, "describe", "--always", "--dirty", "--abbrev=12"]),
        "compiler": _first_line(["c++", "--version"]),
        "node": _first_line(["node", "--version"]),
        "server": server,
    }
    info.update(extra)
    return info


def write_json(path, machine_info, results, reload_figures, notes):
    document = {"machine": machine_info, "results": results, "reload": reload_figures, "notes": notes}
    temporary = path + ".tmp"
    with open(temporary, "w") as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)
    return document
