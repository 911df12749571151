"""Tests of the worker helper (run by PythonHelperTest with the system's python3)."""
import io
import json
import os
import tempfile
import unittest

import tessera


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.saved = dict(os.environ)

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.saved)

    def line(self, *args, **kwargs):
        out = io.StringIO()
        tessera.report(*args, file=out, **kwargs)
        return out.getvalue()

    def test_a_line_the_agent_reads(self):
        os.environ["TESSERA_SPLIT_VERSION"] = "2"
        self.assertEqual(self.line(7, total=100, samples_per_sec=41.5, loss=2.25, lr=3e-4),
                         "TESSERA_PROGRESS step=7 total=100 samples_per_sec=41.500000 split=2 loss=2.25 lr=0.0003\n")

    def test_what_the_scheduler_would_refuse_is_left_out(self):
        os.environ.pop("TESSERA_SPLIT_VERSION", None)
        line = self.line(1, loss=float("nan"), acc=float("inf"), note="text", flag=True, **{"bad name": 1.0})
        self.assertEqual(line, "TESSERA_PROGRESS step=1\n")
        many = self.line(1, **{f"m{i}": i for i in range(40)})
        self.assertEqual(len(many.split()) - 2, tessera.MAX_METRICS)

    def test_a_scalar_that_knows_item_is_a_number(self):
        class Scalar:
            def item(self):
                return 0.5
        self.assertIn("loss=0.5", self.line(3, loss=Scalar()))

    def test_a_negative_step_is_an_error(self):
        with self.assertRaises(ValueError):
            tessera.report(-1)

    def test_checkpoint(self):
        out = io.StringIO()
        tessera.checkpoint(40, file=out)
        self.assertEqual(out.getvalue(), "TESSERA_CHECKPOINT step=40\n")

    def test_a_checkpoint_says_how_long_it_took_to_write(self):
        out = io.StringIO()
        tessera.checkpoint(40, seconds=12.5, file=out)
        tessera.checkpoint(41, seconds=float("nan"), file=out)
        self.assertEqual(out.getvalue(), "TESSERA_CHECKPOINT step=40 seconds=12.500\nTESSERA_CHECKPOINT step=41\n")


class SplitTest(unittest.TestCase):
    def setUp(self):
        self.saved = dict(os.environ)

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.saved)

    def test_the_split_files_latest_entry_wins_over_the_start(self):
        os.environ.update({"TESSERA_MICRO_BATCH": "8", "TESSERA_GRAD_ACCUMULATION": "1", "TESSERA_GLOBAL_BATCH": "64"})
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"splits": [{"version": 0, "microBatch": 8, "accumulation": 1},
                                  {"version": 1, "microBatch": 12, "accumulation": 2}]}, f)
        os.environ["TESSERA_SPLIT_FILE"] = f.name
        try:
            self.assertEqual(tessera.split(), (12, 2, 1))
            self.assertAlmostEqual(tessera.batch_weight(), 24 / 64)
        finally:
            os.unlink(f.name)

    def test_without_a_split_file_the_environment_says(self):
        os.environ.pop("TESSERA_SPLIT_FILE", None)
        os.environ.update({"TESSERA_MICRO_BATCH": "5", "TESSERA_GRAD_ACCUMULATION": "3", "TESSERA_GLOBAL_BATCH": "30"})
        self.assertEqual(tessera.split()[:2], (5, 3))
        self.assertAlmostEqual(tessera.batch_weight(), 0.5)


if __name__ == "__main__":
    unittest.main()
