#!/usr/bin/env bash
# Fuzzes the GSPWire frame decoder with libFuzzer for FUZZ_SECONDS (default 60), seeded with
# protocol/vectors (as frames, and as inflated bodies). Crashing inputs land in .build/fuzz/.
# See protocol/SPEC.md section 11.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${FUZZ_SECONDS:-60}"
OUT=.build/fuzz
mkdir -p "$OUT/corpus" "$OUT/core"

# GSPCore as its own module (GSPWire imports it), then GSPWire + the entry point, instrumented.
swiftc -parse-as-library -wmo -O -module-name GSPCore -sanitize=fuzzer,address \
    -emit-module -emit-module-path "$OUT/core/GSPCore.swiftmodule" -emit-object -o "$OUT/core/GSPCore.o" \
    Sources/GSPCore/*.swift
swiftc -parse-as-library -O -module-name GSPWireFuzz -sanitize=fuzzer,address \
    -I "$OUT/core" -I Sources/CZlib -lz \
    Sources/GSPWire/*.swift protocol/fuzz/FuzzFrame.swift "$OUT/core/GSPCore.o" \
    -o "$OUT/fuzz-frame" 2>&1 | grep -v "Cannot export local symbol" || true
test -x "$OUT/fuzz-frame"

# Seeds: every vector frame, and every inflatable body behind a kind byte.
python3 - "$OUT/corpus" <<'PY'
import os, sys, zlib
out = sys.argv[1]
for d in ("protocol/vectors", "protocol/vectors/invalid"):
    for name in sorted(os.listdir(d)):
        if not name.endswith(".bin"):
            continue
        data = open(os.path.join(d, name), "rb").read()
        if len(data) <= 16384:
            open(os.path.join(out, "frame-" + name), "wb").write(data)
        if len(data) > 8 and data[:4] == b"GSPS" and data[6] in (1, 2, 3):
            i = 7
            while i < len(data) and data[i] & 0x80:
                i += 1
            try:
                body = zlib.decompressobj().decompress(data[i + 1:], 16384)
            except zlib.error:
                continue
            if len(body) < 16384:
                open(os.path.join(out, "body-" + name), "wb").write(bytes([(data[6] - 1) % 3]) + body)
PY

echo "fuzzing for ${SECONDS_TO_RUN}s with $(ls "$OUT/corpus" | wc -l) inputs in the corpus"
"$OUT/fuzz-frame" "$OUT/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len=16384 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$OUT/" -print_final_stats=1
