#!/usr/bin/env bash
# GET /api/v1/accounts/verify_credentials under wrk (keep-alive, loopback),
# against nginx serving a static file of the same size in the same run.
# Prints both rates and their ratio. Rate limiting is off, as for any benchmark.
source "$(dirname "$0")/lib.sh"
start_chirpd --rate-limits off
token=$(sign_up bench)
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
