#!/usr/bin/env python3
"""Runs every conformance vector (schemas/vectors/cases/*) through a verifier and compares its
verdict with the expected one: exit code, and unless the exit is 3 (input error) every check's
status and every signature's problem, from the verifier's `--json` output.

    run.py [--only GLOB[,GLOB...]] VECTORS_DIR VERIFIER [ARGS...]
    run.py [--only GLOB[,GLOB...]] VECTORS_DIR --module VERIFIER.py   # main(argv), in-process

--only runs the cases whose names match one of the shell-style patterns (the attack suite runs
each attack class on its own); a pattern that matches no case fails the run, so a class cannot
silently lose its vectors.

VERIFIER is called with otasign's command line, in the case's directory: for a case whose
`command` is `verify`, `VERIFIER [ARGS...] verify MANIFEST --policy P --signature S --now T
[--previous PREV] [--role R] [--min-rollback-index N] --json`; for `evidence-verify`,
`VERIFIER [ARGS...] evidence verify LOG [--policy P] [--bundle B]... --json`; for
`request-show`, `VERIFIER [ARGS...] request show REQUEST --json`. Exit 0 when every case agrees,
1 otherwise (each disagreement is listed).
"""
import contextlib
import fnmatch
import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys


def argv_of(command, args):
    if command == "request-show":
        return ["request", "show", args["request"], "--json"]
    if command == "evidence-verify":
        out = ["evidence", "verify", args["log"]]
        if "policy" in args:
            out += ["--policy", args["policy"]]
        for b in args.get("bundles", []):
            out += ["--bundle", b]
        return out + ["--json"]
    out = ["verify", args["manifest"], "--policy", args["policy"], "--signature", args["signature"],
           "--now", args["now"]]
    if "previous" in args:
        out += ["--previous", args["previous"]]
    if "role" in args:
        out += ["--role", args["role"]]
    if "minRollbackIndex" in args:
        out += ["--min-rollback-index", str(args["minRollbackIndex"])]
    return out + ["--json"]


def jcs(v):
    """RFC 8785 for values whose numbers are integers (every otasign format). Not imported from
    verify.py: the runner checks that verifier's output and must not share its code."""
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(v[k])
                          for k in sorted(v, key=lambda k: k.encode("utf-16-be"))) + "}"


def request_seen(out):
    """What a `request show --json` output says, in the shape of a case's expect.request. Each
    decoded manifest must be the one its sha256 names."""
    got = json.loads(out)
    for which in ("manifest", "previous"):
        d = got.get(which)
        if d is not None and hashlib.sha256(jcs(d["manifest"]).encode()).hexdigest() != d["sha256"]:
            raise ValueError("the decoded %s is not the one its sha256 names" % which)

    def doc(d):
        return None if d is None else {k: d[k] for k in ("sha256", "size", "release", "rollbackIndex")}
    return {"sha256": got["sha256"], "pipeline": got["pipeline"], "created": got["created"],
            "manifest": doc(got["manifest"]), "previous": doc(got.get("previous")),
            "policySha256": got.get("policySha256")}


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_case(verifier, argv, cwd):
    """`--module FILE.py` runs FILE's main(argv) in this process (one interpreter start for
    all cases instead of one per case); anything else is a command."""
    if verifier[0] != "--module":
        return subprocess.run(verifier + argv, cwd=cwd, capture_output=True, text=True)
    global _module
    if _module is None:
        spec = importlib.util.spec_from_file_location("verifier", verifier[1])
        _module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_module)
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = _module.main(argv)
    finally:
        os.chdir(old)
    return Result(code, out.getvalue(), err.getvalue())


_module = None


def main():
    args = sys.argv[1:]
    only = None
    if args[:1] == ["--only"]:
        only, args = args[1].split(","), args[2:]
    vectors, verifier = args[0], args[1:]
    cases_dir = os.path.join(vectors, "cases")
    with open(os.path.join(cases_dir, "index.json")) as f:
        names = json.load(f)
    if sorted(names) != sorted(n for n in os.listdir(cases_dir) if n != "index.json"):
        print("cases/index.json does not list exactly the case directories")
        return 1
    if only is not None:
        unmatched = [g for g in only if not any(fnmatch.fnmatchcase(n, g) for n in names)]
        if unmatched:
            print("no case matches %s" % ", ".join(unmatched))
            return 1
        names = [n for n in names if any(fnmatch.fnmatchcase(n, g) for g in only)]
    bad = 0
    for name in names:
        d = os.path.join(cases_dir, name)
        with open(os.path.join(d, "case.json")) as f:
            case = json.load(f)
        want = case["expect"]
        command = case.get("command", "verify")
        r = run_case(verifier, argv_of(command, case["args"]), d)
        problems = []
        if r.returncode != want["exit"]:
            problems.append("exit %d, expected %d" % (r.returncode, want["exit"]))
        elif want["exit"] == 0 and command == "request-show":
            try:
                got = request_seen(r.stdout)
            except (ValueError, KeyError, TypeError) as e:
                got = None
                problems.append("unreadable --json output: %s" % e)
            if got is not None and got != want["request"]:
                problems.append("shows %s, expected %s" % (
                    {k: v for k, v in got.items() if want["request"].get(k) != v},
                    {k: v for k, v in want["request"].items() if got.get(k) != v}))
        elif want["exit"] != 3 and command == "evidence-verify":
            try:
                got = json.loads(r.stdout)
                failed = got["failed"]["check"] if got["failed"] is not None else None
                if got["verified"] != (want["exit"] == 0):
                    problems.append("verified %s with exit %d" % (got["verified"], r.returncode))
            except (ValueError, KeyError, TypeError) as e:
                failed = "?"
                problems.append("unreadable --json output: %s" % e)
            if failed != want["failed"]:
                problems.append("failed check %s, expected %s" % (failed, want["failed"]))
        elif want["exit"] != 3:
            try:
                got = json.loads(r.stdout)
                checks = [{"name": c["name"], "status": c["status"]} for c in got["checks"]]
                sigs = [{"index": s["index"],
                         "problem": None if s["problem"] in (None, "none") else s["problem"]}
                        for s in got["signatures"]]
            except (ValueError, KeyError, TypeError) as e:
                checks, sigs = None, None
                problems.append("unreadable --json output: %s" % e)
            if checks is not None and checks != want["checks"]:
                problems.append("checks %s, expected %s" % (
                    [c for c in checks if c not in want["checks"]],
                    [c for c in want["checks"] if c not in checks]))
            if sigs is not None and sigs != want["signatures"]:
                problems.append("signatures %s, expected %s" % (sigs, want["signatures"]))
        if problems:
            bad += 1
            print("FAIL %s (%s): %s" % (name, case["description"], "; ".join(problems)))
            for line in (r.stdout + r.stderr).splitlines()[-6:]:
                print("     | " + line)
        else:
            print("ok   %s" % name)
    print("%d of %d cases agree" % (len(names) - bad, len(names)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
