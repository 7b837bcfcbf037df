#!/usr/bin/env python3
"""seeds.py — the seed corpus of the fuzzing harnesses (fuzz/corpus/), made
from the conformance cases (tests/cases/*.case).

    python3 fuzz/seeds.py tests/cases src/ops.def fuzz/corpus

Every `call OP [as WHO]` + `params {…}` step of a case becomes a record of
fuzz/call.c (operation byte, caller byte, parameters); the records of one case
make one seed, MAX_CALLS at a time.  A value a case saved and uses again
(`save cid = campaign_id`, then "$cid") becomes the harness's placeholder of
its kind — `$c` a campaign, `$b` a business, `$f` an enrichment — the id
that an earlier call of the same input returned.  The same calls become
HTTP requests for fuzz/http.c (`$C`, `$B`: the seeded ids), and a few
hand-written tokens and requests complete the token and HTTP seeds.  Seeds
are named after their content's SHA-1 (as libFuzzer names its own), so a
rerun rewrites the same files; the directories are emptied first.
"""
import hashlib
import os
import re
import sys

MAX_CALLS = 8  # fuzz/call.c
SEP = b"\xff"


def ops_of(ops_def):
    """Operation names in table order (the order of leadstore_op_name)."""
    return re.findall(r"^LS_OP\((\w+),", open(ops_def).read(), re.M)


def cases_of(path):
    """[(title, [(op, as, params)])] of one case file, with saved names resolved to kinds."""
    cases, steps, kinds, title, cur = [], [], {}, None, None
    lines = open(path).read().split("\n")
    merged = []
    for line in lines:
        if line[:1] in (" ", "\t") and merged:
            merged[-1] += " " + line.strip()
        else:
            merged.append(line)
    for line in merged:
        if line.startswith("#"):
            continue
        if line.startswith("=== "):
            if title is not None:
                cases.append((title, steps))
            title, steps, kinds, cur = line[4:], [], {}, None
            continue
        m = re.match(r"call (\w+)(?: as (\S+))?", line)
        if m:
            cur = [m.group(1), m.group(2) or "service", "{}"]
            steps.append(cur)
            continue
        if line.startswith("params ") and cur:
            cur[2] = line[7:].strip()
            continue
        m = re.match(r"save (\w+) = ([\w.]+)", line)
        if m and cur:
            field = m.group(2).split(".")[-1]
            kind = {"campaign_id": "c", "business_id": "b", "enrichment_id": "f"}.get(field)
            if kind:
                kinds[m.group(1)] = kind
            # later steps refer to it: resolve now for the steps that follow
            cur.append(dict(kinds))
    if title is not None:
        cases.append((title, steps))
    out = []
    for title, steps in cases:
        resolved, kinds = [], {}
        for step in steps:
            op, who, params = step[:3]
            params = re.sub(r"\$(\w+)", lambda m: "$" + kinds[m.group(1)] if m.group(1) in kinds else m.group(0), params)
            resolved.append((op, who, params))
            if len(step) > 3:
                kinds = step[-1]
        out.append((title, resolved))
    return out


def caller_byte(who, orgs):
    if who == "anon":
        return 3
    if who.startswith("org:"):
        org = who[4:]
        if org not in orgs:
            orgs.append(org)
        return 1 if orgs.index(org) == 0 else 2
    return 0


def write(dirname, data, written):
    name = hashlib.sha1(data).hexdigest()
    if name in written[dirname]:
        return
    written[dirname].add(name)
    with open(os.path.join(dirname, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: seeds.py CASES_DIR OPS_DEF OUT_DIR")
    cases_dir, ops_def, out = sys.argv[1:]
    ops = ops_of(ops_def)
    dirs = {h: os.path.join(out, h) for h in ("call", "http", "token")}
    written = {d: set() for d in dirs.values()}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
    for name in sorted(os.listdir(cases_dir)):
        if not name.endswith(".case"):
            continue
        for title, steps in cases_of(os.path.join(cases_dir, name)):
            orgs, records = [], []
            for op, who, params in steps:
                if op not in ops:
                    continue
                who_b = caller_byte(who, orgs)
                # generated lists are kept small in seeds: the fuzzer grows them
                params = re.sub(r'"@(zips|businesses):(\d+)"', lambda m: '"@%s:%d"' % (m.group(1), min(int(m.group(2)), 20)),
                                params)
                records.append(bytes([ops.index(op), who_b]) + params.encode())
                http_params = params.replace("$c", "$C").replace("$b", "$B").replace("$f", "$B")
                http_params = re.sub(r'"@(zips|businesses):(\d+)"', "[]", http_params)
                mode = {0: 0, 1: 1, 2: 1, 3: 2}[who_b]
                write(dirs["http"], bytes([mode]) + ("POST /rest/v1/rpc/%s\nContent-Type: application/json\n\n%s"
                                                     % (op, http_params)).encode(), written)
            for i in range(0, len(records), MAX_CALLS):
                write(dirs["call"], SEP.join(records[i:i + MAX_CALLS]), written)
    # the server's other routes and shapes
    for mode, text in [
        (0, "GET /healthz\n\n"), (0, "GET /metrics\n\n"), (0, "GET /version\n\n"), (0, "GET /check\n\n"),
        (1, "GET /check\n\n"), (0, "GET /rest/v1/\n\n"), (0, "OPTIONS /rest/v1/rpc/get_campaign\n"
                                                          "Access-Control-Request-Headers: apikey\n\n"),
        (0, "GET /rest/v1/rpc/get_campaign?p_campaign_id=$C\n\n"),
        (1, "GET /rpc/list_campaigns?p_limit=2&p_status=draft\nAccept-Profile: public\n\n"),
        (0, "HEAD /rest/v1/rpc/list_campaigns\n\n"), (0, "GET /rest/v1/rpc/track_api_cost_tx\n\n"),
        (0, "DELETE /rest/v1/rpc/get_campaign\n\n"), (0, "POST /rest/v1/rpc/no_such_function\n\n{}"),
        (0, "POST /rest/v1/rpc/get_campaign\nContent-Type: text/plain\n\n{}"),
        (0, "POST /rest/v1/rpc/get_campaign\nContent-Type: application/json\nContent-Profile: private\n\n{}"),
        (0, "POST /rest/v1/rpc/get_campaign\nContent-Type: application/json\n\n[1,2]"),
        (0, "POST /rest/v1/rpc/get_campaign\nContent-Type: application/json\nTransfer-Encoding: chunked\n\n"
            "5\r\n{\"p_c\r\n0\r\n\r\n"),
        (2, "POST /rest/v1/rpc/get_campaign\nContent-Type: application/json\n\n{}"),
        (2, "POST /rest/v1/rpc/get_campaign?apikey=bad.key.here\nContent-Type: application/json\n\n{}"),
        (2, "POST /rest/v1/rpc/get_campaign\nAuthorization: Bearer a.b.c\n\n{}"),
        (4, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
        (4, "POST /rpc/get_campaign HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"),
    ]:
        write(dirs["http"], bytes([mode]) + text.encode(), written)
    # tokens: odd = header 0xFF claims (signed by the harness), even = a raw token
    for shape in [
        b'{"alg":"HS256","typ":"JWT"}\xff{"role":"service_role"}',
        b'{"alg":"HS256","typ":"JWT"}\xff{"role":"authenticated","organization_id":"11111111-1111-4111-8111-111111111111"}',
        b'{"alg":"HS256"}\xff{"role":"anon","exp":1767225700,"nbf":1767225500,"iat":1767225600}',
        b'{"alg":"none"}\xff{"role":"service_role"}',
        b'{"alg":"HS256"}\xff{"role":"authenticated","organization_id":"not-a-uuid"}',
        b'{"alg":"HS256"}\xff{"role":"superuser"}',
    ]:
        write(dirs["token"], b"\x01" + shape, written)
    for raw in [b"a.b.c", b"eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.AAAA", b"...", b""]:
        write(dirs["token"], b"\x00" + raw, written)
    for h, d in dirs.items():
        print("%s: %d seeds" % (h, len(written[d])))


if __name__ == "__main__":
    main()
