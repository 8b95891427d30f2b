"""The workers scripts/bench compares, each started as one process of its own
(so /proc accounts exactly that process): faktory-host (this build or the
baseline's) with the bench plugin, and the Node worker. The raw loop is no
worker process of this kind; measure.py runs it directly."""
import os
import shutil
import subprocess


class Worker:
    """A started worker: its process and the log it writes."""

    def __init__(self, process, log):
        self.process = process
        self.log = log

    @property
    def pid(self):
        return self.process.pid

    def check_alive(self, what):
        if self.process.poll() is not None:
            raise SystemExit(f"{self.tail()}\nbench: {what} exited with status {self.process.returncode} "
                             f"(log: {self.log})")

    def tail(self):
        try:
            with open(self.log, errors="replace") as log:
                return log.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        """SIGKILL. Every figure has been read by then (CPU, VmHWM, latency samples) and
        the queue is empty; an orderly exit would only wait for each processor's blocked
        FETCH (2 s on an empty queue), which was most of --quick's time."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class HostContender:
    """faktory-host with the bench plugin alone in its plugin folder."""

    def __init__(self, name, host_binary, bench_plugin, url):
        self.name = name
        self.host_binary = host_binary
        self.bench_plugin = bench_plugin
        self.url = url

    def start(self, workdir, queue, concurrency, latency_out=None, latency_expect=0):
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        plugins = os.path.join(workdir, "plugins")
        os.makedirs(plugins, mode=0o700, exist_ok=True)
        installed = os.path.join(plugins, "bench.so")
        shutil.copyfile(self.bench_plugin, installed)
        os.chmod(installed, 0o755)
        plugin_config = ""
        if latency_out:
            plugin_config = f", config: {{ bench: {{ out: '{latency_out}', expect: {latency_expect} }} }}"
        config = os.path.join(workdir, "host.yaml")
        with open(config, "w") as file:
            # Log level warning: no per-job INFO line in what is measured.
            file.write(f"faktory: {{ url: '{self.url}' }}\n"
                       f"worker: {{ concurrency: {concurrency}, queues: ['{queue}'], shutdown_timeout: 5s }}\n"
                       f"plugins: {{ dir: '{plugins}'{plugin_config} }}\n"
                       "log: { level: warning }\n")
        log = os.path.join(workdir, "host.log")
        with open(log, "w") as out:
            process = subprocess.Popen([self.host_binary, "--config", config], stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        return Worker(process, log)


class NodeContender:
    """The official Node worker (npm faktory-worker) running tests/bench/node/worker.js."""

    def __init__(self, worker_js, url):
        self.name = "node"
        self.worker_js = worker_js
        self.url = url

    def start(self, workdir, queue, concurrency, latency_out=None, latency_expect=0):
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        environment = dict(os.environ, FAKTORY_URL=self.url, BENCH_QUEUE=queue, BENCH_CONCURRENCY=str(concurrency))
        if latency_out:
            environment.update(BENCH_LATENCY_OUT=latency_out, BENCH_LATENCY_EXPECT=str(latency_expect))
        log = os.path.join(workdir, "node.log")
        with open(log, "w") as out:
            process = subprocess.Popen(["node", self.worker_js], stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env=environment,
                                       cwd=os.path.dirname(self.worker_js))
        return Worker(process, log)
