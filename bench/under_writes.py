#!/usr/bin/env python3
"""Reads under writes (bench/run.sh, section 5b): the mixed read load (64 connections over the URLs that
`bench/pages.py urls` wrote) for SECONDS with no writes, then again while an admin posts a job every second
through the form and another process edits five postings' pay a second (its own SQLite connection, one
transaction an edit). Prints reads req/s and p99 of both runs and their ratios, the admin's save time, and
how long each new posting took to show on the listing's first page and in the API (p50/p95).

Usage: under_writes.py ORIGIN DB ADMIN_EMAIL ADMIN_PASSWORD SECONDS URLS_FILE
Standard library only, and oha (as the benchmark installs it).
"""

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

ORIGIN, DB, ADMIN_EMAIL, ADMIN_PASSWORD = sys.argv[1:5]
SECONDS = int(sys.argv[5])
URLS = sys.argv[6]
HOST, PORT = ORIGIN.removeprefix("http://").split(":")
PORT = int(PORT)


def request(method, path, body=None, cookie=None):
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    headers = {"Origin": ORIGIN}
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
    """The mixed read load for SECONDS; returns (req/s, p99 ms, 5xx)."""
    output = subprocess.run(
        ["oha", "--no-tui", "--disable-compression", "--output-format", "json", "-t", "15s", "-z", f"{SECONDS}s",
         "-c", "64", "--urls-from-file", URLS], capture_output=True, text=True, check=True).stdout
    data = json.loads(output)
    status = data.get("statusCodeDistribution", {})
    fivexx = sum(v for k, v in status.items() if k.startswith("5"))
    rate, p99 = data["summary"]["requestsPerSec"], data["latencyPercentiles"]["p99"] * 1000
    print(f"| {label} | {rate:.0f} | {data['latencyPercentiles']['p50'] * 1000:.1f} | {p99:.1f} | {fivexx} |", flush=True)
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
        db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
        self.paid = [row[0] for row in db.execute("SELECT posting_id FROM posting_pay ORDER BY random() LIMIT 2000")]
        db.close()

    def post(self):
        n = 0
        while not self.stop.is_set():
            started = time.monotonic()
            n += 1
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
                self.saves.append((saved - started) * 1000)
                if status == 303 and "saved=" in location:
                    threading.Thread(target=self.watch, args=(int(location.split("saved=")[1]), saved), daemon=True).start()
                else:
                    self.problems.append(f"posting: {status} {body[:200]}")
            except OSError as error:
                self.problems.append(f"posting: {error}")
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def watch(self, posting, saved):
        """Polls the listing's first page and the API until both show the new posting."""
        seen = {"listing": False, "api": False}
        while not all(seen.values()) and time.monotonic() - saved < 60:
            if not seen["listing"]:
                seen["listing"] = f"/jobs/{posting}-" in request("GET", "/jobs")[3]
            if not seen["api"]:
                seen["api"] = f'"id":{posting},' in request("GET", "/api/v1/jobs")[3]
            if not all(seen.values()):
                time.sleep(0.02)
        self.visible.append((time.monotonic() - saved) * 1000 if all(seen.values()) else float("inf"))

    def edit(self):
        db = sqlite3.connect(DB, timeout=10, isolation_level=None)
        step = 1000
        while not self.stop.is_set():
            started = time.monotonic()
            for posting in random.sample(self.paid, 5):
                try:
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("UPDATE posting_pay SET annual_min = annual_min + ?, annual_max = annual_max + ? "
                               "WHERE posting_id = ?", (step, step, posting))
                    db.execute("COMMIT")
                    self.edits += 1
                except sqlite3.Error as error:
                    self.problems.append(f"edit: {error}")
                    db.execute("ROLLBACK") if db.in_transaction else None
            step = -step
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))
        db.close()


def main():
    print("| reads (64 connections, mixed URLs) | req/s | p50 ms | p99 ms | 5xx |")
    print("|---|---|---|---|---|")
    quiet_rate, quiet_p99, _ = reads("no writes")
    writers = Writers()
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


if __name__ == "__main__":
    main()
