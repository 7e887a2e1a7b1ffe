"""Load test: a school morning (bench/locustfile.py) against the production process model
(scripts/prodlike: gunicorn, huey worker processes, the scheduler) on PostgreSQL and Redis.

    .venv/bin/python bench/load_test.py --users 50 --minutes 10 [--students 21000] [--kill]

The goal run of issue 20 (on a quiet machine): `--users 50 --minutes 10 --kill`; with
`--students 500000 --regions national` for the national demo.

1. Makes the PostgreSQL database `schakelpunt_prodlike_load` anew (`--database-url` names the server)
   and empties Redis database 8 (`--redis-url`); migrates and loads the demo region.
2. Gives the demo accounts the test logs in with an authenticator (production demands a second
   factor), registers a connected system per care provider, writes the absence files
   (bench/load_setup.py).
3. Starts scripts/prodlike on a free port with the production settings (its defaults for
   WEB_CONCURRENCY, GUNICORN_THREADS, HUEY_WORKERS apply; set them in the environment to try
   others) and runs locust headless: `--users`, ramped up at `--spawn-rate` a second.
4. With `--kill`: halfway, the functional administrator uploads a larger absence file through
   the import screen; while it is being saved, `kill -9` of the busiest web worker and of the
   huey worker process running the import. Afterwards it checks that the import finished
   exactly once (one job, status done, its counts equal to the file's rows) and that the
   database holds every row of the file, and counts the users' failed and retried requests
   from 30 s before to 60 s after the kill.
5. Prints per page type: requests, failures, median, p95, p99 (ms) and p95 ÷ the bare view's
   p95 (goal ≤ 25×, "!!" when over); retries; errors (goal 0). Stops every process it started,
   drops the database and empties the Redis database (`--keep` keeps the database).

Locust's CSV files and the server's log stay in the printed directory. Exit code 0 only when
every goal is met.
"""

import argparse
import contextlib
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import redis
import requests
from common import machine, postgres_database
from load_client import Browser, RequestFailed, csrf_token

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATABASE = "schakelpunt_prodlike_load"
BARE = "bare: /health/live/"
HASHER = "login: password"  # slow on purpose (PBKDF2), as bench/pages.py shows it apart
GOAL_RATIO = 25
PASSWORD = "demo-schakelpunt"  # noqa: S105 - the demo's known password
KILL_WINDOW = (-30, 60)
SETTLE = 10  # seconds a worker has had the import before the kill, when it is not saving yet
AFTER_KILL = 300  # seconds the killed import gets to end  # seconds around the kill in which users' errors are counted


def say(line: str) -> None:
    print(f"load_test: {line}", flush=True)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} cores)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(
            f"{' '.join(args[:3])} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}"
        )
    return done.stdout


# --- processes -------------------------------------------------------------------------------


def children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process on the machine."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, found, todo = children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return -1


def started_at(pid: int) -> int:
    """The process's start time (clock ticks since boot): with the pid, who it is, so a pid
    the system has given to another process since is never killed."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return -1


def zombie(pid: int) -> bool:
    """Ended, waiting to be reaped (an orphan's parent is init here): nothing to stop."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def busiest(pids: list[int]) -> int | None:
    """The process that used the most CPU in the next second."""
    before = {pid: cpu_ticks(pid) for pid in pids}
    time.sleep(1)
    used = {pid: cpu_ticks(pid) - before[pid] for pid in pids if cpu_ticks(pid) >= 0}
    return max(used, key=lambda pid: used[pid]) if used else None


def remember(seen: dict[int, int], pids: list[int]) -> None:
    seen.update({pid: started_at(pid) for pid in pids})


def server_processes(prodlike: int) -> dict[str, list[int]]:
    """The web workers (children of the gunicorn master) and the huey worker processes
    (children of the consumer started with --no-periodic) under scripts/prodlike."""
    tree = children()
    found: dict[str, list[int]] = {"web": [], "huey": []}
    for pid in tree.get(prodlike, []):
        line = cmdline(pid)
        if "gunicorn" in line:
            found["web"] += tree.get(pid, [])
        elif "run_huey" in line and "--no-periodic" in line:
            found["huey"] += tree.get(pid, [])
    return found


def stop(process: subprocess.Popen[bytes], seen: dict[int, int]) -> list[int]:
    """SIGTERM to scripts/prodlike (it stops its processes), then SIGKILL to whatever is left
    of every process seen under it; returns the pids that had to be killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    killed = []
    for pid, start in sorted(seen.items()):
        if started_at(pid) == start and not zombie(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
    return killed


# --- the kill during an import -----------------------------------------------------------------


def job_state(database_url: str, job_id: int) -> tuple[str, int, int]:
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        row = conn.execute(
            "SELECT status, done, total FROM signals_absenceimportjob WHERE id = %s", [job_id]
        ).fetchone()
    return (row[0], row[1], row[2]) if row else ("missing", 0, 0)


def check_import(env: dict[str, str], kill_file: dict[str, Any]) -> dict[str, Any]:
    out = run(
        env,
        sys.executable,
        str(ROOT / "bench" / "load_setup.py"),
        "check-import",
        "--filename",
        Path(kill_file["path"]).name,
        "--file",
        kill_file["path"],
    )
    return dict(json.loads(out.strip().splitlines()[-1]))


def kill_during_import(
    base_url: str,
    env: dict[str, str],
    prodlike: int,
    accounts: dict[str, Any],
    seen: dict[int, int],
) -> dict[str, Any]:
    """Upload the larger file as the functional administrator; kill -9 a web worker and the
    huey worker process while the import saves; wait for the job's end."""
    kill_file = accounts["files"]["kill"]
    result: dict[str, Any] = {"before": check_import(env, kill_file)}
    admin = accounts["kill_importer"][0]
    browser = Browser(base_url)
    browser.log_in(admin["email"], PASSWORD, admin["totp_key"])
    form = browser.get("form", "/verzuim/importeren/")
    answer = browser.request(
        "POST",
        "upload",
        "/verzuim/importeren/",
        expect=(302,),
        data={"csrfmiddlewaretoken": csrf_token(form.text)},
        files={"file": (Path(kill_file["path"]).name, Path(kill_file["path"]).read_bytes())},
    )
    job_id = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    result["job"] = job_id
    say(f"kill: import job {job_id} of {kill_file['rows']} rows uploaded; waiting for the worker")
    # Best in the middle of saving; else once a worker has had the job for SETTLE seconds.
    deadline = time.monotonic() + 300
    running_since = None
    state = job_state(env["DATABASE_URL"], job_id)
    while time.monotonic() < deadline:
        state = job_state(env["DATABASE_URL"], job_id)
        if state[0] in {"done", "failed"} or (state[0] == "save" and state[1] > 0):
            break
        if state[0] != "queued":
            running_since = running_since or time.monotonic()
            if time.monotonic() - running_since > SETTLE:
                break
        time.sleep(0.1)
    result["state_at_kill"] = f"{state[0]}, {state[1]} of {state[2]} rows"
    if state[0] in {"done", "failed"}:
        say(f"kill: the import ended ({state[0]}) before a kill could land: use --kill-rows more")
        result["killed"] = []
    else:
        processes = server_processes(prodlike)
        remember(seen, processes["web"] + processes["huey"])
        targets = [("huey worker", busiest(processes["huey"])), ("web worker", None)]
        targets[1] = ("web worker", busiest(processes["web"]))
        result["killed"] = []
        result["kill_time"] = time.time()
        for label, pid in targets:
            if pid is None:
                say(f"kill: no {label} process found")
                continue
            os.kill(pid, signal.SIGKILL)
            result["killed"].append(f"{label} {pid} ({cmdline(pid) or 'gone'})")
            say(f"kill -9 {label} pid {pid} during '{result['state_at_kill']}'")
    deadline = time.monotonic() + AFTER_KILL
    while time.monotonic() < deadline:
        state = job_state(env["DATABASE_URL"], job_id)
        if state[0] in {"done", "failed"}:
            break
        time.sleep(1)
    ended = state[0] in {"done", "failed"}
    result["end_state"] = f"{state[0]}, {state[1]} of {state[2]} rows" + (
        "" if ended else f" — not ended {AFTER_KILL} s after the kill"
    )
    result["after"] = check_import(env, kill_file)
    return result


def judge_import(result: dict[str, Any]) -> list[str]:
    """What went wrong with the killed import; empty when it finished exactly once, whole."""
    after, before = result["after"], result["before"]
    rows = after["file_rows"]
    problems = []
    jobs = after["jobs"]
    if len(jobs) != 1:
        problems.append(f"{len(jobs)} import jobs for the file (expected 1)")
    for job in jobs:
        if job["status"] != "done":
            problems.append(f"job {job['pk']} ended as '{job['status']}' (expected done)")
        counted = job["created"] + job["replaced"] + job["unchanged"]
        if job["status"] == "done" and (job["total"] != rows or counted != rows):
            problems.append(f"job {job['pk']} counted {job['total']}/{counted} rows, file {rows}")
    if after["rows_as_in_file"] != rows:
        kept = after["rows_as_in_file"]
        what = (
            "the import is missing (nothing of it saved: all-or-nothing held)"
            if kept == before["rows_as_in_file"]
            else "PARTIAL data"
        )
        problems.append(f"{kept} of the file's {rows} rows in the database: {what}")
    created = sum(job["created"] for job in jobs if job["status"] == "done")
    if after["absence_rows_total"] != before["absence_rows_total"] + created:
        problems.append(
            f"absence rows {before['absence_rows_total']} -> {after['absence_rows_total']}, "
            f"but the job created {created}"
        )
    return problems


# --- the figures -------------------------------------------------------------------------------


def number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def figures(stats_csv: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rows, retries = [], {}
    with stats_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            if row["Type"] == "RETRY":
                retries[row["Name"]] = int(row["Request Count"])
                continue
            rows.append(
                {
                    "type": row["Type"],
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "median": number(row["50%"]),
                    "p95": number(row["95%"]),
                    "p99": number(row["99%"]),
                }
            )
    return rows, retries


def print_figures(rows: list[dict[str, Any]], retries: dict[str, int]) -> tuple[int, bool]:
    """The table; returns the number of failures and whether every page type meets the goal."""
    bare = next((r for r in rows if r["name"] == BARE), None)
    bare_p95 = bare["p95"] if bare and bare["p95"] else 0.0
    print()
    print(
        f"{'page type':34} {'type':6} {'requests':>8} {'fail':>5} {'median':>7} {'p95':>7}"
        f" {'p99':>7} {'p95/bare':>9}  goal <= {GOAL_RATIO}x"
    )
    all_within = True
    for row in sorted(rows, key=lambda r: (r["name"] != BARE, r["name"], r["type"])):
        ratio = row["p95"] / bare_p95 if bare_p95 else float("nan")
        mark = ""
        if row["name"] == HASHER:
            mark = "(password hasher: by design, outside the goal)"
        elif row["name"] != BARE and not row["name"].startswith("absence import: result"):
            within = bare_p95 > 0 and ratio <= GOAL_RATIO
            all_within = all_within and within
            mark = "ok" if within else "!!"
        print(
            f"{row['name'][:34]:34} {row['type']:6} {row['requests']:8} {row['failures']:5}"
            f" {row['median']:7.0f} {row['p95']:7.0f} {row['p99']:7.0f} {ratio:8.1f}x  {mark}"
        )
    failures = sum(r["failures"] for r in rows)
    total = sum(r["requests"] for r in rows)
    print(f"(ms; p95/bare against the bare view's p95 of {bare_p95:.0f} ms)")
    print(
        f"requests {total}, errors {failures} (goal 0), retried reads "
        f"{sum(retries.values())}"
        + (f": {', '.join(f'{n} x{c}' for n, c in sorted(retries.items()))}" if retries else "")
    )
    return failures, all_within


def errors_near(events_file: Path, moment: float) -> dict[str, Any]:
    counted: dict[str, Any] = {"failure": 0, "retry": 0, "failures": []}
    if not events_file.exists():
        return counted
    for line in events_file.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if KILL_WINDOW[0] <= event["t"] - moment <= KILL_WINDOW[1]:
            counted[event["kind"]] += 1
            if event["kind"] == "failure":
                counted["failures"].append(f"{event['name']}: {event['error'][:120]}")
    return counted


# --- the run -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--spawn-rate", type=float, default=0, help="users a second (default users/20)"
    )
    parser.add_argument("--students", type=int, default=21_000, help="demo size")
    parser.add_argument(
        "--regions", default="", help="e.g. 'national': the several-region demo (demo --regions)"
    )
    parser.add_argument("--kill", action="store_true", help="kill -9 workers mid-import, halfway")
    parser.add_argument("--kill-rows", type=int, default=150_000, help="rows of the killed import")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="use the kept database as it is (implies --keep)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="schakelpunt-load-"))
    print(machine())
    say(f"start: {load()}; files in {work}")
    args.keep = args.keep or args.reuse
    database_url = args.database_url.rsplit("/", 1)[0] + f"/{DATABASE}"
    if not args.reuse:
        postgres_database(args.database_url, DATABASE, create=True)
    redis.Redis.from_url(args.redis_url).flushdb()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.prodlike",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "SCHAKELPUNT_DATA_DIR": str(work / "data"),
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SCHAKELPUNT_OTP_REQUIRED", None)  # production's default: second factor on
    server: subprocess.Popen[bytes] | None = None
    locust: subprocess.Popen[bytes] | None = None
    seen: dict[int, int] = {}
    goals_met = False
    try:
        if not args.reuse:
            started = time.monotonic()
            run(env, str(BIN / "schakelpunt"), "migrate", "--no-input", "-v0")
            regions = ["--regions", args.regions] if args.regions else []
            run(env, str(BIN / "schakelpunt"), "demo", "--students", str(args.students), *regions)
            say(f"demo of {args.students} students loaded in {time.monotonic() - started:.0f} s")
        prepared = run(
            env,
            sys.executable,
            str(ROOT / "bench" / "load_setup.py"),
            "prepare",
            "--out",
            str(work),
            "--kill-rows",
            str(args.kill_rows),
        )
        say(f"accounts and systems per group: {prepared.strip().splitlines()[-1]}")
        accounts = json.loads((work / "accounts.json").read_text())

        with (work / "server.log").open("wb") as log:
            server = subprocess.Popen(  # noqa: S603 - our own script
                [sys.executable, str(ROOT / "scripts" / "prodlike"), "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 600
        while True:
            if server.poll() is not None:
                raise SystemExit(
                    f"scripts/prodlike stopped:\n{(work / 'server.log').read_text()[-3000:]}"
                )
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base_url}/account/inloggen/", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("scripts/prodlike did not answer within 10 minutes")
            time.sleep(1)
        remember(seen, descendants(server.pid))
        live = requests.get(f"{base_url}/health/live/", timeout=10).status_code
        if live != 200:
            say(f"!! /health/live/ answers {live}: the bare page type fails (is it built yet?)")
        processes = server_processes(server.pid)
        say(
            f"scripts/prodlike on {base_url}: {len(processes['web'])} web workers, "
            f"{len(processes['huey'])} huey worker processes; {load()}"
        )

        spawn = args.spawn_rate or max(1.0, args.users / 20)
        command = [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--host",
            base_url,
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(spawn),
            "-t",
            f"{int(args.minutes * 60)}s",
            "--stop-timeout",
            "15",
            "--csv",
            str(work / "load"),
            "--only-summary",
        ]
        events_file = work / "events.jsonl"
        say(f"locust: {args.users} users ({spawn:g}/s) for {args.minutes:g} min; {load()}")
        with (work / "locust.log").open("wb") as log:
            locust = subprocess.Popen(  # noqa: S603 - the venv's locust
                command,
                env={
                    **env,
                    "LOAD_ACCOUNTS": str(work / "accounts.json"),
                    "LOAD_EVENTS": str(events_file),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT / "bench",
                start_new_session=True,
            )
        kill_result: dict[str, Any] | None = None
        if args.kill:
            time.sleep(args.minutes * 30)
            say(f"halfway: {load()}")
            kill_result = {}

            def killer() -> None:
                try:
                    kill_result.update(
                        kill_during_import(base_url, env, server.pid, accounts, seen)
                    )
                except (RequestFailed, SystemExit, requests.RequestException) as error:
                    kill_result["error"] = str(error)

            thread = threading.Thread(target=killer)
            thread.start()
        locust.wait()
        say(f"locust done: {load()}")
        if args.kill:
            thread.join()
        remember(seen, descendants(server.pid))

        rows, retries = figures(work / "load_stats.csv")
        failures, all_within = print_figures(rows, retries)
        exceptions = work / "load_exceptions.csv"
        failed = work / "load_failures.csv"
        for table in (failed, exceptions):
            lines = table.read_text(encoding="utf-8").splitlines()[1:] if table.exists() else []
            if lines:
                print(f"{table.name}:")
                for line in lines[:15]:
                    print(f"  {line[:200]}")
        goals_met = failures == 0 and all_within

        if kill_result is not None:
            print()
            if "error" in kill_result:
                print(f"kill: could not be done: {kill_result['error']}")
                goals_met = False
            else:
                print(
                    f"kill: import job {kill_result['job']} in '{kill_result['state_at_kill']}'; "
                    f"killed: {'; '.join(kill_result['killed']) or 'nothing'}"
                )
                print(f"kill: the job ended as '{kill_result['end_state']}'")
                problems = judge_import(kill_result)
                after = kill_result["after"]
                print(
                    f"kill: file {after['file_rows']} rows; in the database as in the file: "
                    f"{kill_result['before']['rows_as_in_file']} before, "
                    f"{after['rows_as_in_file']} after; jobs: {after['jobs']}"
                )
                print(
                    "kill: import finished exactly once, no partial data: "
                    + ("yes" if not problems else "NO: " + "; ".join(problems))
                )
                if "kill_time" in kill_result:
                    near = errors_near(events_file, kill_result["kill_time"])
                    print(
                        f"kill: users' requests from {-KILL_WINDOW[0]} s before to "
                        f"{KILL_WINDOW[1]} s after: {near['failure']} failed (goal 0), "
                        f"{near['retry']} retried after a dropped connection"
                    )
                    for line in near["failures"][:10]:
                        print(f"  {line}")
                    goals_met = goals_met and near["failure"] == 0
                goals_met = goals_met and not problems and bool(kill_result["killed"])
        print()
        say(f"end: {load()}; goals {'met' if goals_met else 'NOT met'}; files in {work}")
    finally:
        if locust is not None and locust.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(locust.pid, signal.SIGKILL)
            locust.wait()
        if server is not None:
            remember(seen, descendants(server.pid))
            left = stop(server, seen)
            if left:
                say(f"killed left-over processes: {left}")
        redis.Redis.from_url(args.redis_url).flushdb()
        if not args.keep:
            postgres_database(args.database_url, DATABASE, create=False)
        shutil.rmtree(work / "data", ignore_errors=True)
    return 0 if goals_met else 1


if __name__ == "__main__":
    sys.exit(main())
