"""Tests of scripts/bench's report code on fixed numbers (run by CTest as
bench_report_test): medians and spread, the comparisons with the targets, the
reload-gap log reading, a JSON file that parses back to what was written,
and URLs printed without their password."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import faktory_wire  # noqa: E402
import measure  # noqa: E402
import reload_gap  # noqa: E402
import report  # noqa: E402


def rounds(*rates, cpu=10.0, rss=9000, p50=None, p99=None):
    return [{"jobs_per_sec": rate, "cpu_us_per_job": cpu + i, "rss_kb": rss + i, "p50_ms": p50, "p99_ms": p99,
             "latency_rate": rate / 2 if p50 is not None else None} for i, rate in enumerate(rates)]


class ReportTest(unittest.TestCase):
    def test_median_and_spread_per_metric_and_null_when_unmeasured(self):
        entry = report.summarise("raw", 20, 1000, rounds(300.0, 100.0, 200.0))
        self.assertEqual(entry["jobs_per_sec"], 200.0)
        self.assertEqual(entry["spread"]["jobs_per_sec"], [100.0, 300.0])
        self.assertEqual(entry["cpu_us_per_job"], 11.0)
        self.assertEqual(entry["rss_kb"], 9001)
        self.assertIsNone(entry["p50_ms"])
        self.assertIsNone(entry["spread"]["p99_ms"])
        self.assertEqual(entry["rounds"], 3)

    def test_comparisons_name_the_targets_met_and_missed(self):
        results = [report.summarise("host", 20, 1000, rounds(3000.0, cpu=20.0, rss=9 * 1024, p50=0.2, p99=1.0)),
                   report.summarise("host-8783c93", 20, 1000, rounds(2000.0, cpu=50.0, p50=0.2, p99=1.0)),
                   report.summarise("node", 20, 1000, rounds(1000.0, cpu=100.0, p50=0.2, p99=1.0))]
        lines = report.comparisons(results, 20)
        self.assertIn("host throughput / node: 3.00x (target >= 2.5x: met)", lines)
        self.assertTrue(any(line.startswith("host CPU per job / host-8783c93: 0.40x (target <= 0.5x: met)")
                            for line in lines))
        self.assertIn("host peak RSS 9.0 MB (target < 10 MB at concurrency 20: met)", lines)
        text = report.table(results, [], ["node skipped: npm is not installed"])
        self.assertIn("note: node skipped: npm is not installed", text)
        self.assertIn("3,000 (3,000-3,000)", text)

    def test_json_file_parses_back(self):
        results = [report.summarise("host", 50, 20000, rounds(1000.0, 1200.0, p50=0.3, p99=2.5))]
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "bench.json")
            written = report.write_json(path, {"cores": 2}, results, [], [])
            with open(path) as file:
                document = json.load(file)
        self.assertEqual(document, json.loads(json.dumps(written)))
        self.assertEqual(document["results"][0]["name"], "host")
        self.assertEqual(document["results"][0]["jobs_per_sec"], 1100.0)
        self.assertEqual(document["results"][0]["p99_ms"], 2.5)

    def test_nearest_rank_percentiles(self):
        values = list(range(1, 101))
        self.assertEqual(measure._percentile(values, 0.50), 50)
        self.assertEqual(measure._percentile(values, 0.99), 99)
        self.assertEqual(measure._percentile([7], 0.99), 7)

    def test_reload_gap_read_from_a_host_log(self):
        lines = ["2026-01-01T10:00:00.000Z job done in 50 ms",
                 "2026-01-01T10:00:00.600Z job done in 50 ms",
                 "2026-01-01T10:00:00.650Z job done in 50 ms",
                 "2026-01-01T10:00:01.500Z job done in 50 ms",
                 "2026-01-01T10:00:02.000Z job done in 50 ms",
                 "2026-01-01T10:00:03.000Z reload requested (SIGHUP)",
                 "2026-01-01T10:00:03.004Z generation 1 -> 2 in 4 ms; new wid",
                 "2026-01-01T10:00:03.010Z job done in 50 ms",
                 "2026-01-01T10:00:03.090Z job done in 50 ms"]
        worst, steady, load = reload_gap.gap_figures(lines)
        self.assertEqual(load, 4)
        self.assertAlmostEqual(steady, 850, places=3)  # 0.65 s -> 1.5 s: before the window, after the first 0.5 s
        self.assertAlmostEqual(worst, 1010, places=3)  # 2.0 s -> 3.01 s, across the reload


class MaskTest(unittest.TestCase):
    def test_the_password_of_a_url_is_never_shown(self):
        self.assertEqual(faktory_wire.masked("tcp://:s3cret@faktory:7419"), "tcp://:***@faktory:7419")
        self.assertEqual(faktory_wire.masked("tcp://127.0.0.1:7419"), "tcp://127.0.0.1:7419")
        self.assertEqual(faktory_wire.masked("--jobs"), "--jobs")


if __name__ == "__main__":
    unittest.main()
