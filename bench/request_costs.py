#!/usr/bin/env python3
"""What each request cost, between two snapshots of a benchmark's run.

  request_costs.py snapshot PID CHIRP_URL > before.json
  ... the measured run ...
  request_costs.py since before.json PID CHIRP_URL

A snapshot holds chirpd's CPU time (/proc/PID/stat) and the requests it has
answered (chirp_http_requests_total), and, when the environment names them,
what PostgreSQL ran for its database (CHIRP_DATABASE_URL: statements and
rows from pg_stat_statements, where the server loads it) and what the Redis
Cluster's masters ran (CHIRP_REDIS_URL: total_commands_processed). `since`
prints the cost of one request answered since the snapshot as KEY VALUE
pairs for bench/lib.sh's record: cpu_us_per_request,
pg_statements_per_request, pg_rows_per_request,
redis_commands_per_request (those measured).
"""
import json
import os
import re
import subprocess
import sys
import urllib.request


def chirpd(pid, url):
    with open(f"/proc/{pid}/stat") as f:
        # The command name may hold spaces: the fields after it count from ")".
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    cpu_us = ticks * 1_000_000 // os.sysconf("SC_CLK_TCK")
    text = urllib.request.urlopen(f"{url}/metrics", timeout=10).read().decode()
    requests = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("chirp_http_requests_total{"))
    return cpu_us, requests


def postgres(url):
    query = ("SELECT coalesce(sum(calls), 0), coalesce(sum(rows), 0) FROM pg_stat_statements "
             "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
    try:
        out = subprocess.run(["psql", "-X", "-tA", "-F", " ", url, "-c", query], check=True,
                             capture_output=True, text=True, timeout=30).stdout.split()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return None  # pg_stat_statements not loaded
    return int(out[0]), int(out[1])


def redis(url):
    total = 0
    for node in url.removeprefix("redis://").split(","):
        host, port = node.rsplit(":", 1)
        try:
            info = subprocess.run(["redis-cli", "-h", host, "-p", port, "INFO"], check=True,
                                  capture_output=True, text=True, timeout=10).stdout
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            continue  # a node down: its commands are not counted
        if re.search(r"^role:master", info, re.M):
            total += int(re.search(r"^total_commands_processed:(\d+)", info, re.M).group(1))
    return total


def snapshot(pid, url):
    cpu_us, requests = chirpd(pid, url)
    out = {"cpu_us": cpu_us, "requests": requests}
    if os.environ.get("CHIRP_DATABASE_URL"):
        pg = postgres(os.environ["CHIRP_DATABASE_URL"])
        if pg:
            out["pg_statements"], out["pg_rows"] = pg
    if os.environ.get("CHIRP_REDIS_URL"):
        out["redis_commands"] = redis(os.environ["CHIRP_REDIS_URL"])
    return out


def main():
    if sys.argv[1] == "snapshot":
        print(json.dumps(snapshot(sys.argv[2], sys.argv[3])))
        return
    before = json.load(open(sys.argv[2]))
    after = snapshot(sys.argv[3], sys.argv[4])
    requests = max(after["requests"] - before["requests"], 1)
    pairs = []
    for key, name in (("cpu_us", "cpu_us_per_request"), ("pg_statements", "pg_statements_per_request"),
                      ("pg_rows", "pg_rows_per_request"), ("redis_commands", "redis_commands_per_request")):
        if key in before and key in after:
            pairs += [name, f"{(after[key] - before[key]) / requests:.2f}"]
    print(" ".join(pairs))


if __name__ == "__main__":
    main()
