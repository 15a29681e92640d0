#!/usr/bin/env bash
# Raises the file-descriptor limit (thousands of sockets) and runs the benchmarks.
ulimit -n 1048576 2>/dev/null || ulimit -n 262144 2>/dev/null || ulimit -n 65536 2>/dev/null || true
exec node --max-old-space-size=8192 --expose-gc "$(dirname "$0")/../../dist/bench.mjs" "$@"
