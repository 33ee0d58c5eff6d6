"""Quetzal load: Locust users that cast the votes of a traffic file over HTTP or gRPC.

Written for Debian's Locust 2.12 (/usr/bin/locust) with python3-grpcio and python3-grpc-tools.

    /usr/bin/locust -f load/locust/locustfile.py --headless -u 20 -r 20 -t 20s \\
        --host http://localhost:8080 --grpc-target localhost:9090 HttpVoter GrpcVoter

Pick the route by user class: ``HttpVoter`` (POST /votes, FastHttpUser) and ``GrpcVoter``
(quetzal.v1.VoteService/Cast); name both to run both. ``./quetzal load`` wraps this, then reconciles.

Votes come from a traffic file (``--traffic``, default load/traffic.json): each row once, in file
order, shared by the users of a route like the seed's ``pop()`` (``--draw once``, the default), or
in a random order, pass after pass, for as long as the run lasts (``--draw random``).

Every vote carries a voteId, ``<run>.<route>.<pass>.<row id>``, where the row id is the file's own
``voteId`` or ``r<index>``. So a retry (after a 5xx, UNAVAILABLE or a lost connection) is counted
once, repeats in the file are recognisable duplicates, and a new run or pass is a new crowd that
the pipeline's dedup does not mistake for the last one.

With ``--outcomes-dir``, each process writes ``outcomes-*.csv`` (one line per vote: voteId, route,
row, outcome accepted/rejected/failed/unfinished, status, attempts, start, latency) and, when the
test stops, ``summary-*.json``; the reconciler (gt.quetzal.load.reconcile.Reconciler) reads both.
"""

import csv
import importlib
import itertools
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import gevent
from locust import FastHttpUser, User, events, task
from locust.exception import StopUser

try:
    import grpc
    import grpc.experimental.gevent as grpc_gevent

    # grpcio's own threads would block gevent's loop; this must run before any channel exists.
    grpc_gevent.init_gevent()
    GRPC_MISSING = None
except ImportError as missing:  # only fatal when a GrpcVoter is asked for
    grpc = None
    GRPC_MISSING = missing

log = logging.getLogger("quetzal")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_TRAFFIC = os.path.join(REPO, "load", "traffic.json")
DEFAULT_PROTO_DIR = os.path.join(REPO, "proto", "src", "main", "proto")
PROTO_FILE = "quetzal/v1/voting.proto"

VOTE_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")
INT32 = (-(2**31), 2**31 - 1)
REQUEST_TIMEOUT_S = 10.0
MAX_BACKOFF_S = 2.0
VOTE_FIELDS_HTTP_HEADERS = {"Content-Type": "application/json"}

ROUTES = {"HttpVoter": "http", "GrpcVoter": "grpc"}

RUN = None  # the Run of this process, made by the init listener


@events.init_command_line_parser.add_listener
def _options(parser):
    group = parser.add_argument_group("Quetzal")
    group.add_argument("--traffic", env_var="QUETZAL_TRAFFIC", default=DEFAULT_TRAFFIC,
                       help="traffic file: JSON array of votes (default load/traffic.json)")
    group.add_argument("--draw", env_var="QUETZAL_DRAW", default="once", choices=["once", "random"],
                       help="once: each row once, in order, then stop; random: shuffled passes until the run ends")
    group.add_argument("--grpc-target", env_var="QUETZAL_GRPC_TARGET", default="localhost:9090",
                       help="gRPC ingest as host:port (plaintext) or grpcs://host:port (TLS)")
    group.add_argument("--run-id", env_var="QUETZAL_RUN_ID", default="",
                       help="prefix of every voteId (default: a new one per process)")
    group.add_argument("--outcomes-dir", env_var="QUETZAL_OUTCOMES_DIR", default="",
                       help="where to write outcomes-*.csv and summary-*.json (default: a temp dir)")
    group.add_argument("--rate", env_var="QUETZAL_RATE", type=float, default=0.0,
                       help="target votes/s of this process, shared by its users; 0 = as fast as they can")
    group.add_argument("--max-retries", env_var="QUETZAL_MAX_RETRIES", type=int, default=2,
                       help="retries of a vote after 5xx/UNAVAILABLE/connection errors, same voteId")
    group.add_argument("--shuffle-seed", env_var="QUETZAL_SHUFFLE_SEED", type=int, default=None,
                       help="seed of the --draw random order (default: random)")
    group.add_argument("--ingest-metrics", env_var="QUETZAL_INGEST_METRICS", default="",
                       help="Prometheus URL of the ingest service this process drives; its CPU time is "
                            "read at start and stop and reported per request (optional)")
    group.add_argument("--proto-dir", env_var="QUETZAL_PROTO_DIR", default=DEFAULT_PROTO_DIR,
                       help="root of the .proto files (gRPC stubs are generated from it at start)")
    group.add_argument("--stubs-dir", env_var="QUETZAL_STUBS_DIR", default="",
                       help="where to generate the Python gRPC stubs (default: a temp dir removed at exit)")


def new_run_id():
    return "q" + time.strftime("%y%m%d%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:4]


# ---- traffic -------------------------------------------------------------------------------------


class Row:
    """One vote of the traffic file, prepared once for both routes."""

    __slots__ = ("index", "row_id", "http_prefix", "grpc_fields")

    def __init__(self, index, vote):
        self.index = index
        given = vote.get("voteId")
        self.row_id = given if isinstance(given, str) and VOTE_ID.fullmatch(given) else "r%d" % index
        fields = {k: v for k, v in vote.items() if k != "voteId"}
        # The body minus its closing brace; the voteId is appended per send (its characters never
        # need escaping), which saves a json.dumps per request in the process that is the bottleneck.
        text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        self.http_prefix = (text[:-1] + ("," if fields else "")).encode("utf-8")
        self.grpc_fields = grpc_fields(vote)

    def http_body(self, vote_id):
        return self.http_prefix + b'"voteId":"' + vote_id.encode("ascii") + b'"}'


def grpc_fields(vote):
    """The typed Vote fields of a seed-format vote. A year or rank that is not a whole int32 cannot be
    typed, so it is left out and the server answers "is required" (INVALID_ARGUMENT), just as HTTP
    answers 400 for it. Fields the proto lacks are dropped."""
    fields = {}
    for key, proto in (("name", "name"), ("album", "album"), ("voterId", "voter_id")):
        value = vote.get(key)
        if isinstance(value, str) and value != "":
            fields[proto] = value
    for key in ("year", "rank"):
        number = whole_int32(vote.get(key))
        if number is not None:
            fields[key] = number
    return fields


def whole_int32(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and INTEGER.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and INT32[0] <= value <= INT32[1]:
        return value
    return None


def load_traffic(path):
    with open(path, encoding="utf-8") as f:
        votes = json.load(f)
    if not isinstance(votes, list) or not votes or not all(isinstance(v, dict) for v in votes):
        raise ValueError("%s: a traffic file is a non-empty JSON array of vote objects" % path)
    return [Row(i, v) for i, v in enumerate(votes)]


class Deck:
    """The order a route's users take rows in; shared by every user of the route in this process."""

    def __init__(self, size, draw, rng):
        self.size = size
        self.draw = draw
        self.rng = rng
        self.order = list(range(size))
        self.pass_no = 0
        self.position = 0
        if draw == "random":
            rng.shuffle(self.order)

    @property
    def exhausted(self):
        return self.draw == "once" and self.position >= self.size

    def next(self):
        """(pass, row index), or None once every row was taken in ``once`` mode."""
        if self.position >= self.size:
            if self.draw == "once":
                return None
            self.pass_no += 1
            self.rng.shuffle(self.order)
            self.position = 0
        index = self.order[self.position]
        self.position += 1
        return self.pass_no, index


# ---- outcomes ------------------------------------------------------------------------------------


class Run:
    """What one Locust process knows about its votes: what was sent, and how each one ended."""

    OUTCOMES = ("accepted", "rejected", "failed", "unfinished")

    def __init__(self, environment):
        opts = environment.parsed_options
        self.environment = environment
        self.id = opts.run_id or new_run_id()
        if not VOTE_ID.fullmatch(self.id) or len(self.id) > 40:
            raise ValueError("--run-id must be 1-40 characters from A-Z a-z 0-9 . _ : -")
        self.traffic = os.path.abspath(opts.traffic)
        self.rows = load_traffic(self.traffic)
        self.draw = opts.draw
        self.max_retries = max(0, opts.max_retries)
        self.routes = sorted({ROUTES[c.__name__] for c in environment.user_classes if c.__name__ in ROUTES})
        rng = random.Random(opts.shuffle_seed)
        self.decks = {route: Deck(len(self.rows), self.draw, rng) for route in self.routes}
        users = max(1, opts.num_users or 1)
        self.interval = users / opts.rate if opts.rate and opts.rate > 0 else 0.0
        self.inflight = {}
        self.tickets = itertools.count()
        self.counts = {route: dict.fromkeys(self.OUTCOMES + ("attempts",), 0) for route in self.routes}
        self.started_ms = int(time.time() * 1000)
        self.ingest_metrics = opts.ingest_metrics
        self.mark_start()
        self.closed = False
        self.quitting = False
        self.stopping = False
        self.dir = os.path.abspath(opts.outcomes_dir) if opts.outcomes_dir else tempfile.mkdtemp(prefix="quetzal-locust-")
        os.makedirs(self.dir, exist_ok=True)
        tag = "%d-%s" % (os.getpid(), uuid.uuid4().hex[:6])
        self.outcomes_path = os.path.join(self.dir, "outcomes-%s.csv" % tag)
        self.summary_path = os.path.join(self.dir, "summary-%s.json" % tag)
        self.file = open(self.outcomes_path, "w", newline="", encoding="utf-8", buffering=1 << 16)
        self.csv = csv.writer(self.file)
        self.csv.writerow(["voteId", "route", "row", "outcome", "status", "attempts", "startMs", "latencyMs"])
        log.info("quetzal: run %s, %d votes from %s (draw %s), routes %s, outcomes in %s",
                 self.id, len(self.rows), self.traffic, self.draw, ",".join(self.routes) or "-", self.dir)

    def mark_start(self):
        # CPU seconds per wall second of this process: near 1.0 means Locust itself is the bottleneck.
        self.cpu_start = time.process_time()
        self.wall_start = time.monotonic()
        self.ingest_cpu_start = ingest_cpu_seconds(self.ingest_metrics)

    def take(self, route):
        """The next vote for ``route``: (ticket, voteId, row), or None when the file is used up."""
        if self.stopping:
            # Locust kills a user it finds "waiting"; after a zero wait that user may already be in its
            # next task, so the kill would cut off a vote in flight. Once stopping starts, none is taken.
            raise StopUser()
        drawn = self.decks[route].next()
        if drawn is None:
            return None
        pass_no, index = drawn
        row = self.rows[index]
        vote_id = "%s.%s.%d.%s" % (self.id, route, pass_no, row.row_id)
        ticket = next(self.tickets)
        self.inflight[ticket] = (vote_id, route, index, time.time())
        return ticket, vote_id, row

    def finish(self, ticket, outcome, status, attempts, start_s, latency_ms):
        entry = self.inflight.pop(ticket, None)
        if entry is None:  # already written as unfinished when the test stopped
            return
        vote_id, route, index, _ = entry
        self.write(vote_id, route, index, outcome, status, attempts, start_s, latency_ms)
        self.maybe_quit()

    def write(self, vote_id, route, index, outcome, status, attempts, start_s, latency_ms):
        counts = self.counts[route]
        counts[outcome] += 1
        counts["attempts"] += attempts
        if not self.closed:
            self.csv.writerow([vote_id, route, index, outcome, status, attempts,
                               int(start_s * 1000), "%.3f" % latency_ms])

    def pace(self, user):
        """Seconds ``user`` waits before its next vote so the process keeps to --rate."""
        if self.interval <= 0:
            return 0
        now = time.monotonic()
        due = getattr(user, "_quetzal_due", now) + self.interval
        if due < now - self.interval:  # fell behind (a slow answer): restart the schedule, no burst
            due = now
        user._quetzal_due = due
        return max(0.0, due - now)

    def used_up(self):
        """In ``once`` mode, ends the user whose route ran out, and the test once nothing is left."""
        self.maybe_quit()
        raise StopUser()

    def maybe_quit(self):
        if self.quitting or self.draw != "once" or self.inflight:
            return
        if all(deck.exhausted for deck in self.decks.values()):
            self.quitting = True
            log.info("quetzal: every vote of the traffic file was sent; stopping")
            gevent.spawn(self.environment.runner.quit)

    def close(self):
        if self.closed:
            return
        # Votes still in flight when users were killed: the server may or may not have them.
        for vote_id, route, index, start_s in list(self.inflight.values()):
            self.write(vote_id, route, index, "unfinished", 0, 1, start_s, 0.0)
        self.inflight.clear()
        self.closed = True
        self.file.close()
        ingest_cpu_end = ingest_cpu_seconds(self.ingest_metrics)
        summary = {
            "runId": self.id,
            "pid": os.getpid(),
            "traffic": self.traffic,
            "draw": self.draw,
            "startedAtMs": self.started_ms,
            "stoppedAtMs": int(time.time() * 1000),
            "outcomes": os.path.basename(self.outcomes_path),
            "cpuSeconds": round(time.process_time() - self.cpu_start, 3),
            "wallSeconds": round(time.monotonic() - self.wall_start, 3),
            "ingestCpuSeconds": (round(ingest_cpu_end - self.ingest_cpu_start, 3)
                                 if ingest_cpu_end is not None and self.ingest_cpu_start is not None else None),
            "routes": {route: dict(counts, sent=sum(counts[o] for o in self.OUTCOMES))
                       for route, counts in self.counts.items()},
        }
        tmp = self.summary_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
        os.replace(tmp, self.summary_path)
        for route, counts in summary["routes"].items():
            log.info("quetzal: %s sent %d: accepted %d, rejected %d, failed %d, unfinished %d (%d attempts)",
                     route, counts["sent"], counts["accepted"], counts["rejected"], counts["failed"],
                     counts["unfinished"], counts["attempts"])


def ingest_cpu_seconds(url):
    """The JVM CPU time (process_cpu_time_ns_total) an ingest service reports, or None."""
    if not url:
        return None
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode("utf-8", "replace")
    except (OSError, ValueError) as e:
        log.warning("quetzal: cannot read %s: %s", url, e)
        return None
    for line in text.splitlines():
        if line.startswith("process_cpu_time_ns_total"):
            return float(line.split()[-1]) / 1e9
    return None


# ---- gRPC stubs ----------------------------------------------------------------------------------

STUBS = None  # (voting_pb2, voting_pb2_grpc) once generated


# protoc 3.5 (the one inside Debian's python3-grpc-tools) predates proto3 `optional`. That keyword is
# sugar for a one-field oneof named `_<field>`, with the same wire format and presence tracking, so
# the stubs are generated from a copy of the .proto spelled that way.
PROTO3_OPTIONAL = re.compile(r"^(\s*)optional\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;", re.MULTILINE)


def spell_optional_as_oneof(text):
    return PROTO3_OPTIONAL.sub(r"\1oneof _\3 { \2 \3 = \4; }", text)


def generate_stubs(proto_dir, stubs_dir):
    """Generates the Python stubs with grpc_tools from apt (protoc 4.x output does not import on
    Debian's python3-protobuf) and imports them."""
    proto = os.path.join(proto_dir, PROTO_FILE)
    if not os.path.isfile(proto):
        raise RuntimeError("cannot find %s (set --proto-dir)" % proto)
    if stubs_dir:
        os.makedirs(stubs_dir, exist_ok=True)
    else:
        stubs_dir = tempfile.mkdtemp(prefix="quetzal-stubs-")
        import atexit

        atexit.register(shutil.rmtree, stubs_dir, True)
    source_dir = os.path.join(stubs_dir, "proto")
    os.makedirs(os.path.dirname(os.path.join(source_dir, PROTO_FILE)), exist_ok=True)
    with open(proto, encoding="utf-8") as f:
        text = spell_optional_as_oneof(f.read())
    with open(os.path.join(source_dir, PROTO_FILE), "w", encoding="utf-8") as f:
        f.write(text)
    out_dir = os.path.join(stubs_dir, "python")
    os.makedirs(out_dir, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "-I" + source_dir, "--python_out=" + out_dir,
         "--grpc_python_out=" + out_dir, PROTO_FILE],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("grpc_tools.protoc failed (is python3-grpc-tools installed?): "
                           + (result.stderr or result.stdout).strip())
    sys.path.insert(0, out_dir)
    importlib.invalidate_caches()
    return (importlib.import_module("quetzal.v1.voting_pb2"),
            importlib.import_module("quetzal.v1.voting_pb2_grpc"))


@events.init.add_listener
def _init(environment, **_kwargs):
    global RUN, STUBS
    if environment.parsed_options is None:  # e.g. --list
        return
    # A stopping user finishes its vote (and writes its outcome) instead of being killed mid-request.
    if not environment.stop_timeout:
        environment.stop_timeout = REQUEST_TIMEOUT_S * 3
    try:
        if any(c.__name__ == "GrpcVoter" for c in environment.user_classes):
            if grpc is None:
                raise RuntimeError("GrpcVoter needs python3-grpcio and python3-grpc-tools (apt): %s" % GRPC_MISSING)
            opts = environment.parsed_options
            STUBS = generate_stubs(opts.proto_dir, opts.stubs_dir)
        RUN = Run(environment)
    except (OSError, ValueError, RuntimeError) as e:
        log.error("quetzal: %s", e)
        sys.exit(2)


@events.test_start.add_listener
def _test_start(**_kwargs):
    if RUN is not None:
        RUN.mark_start()


@events.test_stopping.add_listener
def _test_stopping(**_kwargs):
    if RUN is not None:
        RUN.stopping = True


@events.test_stop.add_listener
def _test_stop(**_kwargs):
    if RUN is not None:
        RUN.close()


@events.quitting.add_listener
def _quitting(**_kwargs):
    if RUN is not None:
        RUN.close()


# ---- users ---------------------------------------------------------------------------------------


def backoff_seconds(attempt, retry_after=None):
    if retry_after:
        try:
            return min(MAX_BACKOFF_S, max(0.0, float(retry_after)))
        except ValueError:
            pass
    return min(MAX_BACKOFF_S, 0.1 * (2 ** (attempt - 1)))


class HttpVoter(FastHttpUser):
    """POST /votes with the vote as JSON, voteId in the body. 202 accepted, 4xx rejected (expected for
    the file's invalid votes, so not a Locust failure); 5xx, 408, 429 and connection errors are
    failures, retried with the same voteId."""

    network_timeout = REQUEST_TIMEOUT_S
    connection_timeout = 5.0
    insecure = False

    def wait_time(self):
        return RUN.pace(self)

    @task
    def cast(self):
        taken = RUN.take("http")
        if taken is None:
            RUN.used_up()
        ticket, vote_id, row = taken
        body = row.http_body(vote_id)
        started = time.time()
        attempt = 0
        while True:
            attempt += 1
            t0 = time.perf_counter()
            with self.client.post("/votes", data=body, headers=VOTE_FIELDS_HTTP_HEADERS, name="POST /votes",
                                  catch_response=True) as response:
                status = response.status_code or 0
                if status == 202:
                    outcome = "accepted"
                    response.success()
                elif 400 <= status < 500 and status not in (408, 429):
                    outcome = "rejected"
                    response.success()
                else:
                    outcome = "failed"
                    error = getattr(response, "error", None)
                    response.failure("HTTP %d%s" % (status, (": %s" % error) if error else ""))
            latency_ms = (time.perf_counter() - t0) * 1000
            if outcome != "failed" or attempt > RUN.max_retries:
                break
            headers = response.headers or {}
            gevent.sleep(backoff_seconds(attempt, headers.get("Retry-After")))
        RUN.finish(ticket, outcome, status, attempt, started, latency_ms)


class GrpcVoter(User):
    """quetzal.v1.VoteService/Cast, one channel (one HTTP/2 connection) per user, vote_id set. OK
    accepted, INVALID_ARGUMENT rejected; UNAVAILABLE, DEADLINE_EXCEEDED and other codes are failures,
    retried with the same vote_id."""

    def wait_time(self):
        return RUN.pace(self)

    def on_start(self):
        pb2, pb2_grpc = STUBS
        self.vote_type = pb2.Vote
        target = self.environment.parsed_options.grpc_target
        if target.startswith("grpcs://"):
            self.channel = grpc.secure_channel(target[len("grpcs://"):], grpc.ssl_channel_credentials())
        else:
            self.channel = grpc.insecure_channel(target[len("grpc://"):] if target.startswith("grpc://") else target)
        self.stub = pb2_grpc.VoteServiceStub(self.channel)

    def on_stop(self):
        self.channel.close()

    @task
    def cast(self):
        taken = RUN.take("grpc")
        if taken is None:
            RUN.used_up()
        ticket, vote_id, row = taken
        message = self.vote_type(vote_id=vote_id, **row.grpc_fields)
        started = time.time()
        attempt = 0
        while True:
            attempt += 1
            t0 = time.perf_counter()
            failure = None
            size = 0
            try:
                reply = self.stub.Cast(message, timeout=REQUEST_TIMEOUT_S)
                size = reply.ByteSize()
                code = grpc.StatusCode.OK
                outcome = "accepted"
            except grpc.RpcError as e:
                code = e.code()
                if code == grpc.StatusCode.INVALID_ARGUMENT:
                    outcome = "rejected"
                else:
                    outcome = "failed"
                    # The code alone, so Locust groups failures by kind (details carry timestamps).
                    failure = RuntimeError("gRPC %s" % code.name)
            latency_ms = (time.perf_counter() - t0) * 1000
            self.environment.events.request.fire(
                request_type="grpc", name="Cast", response_time=latency_ms, response_length=size,
                exception=failure, context={}, response=None, url=None, start_time=started)
            if outcome != "failed" or attempt > RUN.max_retries:
                break
            gevent.sleep(backoff_seconds(attempt))
        RUN.finish(ticket, outcome, code.value[0], attempt, started, latency_ms)
