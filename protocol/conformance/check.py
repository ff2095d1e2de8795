#!/usr/bin/env python3
"""Independent GSP Sync frame decoder, written from protocol/SPEC.md alone (standard library only).

Usage: check.py VECTORS_DIR
Decodes every VECTORS_DIR/NAME.bin and compares it with NAME.json, and checks that every frame
listed in VECTORS_DIR/invalid/manifest.json is refused with its error code.
Prints one line per failure and a closing "N passed, M failed"; exits 1 on any failure.
"""
import json
import os
import struct
import sys
import zlib

MAX_FRAME = 16 * 1024 * 1024
MAX_BODY = 64 * 1024 * 1024
MAX_LIST = 200_000
MAX_STRING = 1_114_112
MAX_TABLE = 1_048_576

CODES = {1: "malformedFrame", 2: "unsupportedVersion", 3: "unknownMessageKind", 4: "tooLarge",
         5: "unauthorized", 6: "forbidden", 7: "clockSkew", 8: "epochMismatch", 9: "internal"}


class Refused(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


def malformed(message):
    return Refused("malformedFrame", message)


class Reader:
    """Reads primitives from the body; `end` is the end of the current section."""

    def __init__(self, data):
        self.data, self.pos, self.end = data, 0, len(data)

    def left(self):
        return self.end - self.pos

    def byte(self):
        if self.pos >= self.end:
            raise malformed(f"truncated at {self.pos}")
        self.pos += 1
        return self.data[self.pos - 1]

    def take(self, n):
        if n > self.left():
            raise malformed(f"need {n} bytes at {self.pos}, {self.left()} left")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def varint(self):
        value = 0
        for i in range(10):
            b = self.byte()
            if i == 9 and b > 1:
                raise malformed("varint over 64 bits")
            value |= (b & 0x7F) << (7 * i)
            if b & 0x80 == 0:
                if b == 0 and i > 0:
                    raise malformed("varint not minimal")
                return value
        raise malformed("varint longer than 10 bytes")  # unreachable: the 10th byte has no high bit

    def u32(self):
        v = self.varint()
        if v > 0xFFFFFFFF:
            raise malformed("u32 over 32 bits")
        return v

    def zigzag(self):
        z = self.varint()
        return (z >> 1) ^ -(z & 1)

    def flag(self):
        b = self.byte()
        if b > 1:
            raise malformed(f"bool byte {b}")
        return b == 1

    def ident(self):
        return uuid_text(self.take(16))

    def string(self):
        n = self.varint()
        if n > MAX_STRING:
            raise Refused("tooLarge", f"string of {n} bytes")
        raw = self.take(n)
        try:
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            raise malformed(f"invalid UTF-8: {e}")

    def count(self, limit, minimum):
        n = self.varint()
        if n > limit:
            raise Refused("tooLarge", f"count {n} over {limit}")
        if n * minimum > self.left():
            raise malformed(f"count {n} cannot fit in {self.left()} bytes")
        return n

    def section(self, decode):
        n = self.varint()
        if n > self.left():
            raise malformed(f"section of {n} bytes, {self.left()} left")
        outer, self.end = self.end, self.pos + n
        value = decode(self)
        self.pos, self.end = self.end, outer  # skip fields a newer minor version appended
        return value


def uuid_text(b):
    h = b.hex()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def ref(r, table, what):
    i = r.varint()
    if i >= len(table):
        raise malformed(f"{what} ref {i} outside a table of {len(table)}")
    return table[i]


def read_tables(r):
    def tables(s):
        strings = [s.string() for _ in range(s.count(MAX_TABLE, 1))]
        rows = [s.ident() for _ in range(s.count(MAX_TABLE, 16))]
        nodes = [s.ident() for _ in range(s.count(MAX_TABLE, 16))]
        return strings, rows, nodes
    return r.section(tables)


def check_ms(ms):
    if not 0 <= ms < (1 << 48):
        raise malformed(f"HLC milliseconds {ms} outside 0..2^48")
    return ms


def counter(r):
    c = r.varint()
    if c > 0xFFFF:
        raise malformed(f"HLC counter {c}")
    return c


def read_value(r, tag, strings):
    if tag == 0:
        return {"type": "null"}
    if tag == 1:
        return {"type": "integer", "value": str(r.zigzag())}
    if tag == 2:
        minor = r.zigzag()
        return {"type": "money", "minorUnits": str(minor), "currency": ref(r, strings, "currency")}
    if tag == 3:
        return {"type": "real", "bits": "%016x" % struct.unpack("<Q", r.take(8))[0]}
    if tag == 4:
        return {"type": "text", "value": r.string()}
    if tag == 5:
        days = r.zigzag()
        if not -(1 << 31) <= days < (1 << 31):
            raise malformed(f"date {days} over 32 bits")
        return {"type": "date", "days": days}
    if tag == 6:
        return {"type": "bool", "value": r.flag()}
    raise malformed(f"value tag {tag}")


class Records:
    """Change records of one list: each is relative to the previous one (SPEC section 4)."""

    def __init__(self, tables):
        self.strings, self.rows, self.nodes = tables
        self.table = self.row = self.node = None
        self.ms = 0

    def read(self, r):
        h = r.byte()
        if h & 0x08:
            self.table = ref(r, self.strings, "table")
        if h & 0x10:
            self.row = ref(r, self.rows, "row")
        if self.table is None or self.row is None:
            raise malformed("first record without table or row")
        field = ref(r, self.strings, "field")
        self.ms = check_ms(self.ms + r.zigzag())
        hlc = (self.ms << 16) | (counter(r) if h & 0x80 else 0)
        if h & 0x20:
            self.node = ref(r, self.nodes, "node")
        if self.node is None:
            raise malformed("first record without node")
        prev = 0
        if h & 0x40:
            prev_ms = check_ms(self.ms - r.zigzag())
            prev = (prev_ms << 16) | counter(r)
        value = read_value(r, h & 0x07, self.strings)
        return {"table": self.table, "row": self.row, "field": field, "value": value,
                "hlc": str(hlc), "node": self.node, "prev": str(prev)}


def decode_request(r, tables):
    def header(s):
        node, schema, epoch = s.ident(), s.u32(), s.ident()
        return {"node": node, "schemaVersion": schema,
                "knownEpoch": None if epoch == uuid_text(bytes(16)) else epoch,
                "cursor": str(s.varint()), "pageSize": s.u32()}
    msg = r.section(header)

    def changes(s):
        out, records, seq = [], Records(tables), 0
        for _ in range(s.count(MAX_LIST, 4)):
            seq = (seq + s.varint()) % (1 << 64)
            change = records.read(s)
            change["seq"] = str(seq)
            out.append(change)
        return out
    msg["changes"] = r.section(changes)
    return msg


def decode_response(r, tables):
    strings, rows, nodes = tables

    def header(s):
        return {"epoch": s.ident(), "serverTime": str(s.varint()), "acknowledged": str(s.varint()),
                "cursor": str(s.varint()), "hasMore": s.flag()}
    msg = r.section(header)

    def refusals(s):
        out = []
        for _ in range(s.count(MAX_LIST, 3)):
            seq, code = s.varint(), s.byte()
            out.append({"seq": str(seq), "code": code if code in (1, 2, 3, 4) else 255, "reason": s.string()})
        return out
    msg["refusals"] = r.section(refusals)

    def changes(s):
        records = Records(tables)
        return [records.read(s) for _ in range(s.count(MAX_LIST, 3))]
    msg["changes"] = r.section(changes)

    def dropped(s):
        out = []
        for _ in range(s.count(MAX_LIST, 2)):
            table = ref(s, strings, "table")
            out.append({"table": table, "row": ref(s, rows, "row")})
        return out
    msg["dropped"] = r.section(dropped)

    def directory(s):
        out = {}
        for _ in range(s.count(MAX_LIST, 2)):
            node = ref(s, nodes, "node")
            if node in out:
                raise malformed(f"node {node} twice in the directory")
            out[node] = s.string()
        return [{"node": n, "name": out[n]} for n in sorted(out)]
    msg["nodes"] = r.section(directory)
    return msg


def decode_error(r, tables):
    def body(s):
        code, message = s.u32(), s.string()
        return {"code": code, "message": message, "serverTime": str(s.varint()) if s.flag() else None}
    return r.section(body)


KINDS = {1: ("request", decode_request), 2: ("response", decode_response), 3: ("error", decode_error)}


def decode_frame(frame):
    """Returns the message as the vectors' JSON shape, or raises Refused (SPEC section 1.1 order)."""
    if len(frame) > MAX_FRAME:
        raise Refused("tooLarge", "frame over 16 MiB")
    if len(frame) < 4 or frame[:4] != b"GSPS" or len(frame) < 7:
        raise malformed("bad magic or truncated header")
    major, minor, kind = frame[4], frame[5], frame[6]
    if major != 1:
        raise Refused("unsupportedVersion", f"major version {major}")
    if kind not in KINDS:
        raise Refused("unknownMessageKind", f"kind {kind}")
    header = Reader(frame)
    header.pos = 7
    length = header.varint()
    if length > MAX_BODY:
        raise Refused("tooLarge", f"body length {length}")
    inflater = zlib.decompressobj()
    try:
        # Never ask for more than one byte past the declared length: a zip bomb stops there.
        body = inflater.decompress(frame[header.pos:], length + 1)
        if len(body) <= length and not inflater.eof:
            body += inflater.flush(length + 1 - len(body))
    except zlib.error as e:
        raise malformed(f"zlib: {e}")
    if len(body) > length:
        raise malformed("body longer than declared")
    if not inflater.eof:
        raise malformed("truncated zlib stream")
    if inflater.unused_data:
        raise malformed("bytes after the zlib stream")
    if len(body) != length:
        raise malformed("body shorter than declared")
    r = Reader(body)
    tables = read_tables(r)
    name, decode = KINDS[kind]
    msg = decode(r, tables)
    while r.left() > 0:  # sections from a newer minor version
        r.section(lambda s: None)
    msg["kind"], msg["minor"] = name, minor
    return msg


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    root = sys.argv[1]
    passed, failed = 0, 0

    def fail(what):
        nonlocal failed
        failed += 1
        print(f"FAIL {what}")

    for name in sorted(os.listdir(root)):
        if not name.endswith(".bin"):
            continue
        path = os.path.join(root, name)
        try:
            with open(path, "rb") as f:
                got = decode_frame(f.read())
            with open(path[:-4] + ".json", encoding="utf-8") as f:
                want = json.load(f)
        except Refused as e:
            fail(f"{name}: refused: {e}")
            continue
        except Exception as e:  # unreadable file or a checker crash: a failure, not an abort
            fail(f"{name}: {e!r}")
            continue
        if got != want:
            diffs = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
            fail(f"{name}: decoded content differs from the JSON in {diffs}")
        else:
            passed += 1

    invalid = os.path.join(root, "invalid")
    with open(os.path.join(invalid, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    for entry in manifest:
        with open(os.path.join(invalid, entry["file"]), "rb") as f:
            frame = f.read()
        try:
            decode_frame(frame)
            fail(f"invalid/{entry['file']}: accepted, expected {entry['code']}")
        except Refused as e:
            if e.code == entry["code"]:
                passed += 1
            else:
                fail(f"invalid/{entry['file']}: refused with {e}, expected {entry['code']} ({entry['why']})")
        except Exception as e:  # a crash of the checker is a failure, not an abort
            fail(f"invalid/{entry['file']}: checker crashed: {e!r}")

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
