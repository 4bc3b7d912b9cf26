#!/usr/bin/env python3
"""Benchmark helpers for bench/run.sh (standard library only).

  pages.py latency BASE DB [RUNS]   p50/p95 of each kind of page, one request at a time, as served
  pages.py urls BASE DB FILE        a URL list of mixed traffic for the load generator
  pages.py hostile BASE SECONDS     hostile traffic for SECONDS: a 61 KB server-function body, junk keyword
                                    searches, alert sign-ups each followed by a new filter, 4 a second

Every target is the local server under test (a loopback address); every loop is bounded in count and time.
"""
import http.client
import random
import sqlite3
import statistics
import sys
import time
import urllib.parse


def connect(base):
    parts = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def fetch(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response.status


def samples(db):
    """Ids of open postings, company slugs and career path slugs, from the benchmark's database."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    open_ids = [row[0] for row in con.execute(
        "SELECT id FROM postings WHERE status = 'published' AND valid_through >= ?", (today,))]
    companies = [row[0] for row in con.execute("SELECT slug FROM companies")]
    paths = [row[0] for row in con.execute("SELECT slug FROM career_paths")]
    con.close()
    return open_ids, companies, paths


def latency(base, db, runs):
    open_ids, companies, paths = samples(db)
    rng = random.Random(7)
    kinds = [
        ("detail page `/jobs/{id}-x` (random open posting)", lambda: f"/jobs/{rng.choice(open_ids)}-x"),
        ("`/api/v1/jobs/{id}` (random open posting)", lambda: f"/api/v1/jobs/{rng.choice(open_ids)}"),
        ("company page `/companies/{slug}` (random company)", lambda: f"/companies/{rng.choice(companies)}"),
        ("career path `/careers/{slug}`", lambda: f"/careers/{rng.choice(paths)}"),
        ("`/sitemap.xml` (the index)", lambda: "/sitemap.xml"),
        ("`/sitemap-1.xml` (45,000 URLs)", lambda: "/sitemap-1.xml"),
        ("listing `/jobs` (reference)", lambda: "/jobs"),
    ]
    conn = connect(base)
    print("| page | runs | p50 ms | p95 ms | max ms | statuses |")
    print("|---|---|---|---|---|---|")
    for label, path in kinds:
        count = max(20, runs // 10) if "sitemap-1" in label else runs
        times, statuses = [], {}
        for _ in range(count):
            started = time.perf_counter()
            status = fetch(conn, "GET", path())
            times.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"| {label} | {count} | {statistics.median(times):.2f} | {p95:.2f} | {times[-1]:.1f} | "
              f"{', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))} |")


def urls(base, db, file):
    """Mixed traffic: listings with filters and keywords, deep pages, detail, API, company, career,
    sitemap; one URL a line, in a shuffled order the load generator cycles through."""
    open_ids, companies, paths = samples(db)
    rng = random.Random(11)
    conn = connect(base)
    # A deep page: follow the listing's cursors 50 pages down.
    path = "/api/v1/jobs"
    import json
    cursor = None
    for _ in range(50):
        conn.request("GET", path + (f"?after={urllib.parse.quote(cursor)}" if cursor else ""))
        cursor = json.loads(conn.getresponse().read())["next_cursor"]
    deep = f"/jobs?after={urllib.parse.quote(cursor)}"
    listing = ["/jobs", "/jobs?region=CA&min_pay=120000", "/jobs?location=san-jose-ca&min_pay=150000",
               "/jobs?q=engineer&remote=remote", "/jobs?q=engineer&sort=pay", "/jobs?q=nurse",
               "/jobs?type=contract&level=senior", deep]
    lines = []
    for _ in range(400):
        lines += [base + rng.choice(listing)]
        lines += [f"{base}/jobs/{rng.choice(open_ids)}-x" for _ in range(3)]
        lines += [f"{base}/api/v1/jobs/{rng.choice(open_ids)}"]
        lines += [f"{base}/companies/{rng.choice(companies)}", f"{base}/careers/{rng.choice(paths)}"]
    lines += [f"{base}/sitemap.xml"] * 40 + [f"{base}/sitemap-1.xml"] * 4
    rng.shuffle(lines)
    with open(file, "w") as out:
        out.write("\n".join(lines) + "\n")
    print(f"{len(lines)} URLs in {file}")


def hostile(base, seconds):
    """Fires the issue's hostile requests, four a second each, for `seconds`."""
    conn = connect(base)
    origin = {"Origin": base, "Content-Type": "application/x-www-form-urlencoded"}
    body = "&".join(f"filter[remote][{i}]=remote" for i in range(2_300)).encode()
    assert 60_000 < len(body) < 64 * 1024, len(body)
    sent, statuses = 0, {}
    deadline = time.monotonic() + seconds
    tick = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        requests = [
            ("POST", "/fn/list_jobs", body, origin),
            ("GET", f"/jobs?q=zq{tick}x{'y' * 40}", None, {}),
            ("GET", f"/jobs?q=Engineer{'!' * (tick % 7)}&level=senior", None, {}),
            ("POST", "/careers/backend-software-engineering/alerts",
             f"email=bench{tick}%40example.com&step=devops-engineer".encode(), origin),
            ("GET", f"/jobs?region=CA&min_pay={100000 + tick}", None, {}),
        ]
        for method, path, payload, headers in requests:
            try:
                status = fetch(conn, method, path, payload, headers)
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = connect(base)
                status = "error"
            statuses[status] = statuses.get(status, 0) + 1
            sent += 1
        tick += 1
        time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))
    print(f"hostile traffic: {sent} requests in {seconds} s, statuses "
          f"{', '.join(f'{k}: {v}' for k, v in sorted(statuses.items(), key=str))}")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "latency":
        latency(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 200)
    elif command == "urls":
        urls(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "hostile":
        hostile(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
