#!/usr/bin/env python3
"""The load test's traffic and its verdict (run by .ci/load-test.sh, which starts the server).

Readers: one oha per kind of page, 64 connections in all, for the run's length: the listing with filters
and keywords, deep pages (cursors found by walking the API), posting pages, company and career pages,
the API, feeds, after a warm-up of the same traffic. Writers, from the start: an admin posts a job every second, and every second a candidate signs
up, confirms (the token read from the outbox) and applies to the brief's company. At the end: every
acknowledged write is in the database, no 5xx and no timeout, and the server's RSS at the end is within
20% of its value after the warm-up. Prints throughput and p50/p99 per kind; exits 1 when a goal fails.

Standard library only, and oha (from crates.io, as the benchmark installs it).
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

HOST, PORT = sys.argv[1].split(":")
PORT = int(PORT)
DB = sys.argv[2]
SERVER_PID = int(sys.argv[3])
ADMIN_EMAIL, ADMIN_PASSWORD = sys.argv[4], sys.argv[5]
SECONDS = int(sys.argv[6]) if len(sys.argv) > 6 else 60
WARM_UP = 20
ORIGIN = f"http://{HOST}:{PORT}"
KINDS = {  # kind: connections (64 in all)
    "listing": 16,
    "deep pages": 8,
    "posting": 16,
    "company": 6,
    "career": 6,
    "api": 8,
    "feed": 4,
}


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


def session_of(set_cookie):
    match = re.search(r"jobboard_session=([^;]+)", set_cookie)
    if not match:
        raise SystemExit(f"no session cookie in {set_cookie!r}")
    return f"jobboard_session={match.group(1)}"


def csrf_of(page):
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    if not match:
        raise SystemExit("no form token on the page")
    return match.group(1)


def rss_kib():
    with open(f"/proc/{SERVER_PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def url_files():
    """One file of URLs per kind, from the database and, for deep pages, from walking the API."""
    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    rng = random.Random(18)
    ids = [row[0] for row in db.execute("SELECT id FROM postings WHERE status = 'published' ORDER BY random() LIMIT 3000")]
    companies = [row[0] for row in db.execute("SELECT slug FROM companies ORDER BY random() LIMIT 200")]
    careers = [row[0] for row in db.execute("SELECT slug FROM career_paths")]
    regions = [row[0] for row in db.execute("SELECT DISTINCT region FROM posting_locations LIMIT 50")]
    db.close()
    words = ["engineer", "nurse", "analyst", "backend", "rust", "sales", "data", "manager", "remote", "senior"]
    listing = []
    for _ in range(3000):
        query = {}
        if rng.random() < 0.6:
            query["q"] = " ".join(rng.sample(words, rng.randint(1, 2)))
        if rng.random() < 0.5:
            query["region"] = rng.choice(regions)
        if rng.random() < 0.4:
            query["min_pay"] = rng.choice([40000, 80000, 120000, 160000])
        if rng.random() < 0.3:
            query["sort"] = rng.choice(["newest", "pay", "relevance"])
        listing.append(f"{ORIGIN}/jobs?{urllib.parse.urlencode(query)}")
    deep = []
    for start in ["sort=newest", "sort=pay", "region=CA", "q=engineer", "min_pay=80000"]:
        path = f"/api/v1/jobs?{start}"
        for page in range(40):
            status, _, _, body = request("GET", path)
            if status != 200:
                break
            cursor = json.loads(body).get("next_cursor")
            if not cursor:
                break
            path = f"/api/v1/jobs?{start}&after={urllib.parse.quote(cursor)}"
            if page >= 5:
                deep.append(f"{ORIGIN}/jobs?{start}&after={urllib.parse.quote(cursor)}")
    files = {
        "listing": listing,
        "deep pages": deep,
        "posting": [f"{ORIGIN}/jobs/{i}" for i in ids],
        "company": [f"{ORIGIN}/companies/{slug}" for slug in companies],
        "career": [f"{ORIGIN}/careers/{slug}" for slug in careers],
        "api": [u.replace("/jobs?", "/api/v1/jobs?") for u in listing[:1500]] + [f"{ORIGIN}/api/v1/jobs/{i}" for i in ids[:1500]],
        "feed": [u.replace("/jobs?", "/jobs/feed.atom?") for u in listing[:1000]]
        + [f"{ORIGIN}/companies/{slug}/feed.atom" for slug in companies],
    }
    paths = {}
    for kind, urls in files.items():
        if not urls:
            raise SystemExit(f"no URLs for {kind}")
        path = f"/tmp/load-test-{kind.replace(' ', '-')}.txt"
        with open(path, "w") as out:
            out.write("\n".join(urls) + "\n")
        paths[kind] = path
    return paths


def oha(path, connections, seconds):
    return subprocess.Popen(
        ["oha", "--no-tui", "--output-format", "json", "-z", f"{seconds}s", "-c", str(connections), "-t", "10s",
         "--urls-from-file", path],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


class Writers:
    """An admin posting every second and a candidate applying every second, until stopped."""

    def __init__(self):
        self.postings, self.applications, self.problems, self.refused = [], [], [], []
        self.stop = threading.Event()
        status, _, set_cookie, body = request("POST", "/admin/sign-in", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        if status != 303:
            raise SystemExit(f"admin sign-in: {status} {body[:200]}")
        self.admin = session_of(set_cookie)
        self.admin_token = csrf_of(request("GET", "/admin/jobs/new", cookie=self.admin)[3])
        db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
        self.company_postings = [row[0] for row in db.execute(
            "SELECT p.id FROM postings p JOIN companies c ON c.id = p.company_id WHERE c.slug = 'tiktok' "
            "AND p.status = 'published' ORDER BY p.id LIMIT 3")]
        db.close()

    def post_jobs(self):
        n = 0
        while not self.stop.is_set():
            started = time.monotonic()
            n += 1
            title = f"Load Test Queue Engineer {n}"
            form = {
                "csrf": self.admin_token, "intent": "publish", "title": title, "company": "tiktok", "new_company": "",
                "city_1": "San Jose", "region_1": "CA", "country_1": "US", "work_mode_1": "hybrid",
                "employment_type": "full_time", "level": "mid", "career_step": "", "pay_min": "150000",
                "pay_max": "190000", "currency": "USD", "pay_unit": "YEAR", "benefits_health": "Medical insurance",
                "heading_1": "What you will do", "body_1": "Run **queues** at scale.",
                "apply": "https://careers.example.com/queues", "posted_at": "",
                "valid_through": time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400)), "skills": "Rust",
            }
            try:
                status, location, _, body = request("POST", "/admin/jobs/new", form, self.admin)
                if status == 303 and "saved=" in location:
                    self.postings.append((int(location.split("saved=")[1]), title))
                else:
                    self.problems.append(f"posting: {status} {body[:200]}")
            except OSError as error:
                self.problems.append(f"posting: {error}")
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def apply(self):
        n = 0
        while not self.stop.is_set():
            started = time.monotonic()
            n += 1
            email = f"load{n}-{int(time.time())}@load.example"
            try:
                status, _, set_cookie, body = request(
                    "POST", "/account/sign-up", {"email": email, "password": "copper lantern drift 4417", "name": "Ana Lima"})
                if status != 303:
                    self.problems.append(f"sign-up: {status} {body[:200]}")
                    continue
                cookie = session_of(set_cookie)
                db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
                mail = db.execute("SELECT body FROM outbox WHERE to_address = ? ORDER BY id DESC LIMIT 1", (email,)).fetchone()
                db.close()
                token = re.search(r"/account/confirm\?token=([A-Za-z0-9]+)", mail[0]).group(1)
                status, _, _, body = request("POST", "/account/confirm", {"token": token}, cookie)
                if status != 303:
                    self.problems.append(f"confirm: {status} {body[:200]}")
                    continue
                csrf = csrf_of(request("GET", "/account", cookie=cookie)[3])
                for posting in self.company_postings:
                    status, _, _, body = request("POST", f"/jobs/{posting}/apply", {
                        "csrf": csrf, "name": "Ana Lima", "email": email, "cv_url": "https://cv.example/ana",
                        "cv_text": "", "note": "Hello"}, cookie)
                    if status == 303:
                        self.applications.append((email, posting))
                    elif status == 409:
                        self.refused.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))[:300])
                    else:
                        self.problems.append(f"apply: {status} {body[:200]}")
            except (OSError, AttributeError, TypeError) as error:
                self.problems.append(f"candidate: {error!r}")
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))


def summary(kind, output):
    data = json.loads(output)
    codes = data.get("statusCodeDistribution", {})
    errors = data.get("errorDistribution", {})
    total = sum(codes.values())
    server_errors = sum(n for code, n in codes.items() if code.startswith("5"))
    timeouts = sum(n for error, n in errors.items() if "timeout" in error.lower())
    # oha ends the run by cutting the requests in flight at the deadline: those are not the server's.
    cut = sum(n for error, n in errors.items() if "deadline" in error.lower() or "aborted" in error.lower())
    p = data.get("latencyPercentiles", {})
    return {
        "kind": kind, "requests": total, "per_second": data["summary"]["requestsPerSec"],
        "p50_ms": (p.get("p50") or 0) * 1000, "p99_ms": (p.get("p99") or 0) * 1000,
        "server_errors": server_errors, "timeouts": timeouts, "other_errors": sum(errors.values()) - timeouts - cut, "errors": errors,
        "codes": codes,
    }


def main():
    files = url_files()
    # The writers start first, so that the warm-up already holds what they cost (a snapshot rebuilt
    # beside the one in use after each posting).
    writers = Writers()
    threads = [threading.Thread(target=writers.post_jobs), threading.Thread(target=writers.apply)]
    for thread in threads:
        thread.start()
    print(f"warm-up: {WARM_UP} s of the same traffic")
    for process in [oha(files[kind], connections, WARM_UP) for kind, connections in KINDS.items()]:
        process.communicate()
    rss_after_warm_up = rss_kib()
    print(f"load: {SECONDS} s, {sum(KINDS.values())} connections, an admin posting and a candidate applying every second")
    readers = {kind: oha(files[kind], connections, SECONDS) for kind, connections in KINDS.items()}
    results = [summary(kind, process.communicate()[0]) for kind, process in readers.items()]
    writers.stop.set()
    for thread in threads:
        thread.join()
    rss_at_end = rss_kib()

    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    lost = [f"posting {i}" for i, title in writers.postings
            if db.execute("SELECT COUNT(*) FROM postings WHERE id = ? AND title = ?", (i, title)).fetchone()[0] != 1]
    lost += [f"application {e} {p}" for e, p in writers.applications if db.execute(
        "SELECT COUNT(*) FROM applications a JOIN candidates c ON c.id = a.candidate_id WHERE c.email = ? AND a.posting_id = ?",
        (e, p)).fetchone()[0] != 1]
    db.close()

    print(f"\n{'kind':<12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>5} {'timeouts':>8}")
    for r in results:
        print(f"{r['kind']:<12} {r['requests']:>9} {r['per_second']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
              f"{r['server_errors']:>5} {r['timeouts']:>8}")
    total = sum(r["requests"] for r in results)
    print(f"{'all':<12} {total:>9} {total / SECONDS:>8.0f}")
    server_errors = sum(r["server_errors"] for r in results)
    timeouts = sum(r["timeouts"] for r in results)
    other = sum(r["other_errors"] for r in results)
    growth = rss_at_end / rss_after_warm_up - 1 if rss_after_warm_up else 0
    print(f"\nwrites acknowledged (warm-up included): {len(writers.postings)} postings, {len(writers.applications)} applications; lost: {len(lost)}")
    print(f"write problems: {len(writers.problems)} {writers.problems[:5]}")
    print(f"applications refused (409): {len(writers.refused)} {writers.refused[:1]}")
    print(f"5xx: {server_errors}, timeouts: {timeouts}, other client errors: {other}")
    print(f"RSS after warm-up {rss_after_warm_up / 1024:.0f} MiB, at the end {rss_at_end / 1024:.0f} MiB ({growth:+.0%})")
    with open("/tmp/load-test-results.json", "w") as out:
        json.dump({"results": results, "postings": len(writers.postings), "applications": len(writers.applications),
                   "lost": lost, "rss_after_warm_up_kib": rss_after_warm_up, "rss_at_end_kib": rss_at_end}, out, indent=1)
    failed = server_errors or timeouts or lost or writers.problems or abs(growth) > 0.20 or not writers.postings
    print("\nload test:", "FAILED" if failed else "passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
