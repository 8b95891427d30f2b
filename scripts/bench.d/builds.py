"""The binaries scripts/bench measures, built or installed once and cached:
this tree's Release build, the baseline commit's host in a side folder (its
own source tree from `git archive`, never a checkout of this one), and the
Node worker from npm in a folder of the build directory."""
import os
import shutil
import subprocess

TOOLS = ["faktory-host", "faktory-devserver", "faktory-bench-raw-loop", "faktory-bench-latency-push",
         "faktory_bench_plugin", "host_fixture_v1", "faktory-bench-dispatch"]


def _launcher_flags():
    if shutil.which("ccache"):
        return ["-DCMAKE_C_COMPILER_LAUNCHER=ccache", "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"]
    return []


def _run(command, log, cwd=None):
    """Runs a build step, its output to `log`; on failure shows the end of it and stops."""
    with open(log, "a") as out:
        out.write("$ " + " ".join(command) + "\n")
        out.flush()
        result = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        with open(log) as out:
            tail = out.read()[-4000:]
        raise SystemExit(f"{tail}\nbench: `{' '.join(command)}` failed (whole log: {log})")


def build_release(root, build_dir, jobs, configure=True):
    """Configures (unless the caller's own build dir is used as it is) and builds the tools."""
    os.makedirs(build_dir, exist_ok=True)
    log = os.path.join(build_dir, "bench-build.log")
    if configure:
        _run(["cmake", "-S", root, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release"] + _launcher_flags(), log)
    _run(["cmake", "--build", build_dir, "--parallel", str(jobs), "--target"] + TOOLS, log)
    return {
        "host": os.path.join(build_dir, "bin", "faktory-host"),
        "devserver": os.path.join(build_dir, "bin", "faktory-devserver"),
        "raw_loop": os.path.join(build_dir, "bin", "faktory-bench-raw-loop"),
        "latency_push": os.path.join(build_dir, "bin", "faktory-bench-latency-push"),
        "dispatch": os.path.join(build_dir, "bin", "faktory-bench-dispatch"),
        "bench_plugin": os.path.join(build_dir, "tests", "bench", "plugins", "faktory_bench_plugin.so"),
        "reload_fixture": os.path.join(build_dir, "tests", "integration", "fixtures", "host_fixture_v1.so"),
    }


def build_baseline(root, commit, side_dir, jobs):
    """The baseline's faktory-host, or (None, why not). Built once: the source is
    extracted only when missing, and ccache and the build folder make reruns cheap."""
    if not shutil.which("git"):
        return None, "git is not installed"
    probe = subprocess.run(["git", "-C", root, "rev-parse", "--verify", "--quiet", commit + "^{commit}"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if probe.returncode != 0:
        return None, f"commit {commit} is not in this checkout's git history"
    source = os.path.join(side_dir, "src")
    build = os.path.join(side_dir, "build")
    host = os.path.join(build, "bin", "faktory-host")
    os.makedirs(side_dir, exist_ok=True)
    log = os.path.join(side_dir, "bench-build.log")
    if not os.path.isfile(os.path.join(source, "CMakeLists.txt")):
        os.makedirs(source, exist_ok=True)
        archive = subprocess.Popen(["git", "-C", root, "archive", commit], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", source], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            shutil.rmtree(source)
            return None, f"git archive {commit} failed"
    if not os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        _run(["cmake", "-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DFAKTORY_BUILD_TESTS=OFF"]
             + _launcher_flags(), log)
    _run(["cmake", "--build", build, "--parallel", str(jobs), "--target", "faktory-host"], log)
    return host, None


def install_node_worker(root, folder):
    """npm ci of tests/bench/node into `folder` (skipped when its lock file is
    already installed there); returns (path of worker.js, None) or (None, why not)."""
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            return None, f"'{tool}' is not installed (scripts/setup installs Debian's nodejs and npm)"
    source = os.path.join(root, "tests", "bench", "node")
    lock = os.path.join(source, "package-lock.json")
    marker = os.path.join(folder, ".installed-lock.json")
    os.makedirs(folder, exist_ok=True)
    for name in ("package.json", "worker.js"):
        shutil.copyfile(os.path.join(source, name), os.path.join(folder, name))
    installed = os.path.isfile(os.path.join(folder, "node_modules", "faktory-worker", "package.json"))
    if not (installed and os.path.isfile(marker) and open(marker).read() == open(lock).read()):
        shutil.copyfile(lock, os.path.join(folder, "package-lock.json"))
        result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            return None, "npm ci failed: " + result.stdout.strip()[-400:]
        shutil.copyfile(lock, marker)
    return os.path.join(folder, "worker.js"), None


def node_worker_version(folder):
    try:
        import json
        with open(os.path.join(folder, "node_modules", "faktory-worker", "package.json")) as package:
            return json.load(package)["version"]
    except (OSError, ValueError, KeyError):
        return None
