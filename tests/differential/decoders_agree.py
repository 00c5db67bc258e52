#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The differential check of Concord's decoder against a standard proto3 decoder.

The same inputs go to tests/differential/wire_accepts (Concord's wire_unpack) and to Python's
protobuf (Debian's python3-protobuf, with classes protoc generates from proto/ here), as each
of the signed messages: the envelope and its parts, receipts, and the body of every method.
Inputs: every file of the fuzz corpus read as each message, and generated edge cases: every
string field (nested ones too) holding invalid UTF-8 (stray bytes, overlong forms, surrogates,
code points above U+10FFFF, truncated sequences), valid UTF-8 at the edges, or a NUL; and
structural ones (field number 0, wrong wire types, truncation, overlong varints, groups,
unknown fields). The two must agree on accept or refuse for every input, with one documented
rule of Concord's added to proto3 (PROTOCOL.md 2.1): a string holding a NUL is refused.

Exit status 0 when they agree on every input, 1 with the disagreements listed otherwise.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

# The pure-Python decoder: the reference implementation of the proto3 wire format. (The C++
# one behind python3-protobuf's default takes a tag of field number 0, or a stray end-group
# tag, as the end of the message and accepts what precedes it; Concord refuses both.)
os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"

MESSAGES = [
    "concord.v1.Envelope", "concord.v1.Signed", "concord.v1.Header", "concord.v1.Receipt",
    "concord.v1.SignedTreeHead", "concord.v1.TreeHead", "concord.v1.SignedCertificate",
    "concord.v1.HealthCheckRequest", "concord.v1.HealthCheckResponse",
    "concord.v1.ListMethodsRequest", "concord.v1.ListMethodsResponse",
    "concord.v1.LogReadRequest", "concord.v1.LogReadResponse",
    "concord.v1.Proposal", "concord.v1.Ballot", "concord.v1.Ratification", "concord.v1.CallIn",
    "concord.v1.DelegationRecord", "concord.v1.Release",
    "concord.v1.Execution", "concord.v1.Pledge", "concord.v1.Outturn",
    "concord.v1.PoolStatement", "concord.v1.BcfPlan", "concord.v1.BcfSignoff",
    "concord.v1.Meeting", "concord.v1.AgendaAddition", "concord.v1.Attendance",
    "concord.v1.MinutesApproval", "concord.v1.ForwardPlanEntry",
]

STRINGS = [
    b"", b"ok", b"caf\xc3\xa9", b"\xc2\x80", b"\xdf\xbf", b"\xe0\xa0\x80", b"\xed\x9f\xbf",
    b"\xee\x80\x80", b"\xef\xbf\xbf", b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf", b"\x7f",
    b"\xff", b"\x80", b"Bad \xff title", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\xaf",
    b"\xe0\x9f\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\xbd\xed\xb8\x80",
    b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80",
    b"\xe2\x82", b"x\xe2\x28\xa1", b"a\x00b", b"\x00", b"Bad \x00 title",
]


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def ld(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def string_paths(desc, depth=0, seen=()):
    """Every path of field numbers from desc to a string field, through sub-messages."""
    from google.protobuf.descriptor import FieldDescriptor as F
    for f in desc.fields:
        if f.type == F.TYPE_STRING:
            yield [f.number]
        elif f.type == F.TYPE_MESSAGE and depth < 3 and f.message_type.full_name not in seen:
            for rest in string_paths(f.message_type, depth + 1, seen + (desc.full_name,)):
                yield [f.number] + rest


def nested(path, leaf):
    data = ld(path[-1], leaf)
    for number in reversed(path[:-1]):
        data = ld(number, data)
    return data


def generated(desc):
    first_string = None
    for path in string_paths(desc):
        first_string = first_string or path
        for s in STRINGS:
            yield nested(path, s)
    yield b""
    yield b"\x00\x00"                        # field number 0
    yield b"\x80\x00"                        # field number 0, long tag
    yield b"\xf8\x07\x01"                    # unknown field 127, varint
    yield b"\xfa\x07\x02hi"                  # unknown field 127, length-delimited
    yield b"\xfb\x07\xfc\x07"                # unknown group 127
    yield b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"  # overlong tag
    yield b"\x0f"                            # wire type 7
    yield b"\x0e"                            # wire type 6
    if first_string:
        n = first_string[-1]
        yield varint(n << 3 | 0) + b"\x01"     # a string field as a varint
        yield varint(n << 3 | 5) + b"abcd"     # a string field as fixed32
        yield varint(n << 3 | 2) + b"\x05ab"   # truncated
        yield nested(first_string, b"ab") + nested(first_string, b"\xff")  # repeated/merged
    for f in desc.fields:
        yield varint(f.number << 3 | 2) + b"\x01"         # truncated length
        yield varint(f.number << 3 | 0) + b"\xff" * 10 + b"\x01"  # overlong varint


def wire_type_of(f):
    """The wire type a field of descriptor f is written with (2 for packed repeated too)."""
    from google.protobuf.descriptor import FieldDescriptor as F
    if f.label == F.LABEL_REPEATED and f.type not in (F.TYPE_STRING, F.TYPE_BYTES,
                                                      F.TYPE_MESSAGE):
        return None  # packed (2) or not: both are allowed
    return {F.TYPE_DOUBLE: 1, F.TYPE_FIXED64: 1, F.TYPE_SFIXED64: 1,
            F.TYPE_FLOAT: 5, F.TYPE_FIXED32: 5, F.TYPE_SFIXED32: 5,
            F.TYPE_STRING: 2, F.TYPE_BYTES: 2, F.TYPE_MESSAGE: 2}.get(f.type, 0)


def read_varint(data, pos):
    n = shift = 0
    while pos < len(data) and shift < 70:
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if not b & 0x80:
            return n, pos
        shift += 7
    raise ValueError


def wrong_wire_type(desc, data):
    """Whether a known field of desc, here or in a known sub-message, has a wire type its
    declared type does not allow, or a group appears: Concord's second extra rule (PROTOCOL.md
    2.1), where other decoders keep such a field as an unknown one."""
    from google.protobuf.descriptor import FieldDescriptor as F
    pos = 0
    while pos < len(data):
        tag, pos = read_varint(data, pos)
        number, wt = tag >> 3, tag & 7
        if wt == 0:
            _, pos = read_varint(data, pos)
        elif wt == 1:
            pos += 8
        elif wt == 5:
            pos += 4
        elif wt == 2:
            n, pos = read_varint(data, pos)
            payload, pos = data[pos:pos + n], pos + n
        else:
            return True  # a group: proto3 has none, and Concord refuses them
        f = desc.fields_by_number.get(number)
        if f is None:
            continue
        want = wire_type_of(f)
        if want is None:  # a repeated scalar: packed, or one value at a time
            if wt != 2 and wt != wire_type_of_scalar(f):
                return True
            continue
        if want != wt:
            return True
        if f.type == F.TYPE_MESSAGE and wrong_wire_type(f.message_type, payload):
            return True
    return False


def wire_type_of_scalar(f):
    from google.protobuf.descriptor import FieldDescriptor as F
    return {F.TYPE_DOUBLE: 1, F.TYPE_FIXED64: 1, F.TYPE_SFIXED64: 1,
            F.TYPE_FLOAT: 5, F.TYPE_FIXED32: 5, F.TYPE_SFIXED32: 5}.get(f.type, 0)


def has_nul(msg):
    from google.protobuf.descriptor import FieldDescriptor as F
    for f, v in msg.ListFields():
        values = v if f.label == F.LABEL_REPEATED else [v]
        for x in values:
            if f.type == F.TYPE_STRING and "\x00" in x:
                return True
            if f.type == F.TYPE_MESSAGE and has_nul(x):
                return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--protoc", required=True)
    ap.add_argument("--proto", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--tool", required=True)
    a = ap.parse_args()
    try:
        from google.protobuf import symbol_database
        from google.protobuf.message import DecodeError
    except ImportError:
        print("python3-protobuf is not installed (scripts/deps.sh)", file=sys.stderr)
        return 1
    out = tempfile.mkdtemp(prefix="concord-diff-")
    protos = sorted(glob.glob(os.path.join(a.proto, "*.proto")))
    subprocess.run([a.protoc, "--proto_path", a.proto, "--python_out", out] + protos, check=True)
    sys.path.insert(0, out)
    for p in protos:
        __import__(os.path.basename(p)[:-6] + "_pb2")
    db = symbol_database.Default()
    classes = {name: db.GetSymbol(name) for name in MESSAGES}

    corpus = []
    for path in sorted(glob.glob(os.path.join(a.corpus, "*", "*"))):
        with open(path, "rb") as fp:
            data = fp.read()
        if len(data) <= 65536:
            corpus.append(data)
            corpus.append(data[1:])  # targets whose first byte picks a mode
    inputs = []
    for name, cls in classes.items():
        for data in corpus:
            inputs.append((name, data))
        for data in generated(cls.DESCRIPTOR):
            inputs.append((name, data))

    feed = "".join("%s %s\n" % (name, data.hex()) for name, data in inputs)
    res = subprocess.run([a.tool], input=feed.encode(), stdout=subprocess.PIPE, check=True)
    answers = res.stdout.decode("utf-8", "replace").splitlines()
    if len(answers) != len(inputs):
        print("wire_accepts answered %d of %d inputs" % (len(answers), len(inputs)),
              file=sys.stderr)
        return 1
    bad = 0
    counts = {"accepted": 0, "refused": 0, "nul": 0, "wire": 0}
    for (name, data), answer in zip(inputs, answers):
        try:
            msg = classes[name].FromString(data)
            py = True
            if has_nul(msg):
                py = False  # Concord's first extra rule
                counts["nul"] += 1
            elif wrong_wire_type(classes[name].DESCRIPTOR, data):
                py = False  # Concord's second extra rule
                counts["wire"] += 1
        except (DecodeError, RuntimeError, ValueError) as e:
            py = False
        c = answer.startswith("1")
        counts["accepted" if c else "refused"] += 1
        if c != py:
            bad += 1
            if bad <= 400:
                print("DISAGREE %s %s: Concord %s, Python %s" %
                      (name, data.hex()[:120], answer, "accepts" if py else "refuses"))
    print("%d inputs over %d messages: %d accepted, %d refused (of which by Concord's extra "
          "rules: %d for a NUL in a string, %d for a field of the wrong wire type); "
          "%d disagreements" % (len(inputs), len(classes), counts["accepted"], counts["refused"],
                                counts["nul"], counts["wire"], bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
