#!/usr/bin/env bash
# Test-only TLS material for @residual/sweep's rediss:// tests (never used outside tests):
# a self-signed certificate for 127.0.0.1 valid for 100 years, its key, and an unrelated CA that must be refused.
# Run from the repository root: bash tools/sweep/gen_tls.sh
set -euo pipefail
out=packages/sweep/fixtures/tls
mkdir -p "$out"
openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$out/test-only-server-key.pem" -out "$out/server-cert.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj "/CN=unrelated test CA" \
  -keyout /dev/null -out "$out/unrelated-ca.pem" 2>/dev/null
