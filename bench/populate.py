"""Posts statuses for benchmark accounts over one keep-alive connection each.

Usage: populate.py BASE_URL TOKENS_FILE POSTS_PER_ACCOUNT
"""
import http.client
import sys
import urllib.parse

base, tokens_file, per_account = sys.argv[1], sys.argv[2], int(sys.argv[3])
host = urllib.parse.urlparse(base)
tokens = [t.strip() for t in open(tokens_file) if t.strip()]
conn = http.client.HTTPConnection(host.hostname, host.port)
for n in range(per_account):
    for i, token in enumerate(tokens):
        body = urllib.parse.urlencode({"status": f"Status {n} of reader {i}: benchmarking #chirp https://example.com/{n}"})
        conn.request("POST", "/api/v1/statuses", body,
                     {"Authorization": "Bearer " + token, "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"post failed: {response.status}")
