"""Unit tests of the locustfile's parts, run by LocustfileTest (load module) with Debian's python3:

    cd load/locust && /usr/bin/python3 -m unittest -v test_locustfile

With QUETZAL_TEST_OUT set, the Run test leaves its outcome files there, so the Java side can check
that RunLog reads exactly what this side writes.
"""

import json
import os
import tempfile
import types
import unittest

import locustfile as lf

HERE = os.path.dirname(os.path.abspath(__file__))


def vote(name="Malacates Trébol Shop", album="Resaca", year="2002", rank="87", **extra):
    return dict(name=name, album=album, year=year, rank=rank, **extra)


class RowTest(unittest.TestCase):
    def test_http_body_is_the_vote_plus_its_vote_id_with_accents_intact(self):
        row = lf.Row(3, vote(voteId="t1-000003"))
        body = row.http_body("q1.http.0.t1-000003")
        self.assertEqual(json.loads(body.decode("utf-8")), vote(voteId="q1.http.0.t1-000003"))
        self.assertIn("Trébol".encode("utf-8"), body)
        self.assertEqual(row.row_id, "t1-000003")

    def test_a_row_without_a_usable_vote_id_is_named_by_its_index(self):
        self.assertEqual(lf.Row(7, vote()).row_id, "r7")
        self.assertEqual(lf.Row(8, vote(voteId="has space")).row_id, "r8")
        self.assertEqual(json.loads(lf.Row(0, {}).http_body("x")), {"voteId": "x"})

    def test_grpc_fields_type_what_can_be_typed_and_leave_out_the_rest(self):
        self.assertEqual(lf.grpc_fields(vote()), {"name": "Malacates Trébol Shop", "album": "Resaca", "year": 2002, "rank": 87})
        self.assertEqual(lf.grpc_fields(vote(rank="0", year=1983.0)), {"name": "Malacates Trébol Shop", "album": "Resaca", "year": 1983, "rank": 0})
        for bad in ("ninety", "", "8.5", "1e2", "99999999999", None, True):
            self.assertNotIn("rank", lf.grpc_fields(vote(rank=bad)), bad)
        self.assertNotIn("name", lf.grpc_fields(vote(name="")))
        self.assertEqual(lf.grpc_fields(vote(voterId="v-9"))["voter_id"], "v-9")


class DeckTest(unittest.TestCase):
    def test_once_takes_every_row_in_order_then_nothing(self):
        deck = lf.Deck(3, "once", lf.random.Random(1))
        self.assertEqual([deck.next() for _ in range(4)], [(0, 0), (0, 1), (0, 2), None])
        self.assertTrue(deck.exhausted)

    def test_random_reshuffles_a_new_pass_whenever_the_file_runs_out(self):
        deck = lf.Deck(50, "random", lf.random.Random(1))
        first = [deck.next() for _ in range(50)]
        second = [deck.next() for _ in range(50)]
        self.assertEqual({p for p, _ in first}, {0})
        self.assertEqual({p for p, _ in second}, {1})
        self.assertEqual(sorted(i for _, i in first), list(range(50)))
        self.assertEqual(sorted(i for _, i in second), list(range(50)))
        self.assertNotEqual([i for _, i in first], list(range(50)))
        self.assertFalse(deck.exhausted)


class StubsTest(unittest.TestCase):
    def test_optional_becomes_a_one_field_oneof(self):
        text = "message Vote {\n  string name = 1;\n  optional int32 year = 3;\n    optional int32 rank = 4;\n}\n"
        self.assertEqual(lf.spell_optional_as_oneof(text),
                         "message Vote {\n  string name = 1;\n  oneof _year { int32 year = 3; }\n"
                         "    oneof _rank { int32 rank = 4; }\n}\n")

    def test_stubs_generate_from_the_repo_proto_and_keep_presence_of_a_zero(self):
        with tempfile.TemporaryDirectory() as stubs:
            pb2, pb2_grpc = lf.generate_stubs(lf.DEFAULT_PROTO_DIR, stubs)
            zero = pb2.Vote(name="x", rank=0)
            self.assertTrue(zero.HasField("rank"))
            self.assertFalse(zero.HasField("year"))
            # Field 4, varint, value 0: on the wire, so the server can say "out of range", not "missing".
            self.assertIn(b"\x20\x00", zero.SerializeToString())
            self.assertTrue(hasattr(pb2_grpc, "VoteServiceStub"))


class FakeRunner:
    def __init__(self):
        self.quit_calls = 0

    def quit(self):
        self.quit_calls += 1


class RunTest(unittest.TestCase):
    def test_outcomes_and_summary_are_written_as_the_reconciler_reads_them(self):
        out = os.environ.get("QUETZAL_TEST_OUT") or tempfile.mkdtemp()
        traffic = os.path.join(out, "traffic.json")
        with open(traffic, "w", encoding="utf-8") as f:
            json.dump([vote(voteId="t1-000000"), vote(rank="0"), vote(voteId="t1-000000")], f, ensure_ascii=False)
        runner = FakeRunner()
        env = types.SimpleNamespace(
            parsed_options=types.SimpleNamespace(
                run_id="qtest-1", traffic=traffic, draw="once", max_retries=2, shuffle_seed=1,
                num_users=2, rate=0, outcomes_dir=out, ingest_metrics=""),
            user_classes=[lf.HttpVoter, lf.GrpcVoter],
            runner=runner)
        run = lf.Run(env)
        self.assertEqual(run.routes, ["grpc", "http"])

        taken = [run.take("http") for _ in range(3)]
        self.assertEqual([vote_id for _, vote_id, _ in taken],
                         ["qtest-1.http.0.t1-000000", "qtest-1.http.0.r1", "qtest-1.http.0.t1-000000"])
        self.assertIsNone(run.take("http"))
        run.finish(taken[0][0], "accepted", 202, 1, 1700000000.0, 3.25)
        run.finish(taken[1][0], "rejected", 400, 1, 1700000000.1, 1.0)
        grpc_taken = run.take("grpc")
        run.finish(grpc_taken[0], "failed", 14, 3, 1700000000.2, 10.5)
        self.assertEqual(runner.quit_calls, 0)  # http's third vote and grpc's other rows remain
        run.close()  # the third http vote is still in flight: unfinished

        with open(run.outcomes_path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "voteId,route,row,outcome,status,attempts,startMs,latencyMs")
        self.assertEqual(lines[1], "qtest-1.http.0.t1-000000,http,0,accepted,202,1,1700000000000,3.250")
        self.assertEqual(len(lines), 5)
        self.assertIn(",unfinished,0,1,", lines[4])
        with open(run.summary_path, encoding="utf-8") as f:
            summary = json.load(f)
        self.assertEqual(summary["routes"]["http"]["sent"], 3)
        self.assertEqual(summary["routes"]["http"]["unfinished"], 1)
        self.assertEqual(summary["routes"]["grpc"]["failed"], 1)
        self.assertEqual(summary["routes"]["grpc"]["attempts"], 3)
        self.assertGreaterEqual(summary["cpuSeconds"], 0)
        self.assertIsInstance(summary["wallSeconds"], float)
        self.assertIsNone(summary["ingestCpuSeconds"])

    def test_no_vote_is_taken_once_the_test_is_stopping(self):
        env = types.SimpleNamespace(
            parsed_options=types.SimpleNamespace(
                run_id="qtest-2", traffic=lf.DEFAULT_TRAFFIC, draw="random", max_retries=2, shuffle_seed=1,
                num_users=1, rate=0, outcomes_dir=tempfile.mkdtemp(), ingest_metrics=""),
            user_classes=[lf.HttpVoter], runner=FakeRunner())
        run = lf.Run(env)
        self.assertIsNotNone(run.take("http"))
        run.stopping = True
        with self.assertRaises(lf.StopUser):
            run.take("http")
        run.close()

    def test_a_bad_run_id_is_refused(self):
        env = types.SimpleNamespace(
            parsed_options=types.SimpleNamespace(
                run_id="no spaces", traffic=lf.DEFAULT_TRAFFIC, draw="once", max_retries=2, shuffle_seed=1,
                num_users=1, rate=0, outcomes_dir=tempfile.mkdtemp(), ingest_metrics=""),
            user_classes=[lf.HttpVoter], runner=FakeRunner())
        with self.assertRaises(ValueError):
            lf.Run(env)


class IngestCpuTest(unittest.TestCase):
    def test_reads_the_jvm_cpu_time_from_prometheus_text_and_tolerates_absence(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("# HELP process_cpu_time_ns_total x\nprocess_cpu_usage 0.5\nprocess_cpu_time_ns_total 2.5E9\n")
        self.assertEqual(lf.ingest_cpu_seconds("file://" + f.name), 2.5)
        self.assertIsNone(lf.ingest_cpu_seconds(""))
        self.assertIsNone(lf.ingest_cpu_seconds("http://127.0.0.1:1/metrics"))
        os.unlink(f.name)


class BackoffTest(unittest.TestCase):
    def test_backoff_doubles_and_is_capped_and_honours_retry_after(self):
        self.assertEqual([lf.backoff_seconds(a) for a in (1, 2, 3)], [0.1, 0.2, 0.4])
        self.assertEqual(lf.backoff_seconds(10), lf.MAX_BACKOFF_S)
        self.assertEqual(lf.backoff_seconds(1, "1"), 1.0)
        self.assertEqual(lf.backoff_seconds(1, "30"), lf.MAX_BACKOFF_S)
        self.assertEqual(lf.backoff_seconds(1, "soon"), 0.1)


if __name__ == "__main__":
    unittest.main()
