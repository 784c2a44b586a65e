#!/usr/bin/env python3
"""figures.py: the arithmetic of scripts/bench (floors, ratios, answer checks). Prints text lines.

  figures.py names NET ZONES_SUFFIX LISTS OUT          dnsperf input: NET's reversed addresses x LISTS zones (A)
  figures.py dnsperf OUTPUT                            queries per second of a dnsperf run (prints one number)
  figures.py proxy LOG                                 "forwarded distinct": the delay proxy's exit counters
  figures.py dnsbl OUT.json EXPECT.json NET SECS RSS_KIB RTT_MS CAPACITY PROXY_STDERR SUMMARY [WINDOW WINDOW_CAPACITY]
                                                       one mailrep ip run: exact answers, queries, resends, floor
  figures.py count-mailrep OUT.json | count-check-rbl OUTPUT
                                                       listings found (pairs) in a tool's output
  figures.py compare SUMMARY EXPECT.json NAME SECS SLICE LISTED PROXY_STDERR
                                                       a tool on a slice of the /22 work vs mailrep's /22 run
  figures.py spf ROWS EXPECT.json RTT_MS               the spf table (rows: name, median s, "sent distinct", log, output)
  figures.py check DIRECT.json DELAYED.json DIRECT_S MEDIAN_S RTT_MS QUERY_LOG "SENT DISTINCT" HTTP_LOG HTTPS_LOG N
  figures.py waves LOG RTT_MS [LIMIT]                  the dependent round trips seen in a proxy --log
  figures.py median SECS...                            the median of the figures
"""
import ipaddress
import json
import math
import re
import statistics
import sys


def proxy_counts(path):
    text = open(path).read()
    m = re.search(r"forwarded (\d+) returned (\d+) dropped (\d+) distinct (\d+)", text)
    if not m:
        return None
    return {"forwarded": int(m[1]), "returned": int(m[2]), "dropped": int(m[3]), "distinct": int(m[4])}


def rev4(ip):
    return ".".join(reversed(str(ip).split(".")))


def cmd_names(net, suffix, lists, out):
    with open(out, "w") as f:
        for ip in ipaddress.ip_network(net):
            r = rev4(ip)
            for i in range(int(lists)):
                f.write(f"{r}.bl{i:02d}.{suffix} A\n")


def cmd_dnsperf(path):
    m = re.search(r"Queries per second:\s+([\d.]+)", open(path).read())
    print(m[1] if m else "0")


def cmd_proxy(path):
    c = proxy_counts(path)
    print(f"{c['forwarded']} {c['distinct']}" if c else "0 0")


def waves(times, rtt):
    """Dependent round trips: a query sent more than half an RTT after the one before it waited for
    an answer (every query of one round goes out together)."""
    out = []
    for t in times:
        if not out or t - out[-1][-1] > rtt / 2:
            out.append([t])
        else:
            out[-1].append(t)
    return out


def cmd_waves(path, rtt_ms, limit="12"):
    rtt = float(rtt_ms)
    rows = [l.split() for l in open(path) if l.strip()]
    times = [float(r[0]) for r in rows]
    w = waves(times, rtt)
    shape = " ".join(str(len(x)) for x in w[: int(limit)]) + (" ..." if len(w) > int(limit) else "")
    print(f"{len(rows)} queries in {len(w)} dependent round(s) of queries (sizes: {shape})")


def cmd_dnsbl(out_json, expect_json, net, secs, rss, rtt_ms, capacity, proxy_log, summary, window="", window_capacity=""):
    d = json.load(open(out_json))
    e = json.load(open(expect_json))
    secs, rss, rtt, cap = float(secs), int(rss), float(rtt_ms) / 1000, float(capacity)
    addrs = d["addresses"]
    n = len(addrs)
    lists = sum(1 for l in d["lists"] if l["used"])
    got = set()
    ptrs = 0
    for a in addrs:
        ptrs += len(a.get("ptr") or [])
        for l in a["listings"]:
            got.add((a["address"], l["list"]))
    want = {tuple(p) for p in e["dnsbl"]["pairs"].get(net, [])}
    exact = got == want and d["unknown"] == 0 and n == ipaddress.ip_network(net).num_addresses
    # What mailrep must ask: 2 RFC 5782 probes per list, one A per (address, list), one PTR per
    # address, one A per PTR name (FCrDNS), one TXT per listing (the reason).
    expected = 2 * lists + n * lists + n + ptrs + len(got)
    c = proxy_counts(proxy_log)
    # Critical path: probe -> list A -> TXT of a listing (PTR -> A is as long); the rest is
    # throughput: every query through the server at its measured capacity.
    floor = 3 * rtt + expected / cap
    print(f"{net}: {n} addresses x {lists} lists, listed {len(got)} (zones list {len(want)}), unknown {d['unknown']}: "
          f"{'EXACT' if exact else 'NOT EXACT'}")
    if not exact:
        print(f"   missing {sorted(want - got)[:5]} extra {sorted(got - want)[:5]}")
    if c:
        resent = c["forwarded"] - c["distinct"]
        print(f"   queries: expected {expected}, distinct at the server {c['distinct']}, sent {c['forwarded']} "
              f"-> retransmissions {resent} ({100 * resent / max(1, c['distinct']):.2f}%), proxy dropped {c['dropped']}")
    print(f"   wall {secs:.2f}s, floor {floor:.2f}s (3 RTT + {expected} queries / {cap:.0f} qps) -> wall/floor = {secs / floor:.2f}; "
          f"peak RSS {rss} KiB ({rss / n:.1f} KiB per address)")
    if window and window_capacity:
        # The same path with the same number of queries in flight as mailrep: what the window allows.
        wcap = float(window_capacity)
        wfloor = 3 * rtt + expected / wcap
        print(f"   at mailrep's window ({window} in flight; dnsperf -q {window}: {wcap:.0f} qps): floor {wfloor:.2f}s "
              f"-> wall/floor = {secs / wfloor:.2f}")
    print(f"   per (address, list) pair: {1e6 * secs / (n * lists):.1f} us")
    json.dump({"secs": secs, "floor": floor, "pairs": n * lists, "rtt": rtt}, open(summary, "w"))


def cmd_count_mailrep(path):
    try:
        d = json.load(open(path))
        print(sum(len(a["listings"]) for a in d["addresses"]))
    except (OSError, ValueError, KeyError):
        print(-1)


def cmd_count_check_rbl(path):
    # "CHECK_RBL CRITICAL - 198.51.100.3 BLACKLISTED on 2 servers of 40 (...)" / "OK - ... on 0 servers of 40"
    print(sum(int(m) for m in re.findall(r"on (\d+) servers? of", open(path).read())))


def cmd_compare(summary, expect_json, name, secs, slice_net, listed, proxy_log):
    m = json.load(open(summary))
    e = json.load(open(expect_json))
    secs, listed = float(secs), int(listed)
    net = ipaddress.ip_network(slice_net)
    lists = e["dnsbl"]["lists"]
    pairs = net.num_addresses * lists
    want = sum(1 for ip, _ in e["dnsbl"]["pairs"]["198.51.100.0/22"] if ipaddress.ip_address(ip) in net)
    per = secs / pairs
    mr_per = m["secs"] / m["pairs"]
    c = proxy_counts(proxy_log)
    q = ""
    if c:
        resent = c["forwarded"] - c["distinct"]
        q = f"; {c['distinct']} distinct queries, {resent} resent"
    # mailrep runs first on the slice: its time there is the same-slice yardstick for the others.
    same = ""
    if name == "mailrep":
        m["slice_secs"] = secs
        json.dump(m, open(summary, "w"))
    elif m.get("slice_secs"):
        same = f" ({secs / m['slice_secs']:.0f}x mailrep on the same slice)"
    print(f"{name:9s} {secs:6.2f}s for {pairs} pairs = {1000 * per:6.3f} ms/pair = {per / mr_per:6.1f}x mailrep's /22 "
          f"per-pair time{same}; the /22 at that pace {per * m['pairs']:6.1f}s = {per * m['pairs'] / m['floor']:6.1f}x "
          f"its floor; listed {listed} of {want} {'(exact)' if listed == want else '(NOT EXACT)'}{q}")


def cmd_spf(rows_path, expect_json, rtt_ms):
    e = json.load(open(expect_json))["spf"]
    rtt = float(rtt_ms) / 1000
    depth = e["depth"]
    rows = {}
    for line in open(rows_path):
        name, med, counts, log, out = line.rstrip("\n").split("\t")
        rows[name] = (float(med), counts.split(), log, out)
    start = {"mailrep": "mailrep-start", "pyspf": "pyspf-start"}
    floor = depth * rtt
    base = rows.get("mailrep", (None,))[0]
    print(f"floor: depth {depth} x RTT = {1000 * floor:.0f} ms (a one-lookup-at-a-time walk: {e['dns_queries']} x RTT = "
          f"{1000 * e['dns_queries'] * rtt:.0f} ms)")
    for name in ("mailrep", "pyspf", "spfquery"):
        if name not in rows:
            continue
        med, counts, log, out = rows[name]
        text = open(out).read()
        if name == "mailrep":
            try:
                d = json.loads(text)
                res = f"{d['result']} ({d['lookups']} lookups, {d['void_lookups']} void)"
            except ValueError:
                res = "unreadable output: " + text[:100]
        else:
            res = text.strip().splitlines()[0][:60] if text.strip() else "no output"
        rounds = ""
        try:
            times = [float(l.split()[0]) for l in open(log) if l.strip()]
            rounds = f", {len(waves(times, rtt * 1000))} dependent rounds"
        except OSError:
            pass
        q = f"{counts[1]} distinct queries ({int(counts[0]) - int(counts[1])} resent){rounds}" if len(counts) == 2 else ""
        st = ""
        if start.get(name) in rows:
            s0 = rows[start[name]][0]
            st = f"; start-up alone {1000 * s0:.0f} ms, without it {1000 * (med - s0):.0f} ms = {(med - s0) / rtt:.1f} RTT"
        vs = f", {med / base:.1f}x mailrep" if base and name != "mailrep" else ""
        print(f"{name:9s} {1000 * med:7.1f} ms = {med / rtt:5.1f} RTT = {med / floor:5.2f}x floor{vs}; {q}{st}; result {res}")


def cmd_check(direct_json, delayed_json, direct_s, median_s, rtt_ms, qlog, counts, http_log, https_log, n):
    rtt = float(rtt_ms) / 1000
    med, direct = float(median_s), float(direct_s)

    def summary(path):
        try:
            d = json.load(open(path))
        except (OSError, ValueError):
            return None
        return (d.get("status"), d.get("score"), tuple(sorted(f["id"] + ":" + str(f.get("subject", "")) for f in d.get("findings", []))),
                tuple(sorted((r["name"], r["verdict"]) for r in d.get("receivers", []))))
    a, b = summary(direct_json), summary(delayed_json)
    same = a is not None and a == b
    d = json.load(open(delayed_json)) if b else {}
    times = [float(l.split()[0]) for l in open(qlog) if l.strip()]
    w = waves(times, rtt * 1000)
    sent, distinct = (counts.split() + ["0", "0"])[:2]
    conns = lambda p: (re.search(r"connections (\d+)", open(p).read()) or [0, "0"])[1]
    print(f"result: status {b[0] if b else '?'}, score {b[1] if b else '?'}, {len(d.get('outbound', []))} outbound addresses, "
          f"{len(b[2]) if b else 0} findings; same as the undelayed run: {'yes' if same else 'NO'}")
    print(f"DNS: {distinct} distinct queries ({int(sent) - int(distinct)} resent) in {len(w)} dependent rounds "
          f"(sizes {' '.join(str(len(x)) for x in w)}); HTTP per run: {int(conns(http_log)) / int(n):g} connection(s) to "
          f"the web server, {int(conns(https_log)) / int(n):g} to the closed https port (relayed: connect + GET 2 RTT, refusal 1 RTT)")
    print(f"undelayed run {1000 * direct:.0f} ms (CPU + loopback); at {rtt_ms} ms RTT median of {n}: {1000 * med:.0f} ms "
          f"= {med / rtt:.1f} RTT ({(med - direct) / rtt:.1f} RTT above the undelayed run)")
    # Counted by hand from tests/zones/postwerk.test.zone, demo/lists and src/assess/check.cpp:
    depth = 7   # SRV _submission -> A smtp -> PTR -> A of the PTR name's registered domain -> https (refused,
                # 1 RTT) -> http connect + GET (2 RTT); the SPF path (TXT -> PTR -> A -> https -> http) is 6
    phased = 11 # the phases as run_check awaits them: audit 2 (MX -> A) + discovery 2 (SRV -> A) + address
                # checks 3 (probe -> list A / PTR -> TXT / A) + imprint 4 (A, https 1, http 2)
    print(f"dependency depth {depth} RTT; target (depth + 3) x RTT = {1000 * (depth + 3) * rtt:.0f} ms -> wall/target = "
          f"{med / ((depth + 3) * rtt):.2f}; phase by phase the code needs {phased} RTT (+3: {med / ((phased + 3) * rtt):.2f})")
    return w


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "names":
        cmd_names(*args)
    elif cmd == "dnsperf":
        cmd_dnsperf(*args)
    elif cmd == "proxy":
        cmd_proxy(*args)
    elif cmd == "dnsbl":
        cmd_dnsbl(*args)
    elif cmd == "count-mailrep":
        cmd_count_mailrep(*args)
    elif cmd == "count-check-rbl":
        cmd_count_check_rbl(*args)
    elif cmd == "compare":
        cmd_compare(*args)
    elif cmd == "spf":
        cmd_spf(*args)
    elif cmd == "check":
        cmd_check(*args)
    elif cmd == "waves":
        cmd_waves(*args)
    elif cmd == "median":
        print(f"{statistics.median(float(a) for a in args):.3f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
