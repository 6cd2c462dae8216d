#!/usr/bin/env python3
"""Turn logged_server.py's request log into the two logs an OCS server keeps.

usage: to_logs.py REQUEST_LOG --shift SECONDS --iis OUT --audit OUT [--zone SECONDS]

--shift moves every time by the same amount the capture was retimed by, so the
logs and the capture describe the same moments. The IIS log is W3C extended, in
UTC, one line per request, written when the request ends (as IIS does). The audit
log has one line per check-in, in the server's local clock (UTC + --zone), with
Logging DateTime month first and Request DateTime day first, as the guide's
excerpt mixes them. Lines end in CRLF, as Windows writes them.
"""
import argparse, json, time


def utc(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def local_mdy(t):
    return time.strftime("%m-%d-%Y %H:%M:%S", time.gmtime(t))


def local_dmy(t):
    return time.strftime("%d-%m-%Y %H:%M:%S", time.gmtime(t))


AUDIT_HEADER = ("Logging DateTime,User Name,User Host Address,Device Type,Request DateTime,Mac Address,"
                "Serial Number,Vendor,Model,Revision,Locale,Requested<FileName;Version;TimeStamp>"
                "[# Seperated for Multiple],Response<FileName;Version;TimeStamp>[# Seperated for Multiple]")
FIELDS = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
          "sc-status sc-substatus sc-win32-status time-taken")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("requests")
    ap.add_argument("--shift", type=float, required=True)
    ap.add_argument("--zone", type=int, default=3600, help="audit clock minus UTC, seconds")
    ap.add_argument("--iis", required=True)
    ap.add_argument("--audit", required=True)
    a = ap.parse_args()
    recs = [json.loads(l) for l in open(a.requests) if l.strip()]
    recs.sort(key=lambda r: r["end"])
    iis = ["#Software: Microsoft Internet Information Services 7.0", "#Version: 1.0",
           "#Date: %s" % utc(int(recs[0]["start"] + a.shift)), "#Fields: " + FIELDS]
    audit = [AUDIT_HEADER]
    for r in recs:
        end = int(r["end"] + a.shift)
        stem, _, query = r["target"].partition("?")
        ua = (r.get("userAgent") or "-").replace(" ", "+")
        taken = max(0, int(round((r["end"] - r["start"]) * 1000)))
        iis.append(" ".join(str(x) for x in (utc(end), r["server"] or "-", r["method"], stem, query or "-",
                                             r["port"] or "-", "-", r["client"] or "-", ua, r["status"],
                                             r["substatus"], r["win32"], taken)))
        x = r.get("checkIn")
        if x is None:
            continue
        t = int(r["start"] + a.shift) + a.zone
        requested = "%s;%s;%s" % ("cpe.nbt", x.get("version", ""), x.get("timestamp", ""))
        response = "#".join("%s;%s;%s" % (u, v, s) for u, v, s in r["offers"])
        audit.append(",".join([local_mdy(t), "phone@demo.local", r["client"] or "", x.get("devicetype", ""),
                               local_dmy(t), '"%s"' % x.get("macaddress", ""), '"%s"' % x.get("serialnumber", ""),
                               '"%s"' % x.get("vendor", ""), '"%s"' % x.get("model", ""),
                               '"%s"' % x.get("revision", ""), '"%s"' % x.get("locale", ""), requested, response]))
    with open(a.iis, "w", newline="") as f:
        f.write("\r\n".join(iis) + "\r\n")
    with open(a.audit, "w", newline="") as f:
        f.write("\r\n".join(audit) + "\r\n")


if __name__ == "__main__":
    main()
