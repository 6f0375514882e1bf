#!/usr/bin/env bash
# GET /api/v1/accounts/verify_credentials under wrk (keep-alive, loopback),
# against nginx serving a static file of the same size in the same run.
# Prints both rates and their ratio. Rate limiting is off, as for any benchmark.
source "$(dirname "$0")/lib.sh"
start_chirpd --rate-limits off
app=$(curl -sf -X POST "$CHIRP_URL/api/v1/apps" -d client_name=bench -d redirect_uris=urn:ietf:wg:oauth:2.0:oob -d 'scopes=read write')
id=$(echo "$app" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
secret=$(echo "$app" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
app_token=$(curl -sf -X POST "$CHIRP_URL/oauth/token" -d grant_type=client_credentials -d client_id="$id" -d client_secret="$secret" -d 'scope=write' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
token=$(curl -sf -X POST "$CHIRP_URL/api/v1/accounts" -H "Authorization: Bearer $app_token" \
  -d username=bench -d email=bench@example.com -d password=benchmark-password -d agreement=true |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
curl -sf "$CHIRP_URL/api/v1/accounts/verify_credentials" -H "Authorization: Bearer $token" > "$bench_tmp/body.json"
size=$(stat -c %s "$bench_tmp/body.json")
start_nginx "$bench_tmp/body.json"

# The baseline before and after, averaged: the machine drifts within a run.
nginx_before=$(wrk_rps "$NGINX_URL/static.json")
cost_mark
chirp_rps=$(wrk_rps "$CHIRP_URL/api/v1/accounts/verify_credentials" "Authorization: Bearer $token")
read -ra costs < <(cost_fields)
nginx_after=$(wrk_rps "$NGINX_URL/static.json")
nginx_rps=$(python3 -c "print(f'{($nginx_before + $nginx_after) / 2:.2f}')")
ratio=$(python3 -c "print(f'{$chirp_rps / $nginx_rps:.2f}')")
echo
echo "verify_credentials: ${chirp_rps} req/s; nginx static file of ${size} bytes: ${nginx_rps} req/s (${nginx_before} before, ${nginx_after} after); ratio ${ratio}"
record verify_credentials rps "$chirp_rps" nginx_rps "$nginx_rps" ratio "$ratio" bytes "$size" "${costs[@]}"
