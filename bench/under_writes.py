#!/usr/bin/env python3
"""Reads under writes (bench/run.sh, sections 5b and 7): the mixed read load (64 connections over the URLs
that `bench/pages.py urls` wrote, split over the --read servers) for --seconds with no writes, then again
while an admin posts a job every second through the form of the --write server and another process edits
five postings' pay a second (one transaction an edit: its own SQLite connection, or psql). Prints reads
req/s and p99 of both runs and their ratios, the admin's save time, and how long each new posting took to
show on the listing's first page and in the API of the --watch server (p50/p95). On PostgreSQL it first
posts 10 jobs with no other load and prints the database rows read per change (pg_stat_database).

Usage: under_writes.py --write ORIGIN [--read ORIGIN ...] [--watch ORIGIN] --db PATH_OR_URL
       --admin EMAIL PASSWORD --seconds N --urls FILE
Standard library only, oha (as the benchmark installs it) and, for PostgreSQL, psql.
"""

import argparse
import http.client
import json
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

ARGS = argparse.ArgumentParser()
ARGS.add_argument("--write", required=True)
ARGS.add_argument("--read", action="append")
ARGS.add_argument("--watch")
ARGS.add_argument("--db", required=True)
ARGS.add_argument("--admin", nargs=2, required=True)
ARGS.add_argument("--seconds", type=int, default=20)
ARGS.add_argument("--urls", required=True)
ARGS.add_argument("--bulk", type=int, default=0, help="then publish this many postings with --seed while reading")
ARGS.add_argument("--seed", help="the command that publishes them (`jobboard ... seed --generate N`)")
OPTIONS = ARGS.parse_args()
ORIGIN = OPTIONS.write
READS = OPTIONS.read or [ORIGIN]
WATCH = OPTIONS.watch or ORIGIN
DB = OPTIONS.db
POSTGRES = DB.startswith("postgres")
ADMIN_EMAIL, ADMIN_PASSWORD = OPTIONS.admin
SECONDS = OPTIONS.seconds


def psql(sql):
    return subprocess.run(["psql", DB, "-qAt", "-c", sql], capture_output=True, text=True, check=True).stdout


def request(method, path, body=None, cookie=None, origin=None):
    origin = origin or ORIGIN
    host, port = origin.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Origin": origin}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    text = answer.read().decode("utf-8", "replace")
    result = (answer.status, answer.getheader("Location") or "", answer.getheader("Set-Cookie") or "", text)
    connection.close()
    return result


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round((len(ordered) - 1) * share)))]


def reads(label):
    """The mixed read load for SECONDS, split over the --read servers; returns (req/s, p99 ms, 5xx)."""
    urls = open(OPTIONS.urls).read().splitlines()
    first = urls[0].split("/", 3)
    base = f"{first[0]}//{first[2]}"
    runs = []
    for number, origin in enumerate(READS):
        file = f"/tmp/under-writes-urls-{number}.txt"
        with open(file, "w") as out:
            out.write("\n".join(url.replace(base, origin, 1) for url in urls) + "\n")
        runs.append(subprocess.Popen(
            ["oha", "--no-tui", "--disable-compression", "--output-format", "json", "-t", "15s", "-z", f"{SECONDS}s",
             "-c", str(64 // len(READS)), "--urls-from-file", file], stdout=subprocess.PIPE, text=True))
    results = [json.loads(run.communicate()[0]) for run in runs]
    rate = sum(data["summary"]["requestsPerSec"] for data in results)
    p50 = max(data["latencyPercentiles"]["p50"] for data in results) * 1000
    p99 = max(data["latencyPercentiles"]["p99"] for data in results) * 1000
    fivexx = sum(v for data in results for k, v in data.get("statusCodeDistribution", {}).items() if k.startswith("5"))
    print(f"| {label} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {fivexx} |", flush=True)
    return rate, p99, fivexx


class Writers:
    def __init__(self):
        status, _, set_cookie, body = request("POST", "/admin/sign-in", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        if status != 303:
            raise SystemExit(f"admin sign-in: {status} {body[:200]}")
        self.admin = set_cookie.split(";")[0]
        page = request("GET", "/admin/jobs/new", cookie=self.admin)[3]
        self.token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        self.stop = threading.Event()
        self.saves, self.visible, self.problems, self.edits = [], [], [], 0
        pick = "SELECT posting_id FROM posting_pay ORDER BY random() LIMIT 2000"
        if POSTGRES:
            self.paid = [int(line) for line in psql(pick).split()]
        else:
            db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
            self.paid = [row[0] for row in db.execute(pick)]
            db.close()
        self.posted = 0

    def post_one(self, watch=True):
        self.posted += 1
        n = self.posted
        started = time.monotonic()
        form = {
            "csrf": self.token, "intent": "publish", "title": f"Under Writes Queue Engineer {n}", "company": "tiktok",
            "new_company": "", "city_1": "San Jose", "region_1": "CA", "country_1": "US", "work_mode_1": "hybrid",
            "employment_type": "full_time", "level": "mid", "career_step": "", "pay_min": "150000",
            "pay_max": "190000", "currency": "USD", "pay_unit": "YEAR", "benefits_health": "Medical insurance",
            "heading_1": "What you will do", "body_1": "Run **queues** at scale.",
            "apply": "https://careers.example.com/queues", "posted_at": "",
            "valid_through": time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400)), "skills": "Rust",
        }
        try:
            status, location, _, body = request("POST", "/admin/jobs/new", form, self.admin)
            saved = time.monotonic()
            if watch:
                self.saves.append((saved - started) * 1000)
            if status == 303 and "saved=" in location:
                if watch:
                    threading.Thread(target=self.watch, args=(int(location.split("saved=")[1]), saved), daemon=True).start()
            else:
                self.problems.append(f"posting: {status} {body[:200]}")
        except OSError as error:
            self.problems.append(f"posting: {error}")

    def post(self):
        while not self.stop.is_set():
            started = time.monotonic()
            self.post_one()
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def watch(self, posting, saved):
        """Polls the listing's first page and the API until both show the new posting."""
        seen = {"listing": False, "api": False}
        while not all(seen.values()) and time.monotonic() - saved < 60:
            if not seen["listing"]:
                seen["listing"] = f"/jobs/{posting}-" in request("GET", "/jobs", origin=WATCH)[3]
            if not seen["api"]:
                seen["api"] = f'"id":{posting},' in request("GET", "/api/v1/jobs", origin=WATCH)[3]
            if not all(seen.values()):
                time.sleep(0.02)
        self.visible.append((time.monotonic() - saved) * 1000 if all(seen.values()) else float("inf"))

    def edit(self):
        db = None if POSTGRES else sqlite3.connect(DB, timeout=10, isolation_level=None)
        step = 1000
        update = "UPDATE posting_pay SET annual_min = annual_min + {step}, annual_max = annual_max + {step} WHERE posting_id = {id}"
        while not self.stop.is_set():
            started = time.monotonic()
            chosen = random.sample(self.paid, 5)
            try:
                if POSTGRES:
                    # Each -c is its own transaction.
                    command = ["psql", DB, "-q"]
                    for posting in chosen:
                        command += ["-c", update.format(step=step, id=posting)]
                    subprocess.run(command, check=True, capture_output=True)
                    self.edits += len(chosen)
                else:
                    for posting in chosen:
                        db.execute("BEGIN IMMEDIATE")
                        db.execute(update.format(step=step, id=posting))
                        db.execute("COMMIT")
                        self.edits += 1
            except (sqlite3.Error, subprocess.CalledProcessError) as error:
                self.problems.append(f"edit: {error}")
                if db is not None and db.in_transaction:
                    db.execute("ROLLBACK")
            step = -step
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))
        if db is not None:
            db.close()


def rows_read_per_change(writers):
    """Posts 10 jobs, one a second, with no other load: the database's rows read (pg_stat_database's
    tup_returned + tup_fetched) per posting, over every instance's patches."""
    count = "SELECT sum(tup_returned + tup_fetched) FROM pg_stat_database WHERE datname = current_database()"
    time.sleep(2)
    before = int(psql(count))
    for _ in range(10):
        started = time.monotonic()
        writers.post_one(watch=False)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    time.sleep(2)
    after = int(psql(count))
    # psql's own two reads of the view are a few rows each.
    print(f"database rows read per new posting with no other load, every instance included: {(after - before) / 10:,.0f}")


def open_in_database():
    """How many postings are open today, as the database counts them."""
    sql = "SELECT COUNT(*) FROM postings WHERE status = 'published' AND valid_through >= {today}"
    if POSTGRES:
        return int(psql(sql.format(today="CURRENT_DATE")))
    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    count = db.execute(sql.format(today="date('now')")).fetchone()[0]
    db.close()
    return count


def listed_total():
    """The listing's total as the API gives it; None while it answers otherwise (429 past the per-address
    limit of uncached listings, which a bulk change, emptying the caches, brings on for this one address)."""
    status, _, _, body = request("GET", "/api/v1/jobs", origin=WATCH)
    return json.loads(body).get("total") if status == 200 else None


def bulk(quiet_rate):
    """Reads while `--seed` publishes `--bulk` postings in another process; then how long after its last
    commit the listing's total (on the watched server) shows them all."""
    done = {}

    def publish():
        time.sleep(2)
        started = time.monotonic()
        subprocess.run(OPTIONS.seed, shell=True, check=True, capture_output=True)
        done["finished"] = time.monotonic()
        done["took"] = done["finished"] - started
        done["expected"] = open_in_database()
        # Watched while the reads go on.
        while listed_total() != done["expected"] and time.monotonic() - done["finished"] < 120:
            time.sleep(0.05)
        done["shown"] = time.monotonic() - done["finished"]

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    print("\n| reads (64 connections, mixed URLs) | req/s | p50 ms | p99 ms | 5xx |")
    print("|---|---|---|---|---|")
    rate, _, _ = reads(f"while `seed --generate {OPTIONS.bulk}` publishes in another process")
    thread.join()
    shown = done["shown"]
    print(f"\nbulk: {OPTIONS.bulk} postings published in {done['took']:.1f} s; reads {rate / quiet_rate:.2f} of quiet "
          f"(goal >= 0.8); the listing showed all {done['expected']:,} open postings {shown:.1f} s after the last "
          f"commit (goal < 10)")


def newest_id():
    sql = "SELECT COALESCE(MAX(id), 0) FROM postings"
    if POSTGRES:
        return int(psql(sql))
    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    newest = db.execute(sql).fetchone()[0]
    db.close()
    return newest


def remove_postings_after(newest):
    """Deletes what this run published, so that the next run reads the same board."""
    statements = [f"DELETE FROM audit_log WHERE posting_id > {newest}",
                  f"DELETE FROM postings WHERE id > {newest}",
                  f"DELETE FROM postings_fts WHERE {'posting_id' if POSTGRES else 'rowid'} > {newest}"]
    if POSTGRES:
        for statement in statements:
            psql(statement)
    else:
        db = sqlite3.connect(DB, timeout=30, isolation_level=None)
        # Python's sqlite3 leaves foreign keys off: the postings' parts go with them only when on.
        db.execute("PRAGMA foreign_keys = ON")
        for statement in statements:
            db.execute(statement)
        db.close()


def main():
    board_before = newest_id()
    writers = Writers()
    print(f"writes through {ORIGIN}; reads over {', '.join(READS)}; new postings watched on {WATCH}")
    if POSTGRES:
        rows_read_per_change(writers)
    print("| reads (64 connections, mixed URLs) | req/s | p50 ms | p99 ms | 5xx |")
    print("|---|---|---|---|---|")
    quiet_rate, quiet_p99, _ = reads("no writes")
    threads = [threading.Thread(target=writers.post, daemon=True), threading.Thread(target=writers.edit, daemon=True)]
    for thread in threads:
        thread.start()
    busy_rate, busy_p99, _ = reads("1 posting/s through the form + 5 edits/s from another process")
    writers.stop.set()
    for thread in threads:
        thread.join()
    time.sleep(2)
    print(f"\nreads with writes / without: {busy_rate / quiet_rate:.2f} (goal >= 0.9); "
          f"p99 with / without: {busy_p99 / quiet_p99:.2f}x (goal <= 1.5)")
    print(f"admin's save ({len(writers.saves)}): p50 {percentile(writers.saves, 0.5):.1f} ms, "
          f"p95 {percentile(writers.saves, 0.95):.1f} ms (goal < 100)")
    print(f"a new posting on the listing's first page and in the API ({len(writers.visible)}): "
          f"p50 {percentile(writers.visible, 0.5):.0f} ms, p95 {percentile(writers.visible, 0.95):.0f} ms, "
          f"never {sum(1 for v in writers.visible if v == float('inf'))} (goal p95 < 1000)")
    print(f"edits by the other process: {writers.edits}; problems: {len(writers.problems)}")
    for problem in writers.problems[:5]:
        print(f"  {problem}")
    if OPTIONS.bulk and OPTIONS.seed:
        bulk(quiet_rate)
    try:
        remove_postings_after(board_before)
    except (sqlite3.Error, subprocess.CalledProcessError) as error:
        print(f"the postings this run published stay in the database: {error}")


if __name__ == "__main__":
    main()
