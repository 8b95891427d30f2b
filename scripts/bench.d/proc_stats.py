"""What the kernel accounts to one process, read from /proc while it lives:
CPU time (utime + stime of all its threads) and peak resident memory (VmHWM:
this process's own high-water mark, unlike a child's ru_maxrss, which carries
the forking parent's peak across exec)."""
import os

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces: count fields after its ')'.
        fields = stat.read().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / _TICKS_PER_SECOND


def peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def ticks_per_second():
    return _TICKS_PER_SECOND
