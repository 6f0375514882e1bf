#!/usr/bin/env bash
# POST /api/v1/statuses under wrk (keep-alive, loopback): statuses per second
# committed on the embedded store (every answer is after its commit). In the
# same run, nginx serving a static file of the size of the answer gives the
# HTTP ceiling for the ratio.
source "$(dirname "$0")/lib.sh"
start_chirpd --rate-limits off "$@"
app=$(curl -sf -X POST "$CHIRP_URL/api/v1/apps" -d client_name=bench -d redirect_uris=urn:ietf:wg:oauth:2.0:oob -d 'scopes=read write')
id=$(echo "$app" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
secret=$(echo "$app" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
app_token=$(curl -sf -X POST "$CHIRP_URL/oauth/token" -d grant_type=client_credentials -d client_id="$id" -d client_secret="$secret" -d 'scope=write' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
export CHIRP_TOKEN=$(curl -sf -X POST "$CHIRP_URL/api/v1/accounts" -H "Authorization: Bearer $app_token" \
  -d username=bench -d email=bench@example.com -d password=benchmark-password -d agreement=true |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
curl -sf -X POST "$CHIRP_URL/api/v1/statuses" -H "Authorization: Bearer $CHIRP_TOKEN" \
  --data-urlencode 'status=Benchmark post 0 with #chirp and https://example.com/path' > "$bench_tmp/body.json"
size=$(stat -c %s "$bench_tmp/body.json")
start_nginx "$bench_tmp/body.json"
nginx_rps=$(wrk_rps "$NGINX_URL/static.json")
cost_mark
post_rps=$(wrk_run "$CHIRP_URL/api/v1/statuses" -s "$(dirname "$0")/post_status.lua")
read -ra costs < <(cost_fields)
stored=$(curl -sf "$CHIRP_URL/api/v1/accounts/verify_credentials" -H "Authorization: Bearer $CHIRP_TOKEN" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["statuses_count"])')
batches=$(curl -sf "$CHIRP_URL/metrics" | awk '/^chirp_store_write_transactions_total/ {t=$2} /^chirp_store_write_operations_total/ {o=$2} END {printf "%.1f", o/t}')
ratio=$(python3 -c "print(f'{$post_rps / $nginx_rps:.3f}')")
echo
echo "POST /api/v1/statuses: ${post_rps} statuses/s (${stored} stored, ${batches} writes per commit on average); nginx static ${size} bytes: ${nginx_rps} req/s; ratio ${ratio}"
record post_status rps "$post_rps" nginx_rps "$nginx_rps" ratio "$ratio" writes_per_commit "$batches" "${costs[@]}"
