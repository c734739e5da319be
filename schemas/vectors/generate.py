#!/usr/bin/env python3
"""Generates otasign's conformance vectors (schemas/vectors/cases/*) from SIGNATURE-FORMAT.md,
MANIFEST-FORMAT.md and POLICY-FORMAT.md.

Test keys are made here for the purpose, used to sign, and discarded: only their public halves
are written (schemas/vectors/keys/). Running this again makes new keys and new signatures
(ECDSA and RSA-PSS are randomized), so the committed vectors change wholesale; their expected
verdicts do not.

    python3 schemas/vectors/generate.py [OUTDIR]    # default: the directory of this script

Needs python3 and the `cryptography` module (Debian: python3-cryptography).
"""

import base64
import datetime
import hashlib
import json
import os
import shutil
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

STATEMENT_TYPE = "application/vnd.enigm.otasign.statement+json;version=1"
BUNDLE_TYPE = "application/vnd.enigm.otasign.bundle+json;version=1"
CHECKS = ["signatures", "threshold", "previous-binding", "version", "rollback",
          "channel-sequence", "freshness", "expiry", "validity", "artifacts"]


# ---------------------------------------------------------------- RFC 8785 (integers, strings)
# The generator, the second verifier (tests/conformance/verify.py) and the runner
# (tests/conformance/run.py) each carry their own few lines of JCS on purpose: a vector is only
# evidence if it was not made and checked by the same code.
def jcs(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        assert abs(v) <= 2**53 - 1
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


def b64(b):
    return base64.b64encode(b).decode()


def pae(payload_type, body):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


# ---------------------------------------------------------------- keys
class Key:
    def __init__(self, name, private):
        self.name = name
        self.private = private
        self.public = private.public_key()
        if isinstance(self.public, rsa.RSAPublicKey):
            self.alg = "rsa-pss-sha256"
        elif self.public.curve.name == "secp384r1":
            self.alg = "ecdsa-p384-sha384"
        else:
            self.alg = "ecdsa-p256-sha256"
        self.der = self.public.public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        self.pem = pem_of(self.der)
        self.keyid = sha256_hex(self.der)

    def sign(self, data):
        if self.alg == "rsa-pss-sha256":
            return self.private.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                                     hashes.SHA256())
        h = hashes.SHA384() if self.alg == "ecdsa-p384-sha384" else hashes.SHA256()
        return self.private.sign(data, ec.ECDSA(h))


def pem_of(der, label="PUBLIC KEY"):
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def der_int(n):
    b = n.to_bytes(n.bit_length() // 8 + 1, "big")
    return tlv(0x02, b)


def ec_spki(key, point, explicit=False):
    oid_ec = tlv(0x06, bytes.fromhex("2a8648ce3d0201"))
    if explicit:  # P-256 spelled out (SEC 1 ECParameters)
        p = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff
        a = p - 3
        b = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b
        gx = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296
        gy = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5
        n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
        field = tlv(0x30, tlv(0x06, bytes.fromhex("2a8648ce3d0101")) + der_int(p))
        curve = tlv(0x30, tlv(0x04, a.to_bytes(32, "big")) + tlv(0x04, b.to_bytes(32, "big")))
        params = tlv(0x30, der_int(1) + field + curve +
                     tlv(0x04, b"\x04" + gx.to_bytes(32, "big") + gy.to_bytes(32, "big")) +
                     der_int(n) + der_int(1))
    else:
        oid = "2a8648ce3d030107" if key.alg == "ecdsa-p256-sha256" else "2b81040022"
        params = tlv(0x06, bytes.fromhex(oid))
    return tlv(0x30, tlv(0x30, oid_ec + params) + tlv(0x03, b"\x00" + point))


def encodings(key):
    """Other encodings of one key (SIGNATURE-FORMAT.md section 2)."""
    out = {}
    if key.alg.startswith("ecdsa"):
        nums = key.public.public_numbers()
        size = 32 if key.alg == "ecdsa-p256-sha256" else 48
        x, y = nums.x.to_bytes(size, "big"), nums.y.to_bytes(size, "big")
        out["compressed"] = pem_of(ec_spki(key, bytes([2 + (nums.y & 1)]) + x))
        out["hybrid"] = pem_of(ec_spki(key, bytes([6 + (nums.y & 1)]) + x + y))
        out["hybrid-wrong-parity"] = pem_of(ec_spki(key, bytes([7 - (nums.y & 1)]) + x + y))
        if key.alg == "ecdsa-p256-sha256":
            out["explicit"] = pem_of(ec_spki(key, b"\x04" + x + y, explicit=True))
    else:
        rsapub = key.public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        alg = tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d01010a")))  # id-RSASSA-PSS, no params
        out["pss"] = pem_of(tlv(0x30, alg + tlv(0x03, b"\x00" + rsapub)))
        sha256 = tlv(0x30, tlv(0x06, bytes.fromhex("608648016503040201")) + b"\x05\x00")
        params = tlv(0x30, tlv(0xa0, sha256) +
                     tlv(0xa1, tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d010108")) + sha256)) +
                     tlv(0xa2, der_int(32)))
        alg_p = tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d01010a")) + params)
        out["pss-params"] = pem_of(tlv(0x30, alg_p + tlv(0x03, b"\x00" + rsapub)))
    return out


# ---------------------------------------------------------------- documents
def base_manifest(**over):
    m = {
        "schemaVersion": 1,
        "release": {"id": "eos-vec-r2", "version": "1.5.0", "build": "EOS.1.5.0.20261120",
                    "channel": "stable"},
        "rollbackIndex": 42,
        "created": "2026-11-20T09:00:00Z",
        "expires": "2027-02-15T00:00:00Z",
        "rollout": {"percentage": 50, "start": "2026-11-24T08:00:00Z"},
        "eligibility": {"models": ["eos-phone-a1"], "fromBuilds": ["EOS.1.4.0.20261102"],
                        "enrollmentRequired": True, "attestationRequired": True},
        "artifacts": [{"path": "images/system.img", "role": "system-image", "size": 4096,
                       "sha256": "ab" * 32}],
    }
    return with_overrides(m, over)


DELETE = object()


def with_overrides(doc, over):
    """Sets each dotted path of `over` ("release.id") in `doc`, making missing objects on the way;
    the value DELETE removes the member instead. Returns `doc`."""
    for k, v in over.items():
        node, parts = doc, k.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        if v is DELETE:
            del node[parts[-1]]
        else:
            node[parts[-1]] = v
    return doc


def previous_manifest(**over):
    p = base_manifest(**{"release.id": "eos-vec-r1", "release.version": "1.4.0",
                         "release.build": "EOS.1.4.0.20261102", "release.channel": "limited",
                         "rollbackIndex": 41, "created": "2026-11-02T09:00:00Z",
                         "expires": "2027-01-31T00:00:00Z", "rollout.percentage": 25,
                         "rollout.start": "2026-11-03T08:00:00Z",
                         "eligibility.fromBuilds": ["EOS.1.3.2.20261005"]})
    return with_overrides(p, over)


def statement(key, manifest, previous=None, **over):
    canon = jcs(manifest).encode()
    st = {
        "statementVersion": 1,
        "manifest": {"sha256": sha256_hex(canon), "size": len(canon)},
        "release": {k: manifest["release"][k] for k in ("id", "version", "channel")},
        "shown": {"textSha256": "11" * 32, "diffSha256": "22" * 32},
        "signer": {"keyId": key.keyid, "algorithm": key.alg},
        "approval": {
            "operator": "vector-operator", "time": "2026-11-21T10:00:00Z",
            "method": "approve-flag",
            "token": {"manufacturer": "conformance", "model": "vectors", "serial": "0000000000000001",
                      "label": "vectors"},
            "keyLabel": key.name, "pinRetriesLeft": 3, "pinStatus": "ok",
            "tool": "otasign-vectors 1", "host": "vectors.example",
        },
    }
    if previous is not None:
        st["previousManifest"] = {"sha256": sha256_hex(jcs(previous).encode())}
    return with_overrides(st, over)


def entry(key, st, payload_bytes=None, public_key=None, keyid=None, signer=None):
    body = payload_bytes if payload_bytes is not None else jcs(st).encode()
    sig = (signer or key).sign(pae(STATEMENT_TYPE, body))
    return {"payloadType": STATEMENT_TYPE, "payload": b64(body), "keyid": keyid or key.keyid,
            "algorithm": key.alg, "publicKey": public_key or key.pem, "sig": b64(sig)}


def bundle_text(entries):
    return ("{\"mediaType\":" + jcs(BUNDLE_TYPE) + ",\"signatures\":[\n" +
            ",\n".join(jcs(e) for e in entries) + "\n]}\n")


def policy(manifest_keys, release_keys=(), threshold=1, release_threshold=1, version=2, **extra):
    def role(keys, t):
        out = []
        for k in keys:
            if isinstance(k, tuple):  # (key, pem text, extra members)
                item = {"name": k[0].name, "publicKey": k[1]}
                item.update(k[2] if len(k) > 2 else {})
            else:
                item = {"name": k.name, "publicKey": k.pem}
            out.append(item)
        return {"threshold": t, "keys": out}
    p = {"policyVersion": version,
         "roles": {"manifest": role(manifest_keys, threshold),
                   "release": role(release_keys, release_threshold)}}
    p.update(extra)
    return p


def pretty(v):
    return json.dumps(v, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- the cases
class Cases:
    def __init__(self, outdir):
        self.outdir = outdir
        self.names = []

    def add(self, name, description, rule, manifest, bundle, pol, exit, checks=None, sigs=None,
            previous=None, now="2026-12-01T00:00:00Z", role=None, min_rollback=None):
        assert name not in self.names, name
        self.names.append(name)
        d = os.path.join(self.outdir, "cases", name)
        os.makedirs(d)

        def write(fname, content):
            if content is None:
                return None
            if not isinstance(content, (str, bytes)):
                content = pretty(content)
            with open(os.path.join(d, fname), "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode())
            return fname
        args = {"manifest": write("manifest.json", manifest),
                "signature": write("manifest.json.sig", bundle),
                "policy": write("policy.json", pol), "now": now}
        if previous is not None:
            args["previous"] = write("previous.json", previous)
        if role:
            args["role"] = role
        if min_rollback is not None:
            args["minRollbackIndex"] = min_rollback
        expect = {"exit": exit}
        if exit != 3:
            full = {c: "skipped" for c in CHECKS}
            full.update({"signatures": "pass", "threshold": "pass", "freshness": "pass",
                         "expiry": "pass"})
            if previous is not None:
                full.update({"previous-binding": "pass", "version": "pass", "rollback": "pass"})
            if min_rollback is not None:
                full["rollback"] = "pass"
            full.update(checks or {})
            expect["checks"] = [{"name": c, "status": full[c]} for c in CHECKS]
            expect["signatures"] = [{"index": i, "problem": p} for i, p in enumerate(sigs or [None])]
            if exit == 0:
                assert all(c["status"] != "fail" for c in expect["checks"]), name
            else:
                assert any(c["status"] == "fail" for c in expect["checks"]), name
        write("case.json", {"command": "verify", "description": description, "rule": rule,
                            "args": args, "expect": expect})

    def add_evidence(self, name, description, rule, log, exit, failed=None, bundles=(),
                     pol=None, files=()):
        """An `evidence verify` case: LOG, optional --policy and --bundle files; the verdict is
        the exit code and, for exit 0 and 1, the name of the first failed check (or null)."""
        assert name not in self.names, name
        assert (exit == 1) == (failed is not None) or exit == 3, name
        self.names.append(name)
        d = os.path.join(self.outdir, "cases", name)
        os.makedirs(d)

        def write(fname, content):
            if not isinstance(content, (str, bytes)):
                content = pretty(content)
            with open(os.path.join(d, fname), "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode())
            return fname
        args = {"log": write("evidence.log.jsonl", log)}
        for fname, content in files:  # the manifests the entries sign, for the auditor's recipe
            write(fname, content)
        if bundles:
            args["bundles"] = [write(fname, content) for fname, content in bundles]
        if pol is not None:
            args["policy"] = write("policy.json", pol)
        expect = {"exit": exit}
        if exit != 3:
            expect["failed"] = failed
        write("case.json", {"command": "evidence-verify", "description": description,
                            "rule": rule, "args": args, "expect": expect})

    def add_request(self, name, description, rule, text, exit, want=None):
        """A `request show` case: the request file; the verdict is the exit code and, for exit 0,
        what `--json` must show of it."""
        assert name not in self.names, name
        assert (exit == 0) == (want is not None), name
        self.names.append(name)
        d = os.path.join(self.outdir, "cases", name)
        os.makedirs(d)
        with open(os.path.join(d, "request.json"), "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        expect = {"exit": exit}
        if exit == 0:
            expect["request"] = want
        with open(os.path.join(d, "case.json"), "w") as f:
            f.write(pretty({"command": "request-show", "description": description, "rule": rule,
                            "args": {"request": "request.json"}, "expect": expect}))


# ---------------------------------------------------------------- evidence log
class Log:
    """Builds an evidence log as sign would: each version-2 statement commits to its line."""
    def __init__(self):
        self.entries = []  # entry objects (dicts), index and prev set by text()

    def prev_of(self, n):
        return sha256_hex(jcs(self.entries[n - 1]).encode()) if n else "0" * 64

    def sign(self, key, manifest, mpath, bpath, **over):
        n = len(self.entries)
        st = statement(key, manifest, statementVersion=2,
                       log={"index": n, "previousEntrySha256": self.prev_of(n),
                            "manifestPath": mpath, "bundlePath": bpath}, **over)
        e = entry(key, st)
        self.entries.append({"entryVersion": 2, "index": n, "prev": self.prev_of(n),
                             "manifestPath": mpath, "bundlePath": bpath, "signature": e})
        return e

    def sign_v1(self, key, manifest, mpath, bpath, **over):
        n = len(self.entries)
        e = entry(key, statement(key, manifest, **over))
        self.entries.append({"entryVersion": 1, "index": n, "prev": self.prev_of(n),
                             "recorded": "2026-11-21T10:00:01Z", "manifestPath": mpath,
                             "bundlePath": bpath, "signature": e})
        return e

    def text(self):
        return "".join(jcs(e) + "\n" for e in self.entries)


def rechain(entries):
    """What a forger's tool does after editing: renumber and re-hash every line."""
    out, prev = [], "0" * 64
    for i, e in enumerate(entries):
        e = dict(e, index=i, prev=prev)
        out.append(e)
        prev = sha256_hex(jcs(e).encode())
    return "".join(jcs(e) + "\n" for e in out)


def evidence_cases(C, alice, bob, carol, mallory, rel):
    M1 = previous_manifest()
    M2 = base_manifest()
    pol = policy([alice, bob, carol], [rel])
    files = [("release-1.json", pretty(M1)), ("release-2.json", pretty(M2))]
    odd = {"approval.operator": "Zoë\u007f", "approval.host": "host\u007f\u2028"}

    def standard():
        L = Log()
        e0 = L.sign(alice, M1, "release-1.json", "release-1.json.sig")
        e1 = L.sign(alice, M2, "release-2.json", "release-2.json.sig")
        e2 = L.sign(bob, M2, "release-2.json", "release-2.json.sig", **odd)
        return L, [("release-1.json.sig", bundle_text([e0])), ("release-2.json.sig", bundle_text([e1, e2]))]
    L, bundles = standard()
    log = L.text()
    lines = log.splitlines(keepends=True)
    E = L.entries

    def ev(name, desc, rule, text, exit, failed=None, b=bundles, p=pol):
        C.add_evidence(name, desc, rule, text, exit, failed, bundles=b, pol=p, files=files)

    # ---- positive
    ev("ok-evidence-v2", "three version-2 entries, both bundles at their positions, signers in the policy",
       "section 6a", log, 0)
    ev("ok-evidence-log-only", "the same log without --policy or --bundle", "section 6a", log, 0, b=(), p=None)
    ev("ok-evidence-cut-without-bundle", "the last line removed, no bundle given: a shorter valid chain "
       "(only a bundle shows the cut)", "section 6a step 9", "".join(lines[:2]), 0, b=bundles[:1])
    Lc = Log()
    c0 = Lc.sign_v1(alice, M1, "release-1.json", "release-1.json.sig")
    c1 = Lc.sign(alice, M2, "release-2.json", "release-2.json.sig")
    c2 = Lc.sign(bob, M2, "release-2.json", "release-2.json.sig")
    ev("ok-evidence-v1-then-v2", "a version-1 entry (recorded time, version-1 statement) before version-2 "
       "entries; the version-1 signature of release-1.json.sig is not checked against the log",
       "section 6a steps 7, 9", Lc.text(), 0,
       b=[("release-1.json.sig", bundle_text([c0])), ("release-2.json.sig", bundle_text([c1, c2]))])

    # ---- exit 1, one check each
    ev("fail-evidence-empty", "an empty log", "section 6a step 4 nonempty", "", 1, "nonempty")
    ev("fail-evidence-chain-genesis", "the first line's prev is not 64 zeros", "section 6a step 5 chain",
       rechain([dict(E[0], prev="11" * 32)] + E[1:]).replace(
           '"prev":"' + "0" * 64 + '"', '"prev":"' + "11" * 32 + '"', 1), 1, "chain")
    ev("fail-evidence-chain-index", "the second line's index is 5", "section 6a step 5 chain",
       lines[0] + jcs(dict(E[1], index=5)) + "\n" + lines[2], 1, "chain")
    ev("fail-evidence-chain-prev", "the third line's prev is not the hash of the second", "section 6a step 5 chain",
       lines[0] + lines[1] + jcs(dict(E[2], prev="22" * 32)) + "\n", 1, "chain")
    ev("fail-evidence-line-removed", "the second line removed", "section 6a step 5 chain",
       lines[0] + lines[2], 1, "chain")
    ev("fail-evidence-lines-swapped", "the second and third lines swapped", "section 6a step 5 chain",
       lines[0] + lines[2] + lines[1], 1, "chain")
    ev("fail-evidence-removed-rechained", "the second line removed and the chain recomputed: the third "
       "entry's signed index and prev no longer match", "section 6a step 7 entry-position",
       rechain([E[0], E[2]]), 1, "entry-position")
    ev("fail-evidence-swapped-rechained", "two lines swapped and the chain recomputed",
       "section 6a step 7 entry-position", rechain([E[0], E[2], E[1]]), 1, "entry-position")
    ev("fail-evidence-manifest-path-rechained", "manifestPath of the second entry edited, chain recomputed",
       "section 6a step 7 entry-position", rechain([E[0], dict(E[1], manifestPath="other.json"), E[2]]),
       1, "entry-position")
    ev("fail-evidence-bundle-path-rechained", "bundlePath of the last entry edited, chain recomputed",
       "section 6a step 7 entry-position", rechain([E[0], E[1], dict(E[2], bundlePath="x.sig")]),
       1, "entry-position")
    Lx = Log()
    Lx.sign(alice, M1, "release-1.json", "release-1.json.sig")
    ins = Lx.sign(carol, M2, "release-2.json", "release-2.json.sig")
    ev("fail-evidence-inserted-rechained", "an entry signed for position 1 of another log inserted, "
       "chain recomputed", "section 6a step 7 entry-position",
       rechain([E[0], Lx.entries[1], E[1], E[2]]), 1, "entry-position")
    other = entry(alice, statement(alice, M2, statementVersion=2, log={
        "index": 1, "previousEntrySha256": L.prev_of(1), "manifestPath": "release-2.json",
        "bundlePath": "release-2.json.sig", }, **{"approval.operator": "someone-else"}))
    forged = dict(E[1]["signature"], sig=other["sig"])
    ev("fail-evidence-entry-signature", "the second entry's sig is over another statement, chain recomputed",
       "section 6a step 6 entry-signature", rechain([E[0], dict(E[1], signature=forged), E[2]]), 1,
       "entry-signature")
    ev("fail-evidence-entry-keyid", "the second entry's keyid is bob's, its publicKey and signer alice",
       "section 6a step 6 entry-signature",
       rechain([E[0], dict(E[1], signature=dict(E[1]["signature"], keyid=bob.keyid)), E[2]]), 1,
       "entry-signature")
    ev("fail-evidence-entry-publickey", "the second entry's publicKey is mallory's",
       "section 6a step 6 entry-signature",
       rechain([E[0], dict(E[1], signature=dict(E[1]["signature"], publicKey=mallory.pem)), E[2]]), 1,
       "entry-signature")
    stx = statement(alice, M2, statementVersion=2, log={
        "index": 1, "previousEntrySha256": L.prev_of(1), "manifestPath": "release-2.json",
        "bundlePath": "release-2.json.sig"})
    noncanon = entry(alice, stx, payload_bytes=json.dumps(stx).encode())
    ev("fail-evidence-entry-statement-not-canonical", "the second entry's statement is signed but not "
       "RFC 8785", "section 6a step 6 entry-signature",
       rechain([E[0], dict(E[1], signature=noncanon), E[2]]), 1, "entry-signature")
    v1bad = dict(Lc.entries[0]["signature"], sig=Lc.entries[1]["signature"]["sig"])
    ev("fail-evidence-v1-entry-signature", "a version-1 entry whose signature does not verify (nothing of "
       "it but the signature is signed, and that fails)", "section 6a step 6 entry-signature",
       rechain([dict(Lc.entries[0], signature=v1bad)] + Lc.entries[1:]), 1, "entry-signature", b=())
    Lv = Log()
    Lv.sign(alice, M1, "release-1.json", "release-1.json.sig")
    Lv.sign_v1(alice, M2, "release-2.json", "release-2.json.sig")
    ev("fail-evidence-v1-after-v2", "a version-1 entry after a version-2 entry", "section 6a step 7 entry-position",
       Lv.text(), 1, "entry-position", b=())
    Lw = Log()
    w = Lw.sign(alice, M1, "release-1.json", "release-1.json.sig")
    v1_with_v2 = {"entryVersion": 1, "index": 0, "prev": "0" * 64, "recorded": "2026-11-21T10:00:01Z",
                  "manifestPath": "release-1.json", "bundlePath": "release-1.json.sig", "signature": w}
    ev("fail-evidence-v2-statement-in-v1-entry", "a version-1 entry holding a version-2 statement",
       "section 6a step 7 entry-position", jcs(v1_with_v2) + "\n", 1, "entry-position", b=())
    v2_with_v1 = {"entryVersion": 2, "index": 0, "prev": "0" * 64, "manifestPath": "release-1.json",
                  "bundlePath": "release-1.json.sig", "signature": entry(alice, statement(alice, M1))}
    ev("fail-evidence-v1-statement-in-v2-entry", "a version-2 entry holding a version-1 statement",
       "section 6a step 7 entry-position", jcs(v2_with_v1) + "\n", 1, "entry-position", b=())
    Lm = Log()
    Lm.sign(alice, M1, "release-1.json", "release-1.json.sig")
    Lm.sign(mallory, M2, "release-2.json", "release-2.json.sig")
    ev("fail-evidence-policy-signer", "an entry signed by mallory, who is in neither role of the policy",
       "section 6a step 8 policy-signer", Lm.text(), 1, "policy-signer", b=())
    ev("ok-evidence-signer-without-policy", "the same log without --policy: any signer is accepted",
       "section 6a step 8", Lm.text(), 0, b=(), p=None)
    ev("fail-evidence-cut-with-bundle", "the last line removed, the bundle that commits to it given",
       "section 6a step 9 bundle-recorded", "".join(lines[:2]), 1, "bundle-recorded")
    ev("fail-evidence-bundle-other-log", "the bundle's signatures commit to positions in another log",
       "section 6a step 9 bundle-recorded", Lx.text(), 1, "bundle-recorded", b=bundles[1:])
    alg_line = rechain([E[0], E[1], dict(E[2], signature=dict(E[2]["signature"], algorithm="ecdsa-p256-sha256"))])
    ev("fail-evidence-bundle-member-differs", "the entry's signature object differs from the bundle's in "
       "its (informational) algorithm member", "section 6a step 9 bundle-recorded", alg_line, 1,
       "bundle-recorded")
    ev("ok-evidence-member-differs-no-bundle", "the same log without that bundle", "section 6a",
       alg_line, 0, b=bundles[:1])
    badsig = dict(E[1]["signature"], sig=other["sig"])
    ev("fail-evidence-bundle-signature", "a bundle signature that does not verify with its own key",
       "section 6a step 9 bundle-recorded", log, 1, "bundle-recorded",
       b=[("release-2.json.sig", bundle_text([badsig]))])

    # ---- exit 3: a malformed log, policy or bundle, whatever else is wrong
    ev("input-evidence-no-final-lf", "the last line has no line feed", "section 6a step 3", log[:-1], 3)
    ev("input-evidence-crlf", "CR LF line ends", "section 6a step 3", log.replace("\n", "\r\n"), 3)
    ev("input-evidence-blank-line", "an empty line between entries", "section 6a step 3",
       lines[0] + "\n" + lines[1] + lines[2], 3)
    ev("input-evidence-not-canonical", "a line with a space after a colon", "section 6a step 3",
       lines[0].replace('"entryVersion":2', '"entryVersion": 2') + lines[1] + lines[2], 3)
    ev("input-evidence-v2-recorded", "a version-2 entry with a recorded time (schema)", "section 6a step 3",
       rechain([E[0], dict(E[1], recorded="2026-11-21T10:00:01Z"), E[2]]), 3)
    ev("input-evidence-v1-without-recorded", "a version-1 entry without recorded (schema)", "section 6a step 3",
       rechain([{k: v for k, v in Lc.entries[0].items() if k != "recorded"}] + Lc.entries[1:]), 3, b=())
    ev("input-evidence-unknown-member", "an unknown member in an entry", "section 6a step 3",
       rechain([E[0], dict(E[1], note="x"), E[2]]), 3)
    ev("input-evidence-index-fraction", "index written 1.0", "section 0 integers",
       lines[0] + lines[1].replace('"index":1,', '"index":1.0,') + lines[2], 3)
    ev("input-evidence-duplicate-escaped-key", "\"prev\" twice, once escaped", "section 0 rule 7",
       lines[0] + lines[1].replace('"prev":', '"pr\\u0065v":"' + "0" * 64 + '","prev":') + lines[2], 3)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    sig0 = E[0]["signature"]["sig"]
    stripped = sig0.rstrip("=")
    if len(stripped) == len(sig0):  # no padding in this run's sig: use the payload's padding rule
        bad_b64 = sig0[:-1] + "="
    else:
        bad_b64 = stripped[:-1] + alphabet[alphabet.index(stripped[-1]) | 1] + sig0[len(stripped):]
    ev("input-evidence-base64", "an entry's sig is not canonical base64", "section 6a step 3",
       rechain([dict(E[0], signature=dict(E[0]["signature"], sig=bad_b64))] + E[1:]), 3)
    ev("input-evidence-malformed-after-broken-chain", "the second line's prev is wrong and the third line "
       "is malformed: malformed input wins", "section 6a step 3 before step 5",
       lines[0] + jcs(dict(E[1], prev="22" * 32)) + "\n" + lines[2].replace('{"bundlePath"', '{ "bundlePath"'), 3)
    ev("input-evidence-bundle-malformed", "the chain is broken and a --bundle is malformed: malformed input wins",
       "section 6a step 2", lines[0] + lines[2], 3,
       b=[("release-2.json.sig", bundles[1][1].replace('"payloadType"', '"note":1,"payloadType"', 1))])
    ev("input-evidence-policy-malformed", "the log is empty and the --policy is malformed",
       "section 6a step 2", "", 3, p=pretty(pol).replace('"threshold": 1,', '"threshold": 1.0,', 1))


# ---------------------------------------------------------------- signing requests
REQUEST_TYPE = "application/vnd.enigm.otasign.request+json;version=1"


def document(data):
    """A request's embedded document (REQUEST-FORMAT.md section 1) for these bytes."""
    return {"sha256": sha256_hex(data), "size": len(data), "canonical": b64(data)}


def request(manifest, previous=None, policy_sha256=None, identity="https://ci.example/enigm/os/-/jobs/4711",
            host="ci-runner-7", created="2026-11-20T09:30:00Z"):
    """A request object; `manifest` and `previous` are manifest objects or raw bytes."""
    def doc(m):
        return document(m if isinstance(m, bytes) else jcs(m).encode())
    r = {"mediaType": REQUEST_TYPE, "manifest": doc(manifest),
         "pipeline": {"identity": identity, "host": host}, "created": created}
    if previous is not None:
        r["previous"] = doc(previous)
    if policy_sha256 is not None:
        r["policySha256"] = policy_sha256
    return r


def summary(m):
    """What `request show --json` prints of one embedded manifest (besides the manifest)."""
    canon = jcs(m).encode()
    return {"sha256": sha256_hex(canon), "size": len(canon),
            "release": {k: m["release"][k] for k in ("id", "version", "channel")},
            "rollbackIndex": m["rollbackIndex"]}


def request_cases(C):
    """No key is involved: every request case is the same bytes on every run."""
    M = base_manifest()
    P = previous_manifest()
    Mc, Pc = jcs(M).encode(), jcs(P).encode()
    # A policy without keys, so that its digest is the same on every run (reading a request
    # only carries policySha256; sign --request compares it with the workstation's policy).
    pol = policy([], [])
    pol_sha = sha256_hex(jcs(pol).encode())

    def ok(name, desc, rule, req, manifest, previous=None, text=None):
        text = text if text is not None else jcs(req) + "\n"
        data = text if isinstance(text, bytes) else text.encode()
        parsed = json.loads(data)
        want = {"sha256": sha256_hex(data), "pipeline": parsed["pipeline"], "created": parsed["created"],
                "manifest": summary(manifest),
                "previous": summary(previous) if previous is not None else None,
                "policySha256": parsed.get("policySha256")}
        C.add_request("ok-request-" + name, desc, rule, data, 0, want)

    def bad(name, desc, rule, req_or_text):
        text = req_or_text if isinstance(req_or_text, (str, bytes)) else jcs(req_or_text) + "\n"
        C.add_request("input-request-" + name, desc, rule, text, 3)

    def edit(req, pointer, value):
        """A copy of req with the member at pointer replaced (DELETE removes it)."""
        r = json.loads(json.dumps(req))
        parts = pointer.strip("/").split("/")
        node = r
        for p in parts[:-1]:
            node = node[p]
        if value is DELETE:
            del node[parts[-1]]
        else:
            node[parts[-1]] = value
        return r

    S = "REQUEST-FORMAT.md section 2 step "
    full = request(M, P, pol_sha)

    # ---- positive: with and without previous and policy digest, any strict JSON spelling
    ok("previous-policy", "manifest, previous (limited 1.4.0 -> stable 1.5.0: a channel promotion) and "
       "the policy digest", "REQUEST-FORMAT.md sections 1, 2", full, M, P)
    ok("first-release", "no previous (a claimed first release), no policy digest", "section 1",
       request(M), M)
    ok("previous-only", "previous, no policy digest", "section 1", request(M, P), M, P)
    ok("policy-only", "policy digest, no previous", "section 1", request(M, policy_sha256=pol_sha), M)
    ok("pretty", "the request pretty-printed with its members in another order: readers accept any "
       "strict JSON; the request's sha256 is over the file's bytes", "section 1",
       full, M, P, text=json.dumps(dict(reversed(list(full.items()))), indent=4) + "\n")
    ok("escaped-strings", "mediaType, host, created and the member name pipeline written with escapes "
       "(\\/ and \\u0063): compared after unescaping", "section 2 step 3",
       full, M, P, text=(jcs(full) + "\n").replace("application/vnd", "application\\/vnd")
       .replace('"pipeline":', '"pip\\u0065line":')
       .replace('"ci-runner-7"', '"\\u0063i-runner-7"').replace('"2026-11-20T09', '"2026-11-2\\u0030T09'))
    Ps = previous_manifest(**{"release.channel": "stable", "rollout.percentage": 25, "rollbackIndex": 42,
                              "eligibility.attestationRequired": True})
    ok("previous-same-channel-same-rollback", "previous in the same channel with the same rollback index "
       "(not lower is enough)", "section 2 step 7", request(M, Ps), M, Ps)
    Pr = previous_manifest(**{"release.version": "1.5.0-rc.1"})
    ok("previous-prerelease", "previous 1.5.0-rc.1, manifest 1.5.0: a pre-release precedes its release",
       "section 2 step 7 (SemVer precedence)", request(M, Pr), M, Pr)
    ok("host-empty", "pipeline.host empty (only identity needs a character)", "section 1",
       request(M, host=""), M)
    ok("identity-256-code-points", "identity of 256 characters, each two UTF-8 bytes, and host of 256 "
       "characters outside the BMP (four bytes, two UTF-16 units): lengths count code points",
       "section 1 / schema maxLength", request(M, identity="\u00e9" * 256, host="\U0001f600" * 256), M)
    ok("host-256-escaped-pairs", "host of 256 characters outside the BMP, each written as an escaped "
       "surrogate pair (12 characters of JSON text each): lengths count decoded code points",
       "section 1 / schema maxLength", request(M, host="\U0001f600" * 256), M,
       text=(jcs(request(M, host="\U0001f600" * 256)) + "\n").replace("\U0001f600", "\\ud83d\\ude00"))
    ok("created-leap-day", "created on 2028-02-29", "section 2 step 4",
       request(M, created="2028-02-29T23:59:59Z"), M)
    ok("created-far-future", "created 9999-12-31T23:59:59Z: a claim, shown and never judged",
       "section 2 (after step 7)", request(M, created="9999-12-31T23:59:59Z"), M)
    ok("created-year-0000", "created 0000-01-01T00:00:00Z: RFC 3339 years are 0000 to 9999",
       "section 2 step 4", request(M, created="0000-01-01T00:00:00Z"), M)
    ok("escaped-controls", "identity and host with escaped control characters (NUL, U+001F), U+007F "
       "and U+2028: strict JSON refuses raw control characters only", "section 2 step 2 (section 0 rule 4)",
       request(M, identity="ci\u0000job\u001f\u007f", host="host\u2028"), M)
    ok("created-year-2000-leap-day", "created on 2000-02-29 (a leap year although divisible by 100)",
       "section 2 step 4", request(M, created="2000-02-29T00:00:00Z"), M)

    # ---- step 1-2: strict JSON
    line = jcs(full) + "\n"
    bad("duplicate-key", "\"created\" twice, once escaped", S + "2 (SIGNATURE-FORMAT.md section 0 rule 7)",
        line.replace('{"created":', '{"cr\\u0065ated":"2026-11-20T09:30:00Z","created":', 1))
    bad("duplicate-key-nested", "\"host\" twice in pipeline", S + "2 (section 0 rule 7)",
        line.replace('"host":', '"host":"a","host":', 1))
    bad("non-utf8", "a raw 0xFF byte in pipeline.host", S + "2 (section 0 rule 3)",
        line.encode().replace(b'"ci-runner-7"', b'"ci-runner\xff7"'))
    bad("overlong-utf8", "an overlong UTF-8 sequence (C0 AF) in pipeline.identity", S + "2 (section 0 rule 3)",
        line.encode().replace(b'jobs/4711"', b'jobs/4711\xc0\xaf"'))
    bad("bom", "a byte-order mark", S + "2 (section 0 rule 2)", "\ufeff" + line)
    bad("lone-surrogate", "a lone surrogate escape in pipeline.host", S + "2 (section 0 rule 5)",
        line.replace('"ci-runner-7"', '"ci-runner-7\\ud800"'))
    bad("noncharacter", "an escaped noncharacter U+FFFE in pipeline.identity", S + "2 (section 0 rule 6)",
        line.replace('jobs/4711"', 'jobs/4711\\ufffe"'))
    bad("trailing-value", "a second JSON value after the request", S + "2 (section 0 rule 1)", line + "{}\n")
    bad("size-fraction", "manifest size written with a fraction (1567.0)", S + "2 (section 0 integers)",
        line.replace('"size":%d' % len(Mc), '"size":%d.0' % len(Mc), 1))
    bad("size-exponent", "manifest size written with an exponent", S + "2 (section 0 integers)",
        line.replace('"size":%d' % len(Mc), '"size":%de0' % len(Mc), 1))

    # ---- step 3: schema
    bad("not-object", "an array holding the request", S + "3", "[" + jcs(full) + "]\n")
    bad("media-type-version-2", "mediaType ...;version=2", S + "3",
        edit(full, "/mediaType", REQUEST_TYPE.replace("version=1", "version=2")))
    bad("media-type-case", "mediaType in upper case", S + "3", edit(full, "/mediaType", REQUEST_TYPE.upper()))
    bad("media-type-missing", "no mediaType", S + "3", edit(full, "/mediaType", DELETE))
    bad("unknown-member", "an unknown top-level member (an approval smuggled in)", S + "3",
        edit(full, "/approved", True))
    bad("unknown-member-document", "an unknown member in the manifest document", S + "3",
        edit(full, "/manifest/path", "release-2.json"))
    bad("unknown-member-previous", "an unknown member in the previous document", S + "3",
        edit(full, "/previous/signature", "AAAA"))
    bad("unknown-member-pipeline", "an unknown member in pipeline", S + "3",
        edit(full, "/pipeline/user", "ci"))
    bad("missing-manifest", "no manifest", S + "3", edit(full, "/manifest", DELETE))
    bad("manifest-inline", "the manifest object itself in place of its document", S + "3",
        edit(full, "/manifest", M))
    bad("missing-pipeline", "no pipeline", S + "3", edit(full, "/pipeline", DELETE))
    bad("missing-identity", "no pipeline.identity", S + "3", edit(full, "/pipeline/identity", DELETE))
    bad("missing-host", "no pipeline.host", S + "3", edit(full, "/pipeline/host", DELETE))
    bad("missing-created", "no created", S + "3", edit(full, "/created", DELETE))
    bad("missing-document-sha256", "the manifest document without sha256", S + "3",
        edit(full, "/manifest/sha256", DELETE))
    bad("missing-document-size", "the manifest document without size", S + "3",
        edit(full, "/manifest/size", DELETE))
    bad("missing-document-canonical", "the previous document without canonical", S + "3",
        edit(full, "/previous/canonical", DELETE))
    bad("previous-null", "previous is null (absent is the only way to name no previous)", S + "3",
        edit(full, "/previous", None))
    bad("policy-sha256-null", "policySha256 is null", S + "3", edit(full, "/policySha256", None))
    bad("identity-empty", "pipeline.identity empty", S + "3", edit(full, "/pipeline/identity", ""))
    bad("identity-257", "pipeline.identity of 257 characters", S + "3",
        edit(full, "/pipeline/identity", "\u00e9" * 257))
    bad("host-257", "pipeline.host of 257 characters", S + "3", edit(full, "/pipeline/host", "h" * 257))
    bad("identity-number", "pipeline.identity a number", S + "3", edit(full, "/pipeline/identity", 4711))
    bad("policy-sha256-uppercase", "policySha256 in upper-case hex", S + "3",
        edit(full, "/policySha256", pol_sha.upper()))
    bad("policy-sha256-prefixed", "policySha256 written sha256:HEX", S + "3",
        edit(full, "/policySha256", "sha256:" + pol_sha))
    bad("document-sha256-uppercase", "the manifest document's sha256 in upper-case hex", S + "3",
        edit(full, "/manifest/sha256", sha256_hex(Mc).upper()))
    bad("size-string", "size written as a string", S + "3", edit(full, "/manifest/size", str(len(Mc))))
    bad("size-below-2", "size 1 (a manifest is at least {})", S + "3",
        edit(edit(edit(full, "/manifest/size", 1), "/manifest/canonical", "e30="), "/manifest/sha256",
             sha256_hex(b"{}")))
    bad("size-over-bound", "size 33554433, one over the bound (refused by the schema before any decoding)",
        S + "3", edit(full, "/manifest/size", 33554433))
    bad("created-fraction", "created with a fraction of a second", S + "3",
        edit(full, "/created", "2026-11-20T09:30:00.5Z"))
    bad("created-offset", "created with an offset instead of Z", S + "3",
        edit(full, "/created", "2026-11-20T09:30:00+00:00"))
    bad("created-lowercase", "created with lowercase t and z", S + "3",
        edit(full, "/created", "2026-11-20t09:30:00z"))
    bad("canonical-number", "canonical is a number", S + "3", edit(full, "/manifest/canonical", 7))

    # ---- step 4: a real instant
    for name_, t, what in [("feb-30", "2026-02-30T00:00:00Z", "February 30"),
                           ("leap-second", "2026-12-31T23:59:60Z", "a leap second"),
                           ("hour-24", "2026-11-20T24:00:00Z", "hour 24"),
                           ("2100-02-29", "2100-02-29T00:00:00Z", "February 29 of 2100 (not a leap year)"),
                           ("month-13", "2026-13-01T00:00:00Z", "month 13")]:
        bad("created-" + name_, "created on " + what, S + "4", edit(full, "/created", t))

    # ---- step 5.1: canonical base64
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def padded(m):
        """m with a build string chosen so that its canonical bytes need base64 padding."""
        for extra in range(3):
            x = base_manifest(**{"release.build": "EOS.1.5.0.2026112" + "0" * (extra + 1)})
            if len(jcs(x).encode()) % 3 == 1:
                return x
        raise AssertionError("no padded length")
    Mp = padded(M)
    good = jcs(Mp).encode()
    text = b64(good)
    stripped = text.rstrip("=")
    flipped = stripped[:-1] + alphabet[alphabet.index(stripped[-1]) | 1] + text[len(stripped):]
    assert base64.b64decode(flipped) == good and flipped != text
    bad("base64-padding-bits", "canonical with non-zero padding bits: a lenient decoder gets the very "
        "bytes that sha256 and size describe", S + "5.1 (SIGNATURE-FORMAT.md conventions)",
        edit(request(Mp), "/manifest/canonical", flipped))
    bad("base64-no-padding", "canonical without its = padding", S + "5.1",
        edit(request(Mp), "/manifest/canonical", stripped))
    mime = "\n".join(text[i:i + 76] for i in range(0, len(text), 76))
    bad("base64-line-breaks", "canonical broken into 76-character lines (MIME)", S + "3 / 5.1",
        edit(request(Mp), "/manifest/canonical", mime))
    bad("base64-space", "canonical with a space", S + "3 / 5.1",
        edit(request(Mp), "/manifest/canonical", text[:8] + " " + text[8:]))
    url = b64(good).replace("+", "-").replace("/", "_")
    if url == text:  # no + or / in this run's text: the url alphabet still must differ somewhere
        url = "-" + text[1:]
    bad("base64-url-alphabet", "canonical in the base64url alphabet", S + "3 / 5.1",
        edit(request(Mp), "/manifest/canonical", url))
    bad("base64-previous", "the previous document's canonical is not base64 (too short)", S + "5.1",
        edit(full, "/previous/canonical", b64(Pc)[:-1]))

    # ---- step 5.2 / 5.3: size and digest
    bad("size-mismatch", "size one more than the decoded bytes", S + "5.2",
        edit(full, "/manifest/size", len(Mc) + 1))
    bad("previous-size-mismatch", "the previous document's size one less than its bytes", S + "5.2",
        edit(full, "/previous/size", len(Pc) - 1))
    bad("digest-mismatch", "sha256 of other bytes (the previous manifest's)", S + "5.3",
        edit(full, "/manifest/sha256", sha256_hex(Pc)))
    bad("manifest-swapped", "the manifest's bytes and size replaced by another manifest's under the "
        "original sha256", S + "5.3",
        edit(edit(full, "/manifest/canonical", b64(Pc)), "/manifest/size", len(Pc)))
    bad("previous-digest-mismatch", "the previous document's sha256 is the manifest's", S + "5.3",
        edit(full, "/previous/sha256", sha256_hex(Mc)))

    # ---- step 5.4: a valid manifest
    def embedded(data, at="manifest"):
        r = json.loads(json.dumps(full))
        r[at] = document(data)
        return r
    bad("manifest-not-json", "the embedded bytes are not JSON", S + "5.4", embedded(b"release 1.5.0\n"))
    bad("manifest-schema", "the embedded manifest has an unknown member (canonical bytes)", S + "5.4",
        embedded(jcs(dict(M, note="x")).encode()))
    bad("manifest-other-document", "the embedded bytes are a canonical trust policy, not a manifest",
        S + "5.4", embedded(jcs(pol).encode()))
    bad("manifest-rule", "the embedded manifest breaks a semantic rule (stable without "
        "attestationRequired)", S + "5.4 (MANIFEST-FORMAT.md validation rules)",
        embedded(jcs(base_manifest(**{"eligibility.attestationRequired": False})).encode()))
    bad("manifest-expires-before-created", "the embedded manifest expires before it was created",
        S + "5.4", embedded(jcs(base_manifest(expires="2026-11-19T09:00:00Z")).encode()))
    bad("manifest-non-utf8", "the embedded canonical bytes hold a raw 0xFF byte in a string", S + "5.4",
        embedded(Mc.replace(b'"eos-phone-a1"', b'"eos-phone-a1\xff"')))
    bad("manifest-bom", "the embedded bytes start with a byte-order mark", S + "5.4",
        embedded(b"\xef\xbb\xbf" + Mc))
    bad("manifest-duplicate-key", "the embedded bytes have rollbackIndex twice", S + "5.4",
        embedded(Mc.replace(b'"rollbackIndex":42', b'"rollbackIndex":42,"rollbackIndex":42')))
    bad("manifest-integer-fraction", "the embedded bytes write rollbackIndex 42.0", S + "5.4",
        embedded(Mc.replace(b'"rollbackIndex":42', b'"rollbackIndex":42.0')))
    bad("previous-invalid", "the previous document is an invalid manifest (leap second in created)",
        S + "5.4", embedded(jcs(previous_manifest(created="2026-06-30T23:59:60Z")).encode(), "previous"))

    # ---- step 5.5: exactly the canonical bytes
    bad("not-canonical-pretty", "the embedded manifest pretty-printed, with its own matching sha256 and size",
        S + "5.5", embedded(pretty(M).encode()))
    bad("not-canonical-trailing-lf", "the canonical bytes followed by a line feed", S + "5.5",
        embedded(Mc + b"\n"))
    bad("not-canonical-member-order", "canonical but for the order of two members", S + "5.5",
        embedded(("{" + ",".join(json.dumps(k) + ":" + jcs(M[k]) for k in reversed(sorted(M))) + "}").encode()))
    bad("not-canonical-escape", "canonical but for one character written as a \\u escape", S + "5.5",
        embedded(Mc.replace(b'"eos-phone-a1"', b'"\\u0065os-phone-a1"')))
    bad("not-canonical-escaped-slash", "canonical but for a slash written \\/", S + "5.5",
        embedded(Mc.replace(b'"images/system.img"', b'"images\\/system.img"')))
    bad("previous-not-canonical", "the previous document pretty-printed", S + "5.5",
        embedded(pretty(P).encode(), "previous"))

    # ---- step 6 and 7: the previous release
    bad("previous-is-manifest", "previous is the manifest itself", S + "6", request(M, M))
    bad("previous-newer", "previous 1.6.0, manifest 1.5.0: the pipeline claims a rollback",
        S + "7", request(M, previous_manifest(**{"release.version": "1.6.0"})))
    bad("previous-same-version", "previous 1.5.0 (another build), manifest 1.5.0", S + "7",
        request(M, previous_manifest(**{"release.version": "1.5.0"})))
    Mb = base_manifest(**{"release.version": "1.5.0+build.2"})
    bad("previous-same-precedence", "previous 1.5.0+build.1, manifest 1.5.0+build.2: build metadata "
        "does not count in SemVer precedence", S + "7",
        request(Mb, previous_manifest(**{"release.version": "1.5.0+build.1"})))
    bad("previous-higher-rollback-index", "previous rollbackIndex 43, manifest 42", S + "7",
        request(M, previous_manifest(rollbackIndex=43)))



def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else here
    for sub in ("cases", "keys"):
        shutil.rmtree(os.path.join(outdir, sub), ignore_errors=True)
    os.makedirs(os.path.join(outdir, "keys"))

    alice = Key("alice", ec.generate_private_key(ec.SECP256R1()))
    bob = Key("bob", ec.generate_private_key(ec.SECP384R1()))
    carol = Key("carol", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    mallory = Key("mallory", ec.generate_private_key(ec.SECP256R1()))
    rel = Key("release-ca", ec.generate_private_key(ec.SECP384R1()))
    enc = {k.name: encodings(k) for k in (alice, bob, carol)}
    for k in (alice, bob, carol, mallory, rel):
        with open(os.path.join(outdir, "keys", k.name + ".pem"), "w") as f:
            f.write(k.pem)
    for name, forms in enc.items():
        for form, text in forms.items():
            with open(os.path.join(outdir, "keys", "%s-%s.pem" % (name, form)), "w") as f:
                f.write(text)

    C = Cases(outdir)
    M = base_manifest()
    P = previous_manifest()
    pol1 = policy([alice, bob, carol], [rel])

    def one(key, m=M, prev=None, **over):
        return bundle_text([entry(key, statement(key, m, prev, **over))])

    # ---- positive: every algorithm, every accepted key encoding
    for k in (alice, bob, carol):
        C.add("ok-%s" % k.alg, "one %s signature, threshold 1" % k.alg, "5a",
              M, one(k), pol1, 0)
    for form in ("compressed", "hybrid"):
        C.add("ok-policy-key-%s" % form,
              "the policy lists alice's P-256 key with a %s point: the same key" % form,
              "section 2 key identity", M, one(alice),
              policy([(alice, enc["alice"][form]), bob], [rel]), 0)
    C.add("ok-policy-key-rsa-pss-spki", "the policy lists carol's RSA key as an id-RSASSA-PSS SPKI",
          "section 2 key identity", M, one(carol), policy([alice, (carol, enc["carol"]["pss"])], [rel]), 0)
    C.add("ok-bundle-publickey-compressed",
          "the bundle's publicKey is alice's key with a compressed point: canonically the verifying key",
          "5a step 2", M,
          bundle_text([entry(alice, statement(alice, M), public_key=enc["alice"]["compressed"])]), pol1, 0)
    C.add("ok-bundle-publickey-hybrid",
          "the bundle's publicKey is bob's P-384 key with a hybrid point: canonically the verifying key",
          "5a step 2", M,
          bundle_text([entry(bob, statement(bob, M), public_key=enc["bob"]["hybrid"])]), pol1, 0)
    reformatted = (json.dumps(M, indent=None, separators=(", ", ": "), sort_keys=True)
                   .replace('"eos-phone-a1"', '"\\u0065os-phone-a1"').replace("images/", "images\\/"))
    C.add("ok-manifest-reformatted", "the manifest with other whitespace, member order and escapes: same digest",
          "section 1", reformatted + "\n", one(alice), pol1, 0)
    C.add("ok-threshold-2", "two distinct keys meet threshold 2", "5a threshold", M,
          bundle_text([entry(alice, statement(alice, M)), entry(bob, statement(bob, M))]),
          policy([alice, bob], [rel], threshold=2), 0, sigs=[None, None])
    C.add("ok-foreign-signature", "a signature by a key outside the policy is foreign, not a failure",
          "5a step 1 foreign", M,
          bundle_text([entry(mallory, statement(mallory, M)), entry(alice, statement(alice, M))]),
          pol1, 0, sigs=["foreign", None])
    C.add("ok-role-release", "--role release counts the release role's keys", "5a inputs", M,
          one(rel), pol1, 0, role="release")
    C.add("ok-previous", "a previous release: previousManifest binds it, version and rollback rise",
          "5a steps 4, version, rollback", M, one(alice, prev=P), pol1, 0, previous=P)
    C.add("ok-previous-is-itself", "re-verifying the previous release itself (same digest)",
          "5a version", M, one(alice, prev=M), pol1, 0, previous=M)
    C.add("ok-min-rollback-equal", "--min-rollback-index equal to rollbackIndex", "5a rollback",
          M, one(alice), pol1, 0, min_rollback=42)
    C.add("ok-expiry-minus-1s", "now one second before expires", "5a expiry", M, one(alice), pol1, 0,
          now="2027-02-14T23:59:59Z")
    C.add("ok-freshness-plus-300s", "created exactly 300 s after now", "5a freshness", M, one(alice),
          pol1, 0, now="2026-11-20T08:55:00Z")
    ch = {"stable": {"threshold": 1, "maxValidityDays": 87, "allowedPrevious": ["limited", "stable"]}}
    Mv = base_manifest(expires="2027-02-15T09:00:00Z")  # 87 days exactly
    C.add("ok-channel-rules", "channel rules met: validity exactly 87 days, previous channel allowed",
          "5a validity, channel-sequence", Mv, one(alice, m=Mv, prev=P),
          policy([alice, bob], [rel], channels=ch), 0, previous=P,
          checks={"validity": "pass", "channel-sequence": "pass"})
    C.add("ok-validity-fraction", "validity counts whole seconds: created .9 s later does not shorten it",
          "5a validity", base_manifest(created="2026-11-20T09:00:00.9Z", expires="2027-02-15T09:00:00Z"),
          one(alice, m=base_manifest(created="2026-11-20T09:00:00.9Z", expires="2027-02-15T09:00:00Z")),
          policy([alice], [rel], channels={"stable": {"maxValidityDays": 87}}), 0,
          checks={"validity": "pass"})
    ts = policy([(alice, alice.pem, {"tokenSerial": "0000000000000001"})], [rel])
    C.add("ok-token-serial", "tokenSerial equals approval.token.serial", "5a step 5", M, one(alice), ts, 0)
    piv = {"slot": "9c", "pinPolicy": "always", "touchPolicy": "always", "origin": "generated",
           "serial": 12345678, "firmware": "5.7.1"}
    C.add("ok-token-serial-piv", "tokenSerial equals approval.piv.serial in decimal", "5a step 5", M,
          one(alice, **{"approval.piv": piv}),
          policy([(alice, alice.pem, {"tokenSerial": "12345678"})], [rel]), 0)

    # ---- negative (exit 1): each rule of 5a
    C.add("fail-expiry-at-instant", "now equals expires: refused at the instant", "5a expiry", M,
          one(alice), pol1, 1, checks={"expiry": "fail"}, now="2027-02-15T00:00:00Z")
    C.add("fail-expiry-plus-1s", "now one second after expires", "5a expiry", M, one(alice), pol1, 1,
          checks={"expiry": "fail"}, now="2027-02-15T00:00:01Z")
    C.add("fail-freshness-plus-301s", "created 301 s after now", "5a freshness", M, one(alice), pol1, 1,
          checks={"freshness": "fail"}, now="2026-11-20T08:54:59Z")
    C.add("fail-threshold-one-of-two", "threshold 2, one key signed", "5a threshold", M, one(alice),
          policy([alice, bob], [rel], threshold=2), 1, checks={"threshold": "fail"})
    twice = [entry(alice, statement(alice, M)),
             entry(alice, statement(alice, M), public_key=enc["alice"]["compressed"])]
    C.add("fail-threshold-one-key-twice", "two signatures by one key (second under a compressed "
          "publicKey) count once", "5a distinct keys", M, bundle_text(twice),
          policy([alice, bob], [rel], threshold=2), 1, checks={"threshold": "fail"}, sigs=[None, None])
    C.add("fail-threshold-unreachable", "threshold 2 with one key in the role", "5a threshold", M,
          one(alice), policy([alice], [rel], threshold=2), 1, checks={"threshold": "fail"})
    C.add("fail-channel-threshold", "channel stable raises the threshold to 2", "5a effective threshold",
          M, one(alice), policy([alice, bob], [rel], channels={"stable": {"threshold": 2}}), 1,
          checks={"threshold": "fail"})
    bad = entry(alice, statement(alice, M))
    bad["sig"] = entry(alice, statement(alice, M, **{"approval.operator": "someone-else"}))["sig"]
    C.add("fail-bad-signature", "the signature is over another statement", "5a step 1", M,
          bundle_text([bad]), pol1, 1, checks={"signatures": "fail", "threshold": "fail"},
          sigs=["bad-signature"])
    st = statement(alice, M)
    C.add("fail-statement-not-canonical", "signed statement with whitespace (valid JSON, not RFC 8785)",
          "5a step 1 canonical", M,
          bundle_text([entry(alice, st, payload_bytes=json.dumps(st).encode())]), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    C.add("fail-statement-unknown-member", "signed statement with an unknown member", "5a step 1 schema",
          M, one(alice, **{"extra": 1}), pol1, 1, checks={"signatures": "fail", "threshold": "fail"},
          sigs=["bad-signature"])
    C.add("fail-statement-integer-spelling", "signed statement with pinRetriesLeft 3.0",
          "5a step 1 strict JSON / section 0 integers", M,
          bundle_text([entry(alice, st, payload_bytes=jcs(st).replace(
              '"pinRetriesLeft":3', '"pinRetriesLeft":3.0').encode())]), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    C.add("fail-statement-signer-keyid", "signer.keyId names another key", "5a step 1", M,
          one(alice, **{"signer.keyId": bob.keyid}), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    C.add("fail-statement-signer-algorithm", "signer.algorithm is not the key's", "5a step 1", M,
          one(alice, **{"signer.algorithm": "ecdsa-p384-sha384"}), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    C.add("fail-object-keyid", "the signature object's keyid names another role key", "5a step 2", M,
          bundle_text([entry(alice, statement(alice, M), keyid=bob.keyid)]), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    C.add("fail-object-publickey", "the signature object's publicKey is another key", "5a step 2", M,
          bundle_text([entry(alice, statement(alice, M), public_key=mallory.pem)]), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    C.add("fail-object-publickey-two-blocks", "the signature object's publicKey holds two PEM blocks",
          "5a step 2, section 2", M,
          bundle_text([entry(alice, statement(alice, M), public_key=alice.pem + bob.pem)]), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    C.add("fail-object-publickey-explicit", "the signature object's publicKey has explicit curve parameters",
          "5a step 2, section 2", M,
          bundle_text([entry(alice, statement(alice, M), public_key=enc["alice"]["explicit"])]), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    Mo = base_manifest(rollbackIndex=43)
    C.add("fail-binding-digest", "the statement binds another manifest", "5a step 3", M,
          one(alice, m=Mo, **{"release": {"id": "eos-vec-r2", "version": "1.5.0", "channel": "stable"}}),
          pol1, 1, checks={"signatures": "fail", "threshold": "fail"}, sigs=["binding"])
    C.add("fail-binding-channel", "the statement names another channel", "5a step 3", M,
          one(alice, **{"release.channel": "security"}), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["binding"])
    C.add("fail-binding-size", "the statement names another size", "5a step 3", M,
          one(alice, **{"manifest.size": len(jcs(M).encode()) + 1}), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["binding"])
    C.add("fail-previous-binding-absent", "--previous given, the statement has no previousManifest",
          "5a step 4", M, one(alice), pol1, 1, previous=P,
          checks={"signatures": "fail", "threshold": "fail", "previous-binding": "fail"},
          sigs=["previous-binding"])
    P2 = previous_manifest(rollbackIndex=40)
    C.add("fail-previous-binding-other", "the statement's previousManifest is another release",
          "5a step 4", M, one(alice, prev=P2), pol1, 1, previous=P,
          checks={"signatures": "fail", "threshold": "fail", "previous-binding": "fail"},
          sigs=["previous-binding"])
    Pv = previous_manifest(**{"release.version": "1.5.0"})
    C.add("fail-version-equal", "previous release has the same version, another digest", "5a version",
          M, one(alice, prev=Pv), pol1, 1, previous=Pv, checks={"version": "fail"})
    Pb = previous_manifest(**{"release.version": "1.5.0+build.7"})
    C.add("fail-version-build-metadata", "1.5.0 after 1.5.0+build.7: build metadata is ignored",
          "5a version", M, one(alice, prev=Pb), pol1, 1, previous=Pb, checks={"version": "fail"})
    Ph = previous_manifest(**{"release.version": "1.5.0-rc.1"})
    C.add("ok-version-prerelease", "1.5.0 after 1.5.0-rc.1", "5a version", M, one(alice, prev=Ph),
          pol1, 0, previous=Ph)
    Pl = previous_manifest(**{"release.version": "1.10.0"})
    C.add("fail-version-lower", "1.5.0 after 1.10.0: numeric, not string, precedence", "5a version",
          M, one(alice, prev=Pl), pol1, 1, previous=Pl, checks={"version": "fail"})
    C.add("fail-role-release-manifest-key", "--role release, signed by a manifest-role key: foreign there",
          "5a inputs, step 1 foreign", M, one(alice), pol1, 1, role="release",
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["foreign"])
    C.add("ok-channel-threshold-not-for-release-role", "channel stable asks for 2 manifest keys; the release "
          "role keeps its own threshold 1", "5a effective requirements", M, one(rel),
          policy([alice, bob], [rel], channels={"stable": {"threshold": 2}}), 0, role="release")
    Pr = previous_manifest(rollbackIndex=43)
    C.add("fail-rollback-previous", "previous rollbackIndex 43 > 42", "5a rollback", M,
          one(alice, prev=Pr), pol1, 1, previous=Pr, checks={"rollback": "fail"})
    C.add("fail-rollback-minimum", "--min-rollback-index 43 > 42", "5a rollback", M, one(alice), pol1,
          1, min_rollback=43, checks={"rollback": "fail"})
    Pval = previous_manifest(**{"release.channel": "validation", "rollout.percentage": 5})
    C.add("fail-channel-sequence", "stable after validation, only limited or stable allowed",
          "5a channel-sequence", M, one(alice, prev=Pval),
          policy([alice], [rel], channels={"stable": {"allowedPrevious": ["limited", "stable"]}}), 1,
          previous=Pval, checks={"channel-sequence": "fail"})
    Mlong = base_manifest(expires="2027-02-15T09:00:01Z")
    C.add("fail-validity-plus-1s", "validity 87 days and 1 s, at most 87 days", "5a validity", Mlong,
          one(alice, m=Mlong), policy([alice], [rel], channels={"stable": {"maxValidityDays": 87}}), 1,
          checks={"validity": "fail"})
    C.add("fail-token-serial", "tokenSerial differs from the statement's token serial", "5a step 5", M,
          one(alice), policy([(alice, alice.pem, {"tokenSerial": "99"})], [rel]), 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["token-serial"])
    C.add("fail-token-serial-piv-leading-zero", "tokenSerial 012345678 is not the decimal form of 12345678",
          "5a step 5", M, one(alice, **{"approval.piv": piv}),
          policy([(alice, alice.pem, {"tokenSerial": "012345678"})], [rel]), 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["token-serial"])
    root_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Vector Attestation Root")])
    root = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(root_key.public_key()).serial_number(1)
            .not_valid_before(datetime.datetime(2026, 1, 1)).not_valid_after(datetime.datetime(2036, 1, 1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(root_key, hashes.SHA256()))
    root_pem = root.public_bytes(serialization.Encoding.PEM).decode()
    C.add("fail-attestation-missing", "channel stable requires attestation, the statement has none",
          "5a step 6", M, one(alice),
          policy([alice], [rel], channels={"stable": {"requireAttestation": True}},
                 attestationRoots=[root_pem]), 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["attestation"])
    # PIV attestation (POLICY-FORMAT.md, "PIV attestation requirement"): a made-up Yubico-style
    # chain root -> device (f9) -> attestation, keys discarded like the signing keys.
    device_key = ec.generate_private_key(ec.SECP256R1())

    def cert(subject, issuer, public, signer, ca, extensions=()):
        b = (x509.CertificateBuilder()
             .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
             .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
             .public_key(public).serial_number(x509.random_serial_number())
             .not_valid_before(datetime.datetime(2026, 1, 1))
             .not_valid_after(datetime.datetime(2027, 1, 1)))
        if ca:
            b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        for oid, value, *crit in extensions:
            b = b.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), value),
                                critical=bool(crit and crit[0]))
        return b.sign(signer, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
    device_pem = cert("Yubico PIV Attestation", "Vector Attestation Root", device_key.public_key(),
                      root_key, True)
    FW, POL = "1.3.6.1.4.1.41482.3.3", "1.3.6.1.4.1.41482.3.8"

    def attestation(key=alice, cn="YubiKey PIV Attestation 9c", pin=3, touch=2, firmware=b"\x05\x07\x01",
                    issuer_key=None, issuer_pem=None, issuer_name="Yubico PIV Attestation", extra=()):
        ext = [(POL, bytes([pin, touch]))] + list(extra)
        if firmware is not None:
            ext.insert(0, (FW, firmware))
        leaf = cert(cn, issuer_name, key.public, issuer_key or device_key, False, ext)
        return leaf + (issuer_pem if issuer_pem is not None else device_pem)
    req = {"origin": "generated", "pinPolicy": ["always"], "touchPolicy": ["always", "cached"]}
    apol = policy([alice], [rel], attestationRoots=[root_pem])
    apol["roles"]["manifest"]["requireAttestation"] = req

    def attested(att):
        return one(alice, **{"approval.piv": dict(piv, attestation=att)})
    C.add("ok-attestation", "attested key, PIN policy always, touch policy always", "POLICY-FORMAT attestation",
          M, attested(attestation()), apol, 0)
    SERIAL, FORM = "1.3.6.1.4.1.41482.3.7", "1.3.6.1.4.1.41482.3.9"
    C.add("ok-attestation-serial-form-factor", "serial extension INTEGER 12345678 and a one-byte form factor",
          "POLICY-FORMAT attestation step 4", M,
          attested(attestation(extra=[(SERIAL, bytes.fromhex("0204") + (12345678).to_bytes(4, "big")),
                                      (FORM, b"\x01")])), apol, 0)
    C.add("ok-attestation-serial-max", "serial extension INTEGER 2^32-1 (DER: 02 05 00 ff ff ff ff)",
          "POLICY-FORMAT attestation step 4", M,
          attested(attestation(extra=[(SERIAL, bytes.fromhex("020500ffffffff"))])), apol, 0)
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter_pem = cert("Vector Intermediate", "Vector Attestation Root", inter_key.public_key(), root_key, True)
    device2_key = ec.generate_private_key(ec.SECP256R1())
    device2_pem = cert("Yubico PIV Attestation B", "Vector Intermediate", device2_key.public_key(),
                       inter_key, True)
    ipol = policy([alice], [rel], attestationRoots=[root_pem], attestationIntermediates=[inter_pem])
    ipol["roles"]["manifest"]["requireAttestation"] = req
    C.add("ok-attestation-intermediate", "f9 certificate issued by an intermediate of attestationIntermediates",
          "POLICY-FORMAT attestation step 2", M,
          attested(attestation(issuer_key=device2_key, issuer_pem=device2_pem,
                               issuer_name="Yubico PIV Attestation B")), ipol, 0)
    C.add("fail-attestation-intermediate-not-given", "the same chain without attestationIntermediates",
          "POLICY-FORMAT attestation step 2", M,
          attested(attestation(issuer_key=device2_key, issuer_pem=device2_pem,
                               issuer_name="Yubico PIV Attestation B")), apol, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["attestation"])
    del inter_key, device2_key
    C.add("ok-attestation-channel-default", "channel requireAttestation: the default requirement, touch cached",
          "POLICY-FORMAT channel rules", M, attested(attestation(touch=3)),
          policy([alice], [rel], channels={"stable": {"requireAttestation": True}},
                 attestationRoots=[root_pem]), 0)
    for name_, desc, att in [
        ("pin-policy-never", "PIN policy never (byte 1), only always allowed", attestation(pin=1)),
        ("touch-policy-never", "touch policy never (byte 1)", attestation(touch=1)),
        ("policy-byte-unknown", "PIN policy byte 7: unknown(0x07) matches nothing", attestation(pin=7)),
        ("other-key", "the attestation is for bob's key, the signer is alice", attestation(key=bob)),
        ("subject-cn", "subject CN 'YubiKey PIV Attestation' without the slot", attestation(cn="YubiKey PIV Attestation")),
        ("no-firmware", "no firmware extension 1.3.6.1.4.1.41482.3.3", attestation(firmware=None)),
        ("firmware-length", "a 2-byte firmware extension", attestation(firmware=b"\x05\x07")),
        ("one-certificate", "only the attestation certificate, no f9 certificate",
         attestation(issuer_pem="")),
        ("three-certificates", "a third certificate after the f9 one", attestation() + root_pem),
        ("device-is-root", "signed by the root itself, the root given as the device certificate",
         attestation(issuer_key=root_key, issuer_pem=root_pem, issuer_name="Vector Attestation Root")),
        ("serial-octet-string", "serial extension 3.7 holds an OCTET STRING, not a DER INTEGER",
         attestation(extra=[(SERIAL, bytes.fromhex("0404") + (12345678).to_bytes(4, "big"))])),
        ("serial-negative", "serial extension 3.7 is the INTEGER -1",
         attestation(extra=[(SERIAL, bytes.fromhex("0201ff"))])),
        ("serial-over-32-bits", "serial extension 3.7 is 2^32",
         attestation(extra=[(SERIAL, bytes.fromhex("02050100000000"))])),
        ("serial-trailing-bytes", "serial extension 3.7 is an INTEGER followed by a byte",
         attestation(extra=[(SERIAL, bytes.fromhex("02010500"))])),
        ("form-factor-two-bytes", "form factor extension 3.9 of two bytes",
         attestation(extra=[(FORM, b"\x01\x02")])),
        ("unknown-critical-extension", "a critical extension nobody knows on the attestation certificate",
         attestation(extra=[("1.3.6.1.4.1.99999.1", b"\x05\x00", True)])),
        ("other-pem-block", "a PUBLIC KEY block after the two certificates",
         attestation() + alice.pem),
        ("other-root", "the device certificate chains to another root",
         attestation(issuer_key=mallory.private, issuer_pem=cert(
             "Yubico PIV Attestation", "Other Root", mallory.public, mallory.private, True))),
    ]:
        C.add("fail-attestation-" + name_, desc, "POLICY-FORMAT attestation", M, attested(att), apol, 1,
              checks={"signatures": "fail", "threshold": "fail"}, sigs=["attestation"])
    C.add("fail-no-role-keys", "--role release with no keys in the role", "5a step 1 no-role-keys", M,
          one(alice), policy([alice], []), 1, role="release",
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["no-role-keys"])
    C.add("fail-only-foreign", "every signature is foreign: none counts", "5a signatures", M,
          one(mallory), pol1, 1, checks={"signatures": "fail", "threshold": "fail"}, sigs=["foreign"])

    # ---- input errors (exit 3): bundle
    good = entry(alice, statement(alice, M))

    def with_field(field, value):
        e = dict(good)
        e[field] = value
        return bundle_text([e])

    def bad_padding(text):
        # Flip the lowest bit of the last data character before the padding: same bytes decoded
        # by a lenient decoder, not canonical base64.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        stripped = text.rstrip("=")
        pad = len(text) - len(stripped)
        assert pad
        last = alphabet.index(stripped[-1]) | 1
        return stripped[:-1] + alphabet[last] + "=" * pad
    # The payload's length is ours to choose: make it need padding.
    for extra in range(3):
        st = statement(alice, M, **{"approval.host": "vectors.example" + "x" * extra})
        if len(jcs(st).encode()) % 3 == 1:
            break
    e = entry(alice, st)
    e["payload"] = bad_padding(e["payload"])
    C.add("input-base64-padding-bits", "payload base64 with non-zero padding bits", "section conventions",
          M, bundle_text([e]), pol1, 3)
    C.add("input-base64-line-break", "sig base64 with a line break", "section conventions", M,
          with_field("sig", good["sig"][:20] + "\n" + good["sig"][20:]), pol1, 3)
    C.add("input-base64-no-padding", "payload base64 without its padding", "section conventions", M,
          bundle_text([dict(e, payload=e["payload"].rstrip("="))]), pol1, 3)
    C.add("input-sig-empty", "an empty sig (minLength 4 under allOf with the base64 pattern)",
          "schema minLength", M, with_field("sig", ""), pol1, 3)
    C.add("input-bundle-payload-type", "payloadType other than the statement type", "section 5", M,
          with_field("payloadType", "application/vnd.in-toto+json"), pol1, 3)
    C.add("input-bundle-media-type", "mediaType of version 2", "section 5", M,
          bundle_text([good]).replace(";version=1\",\"signatures", ";version=2\",\"signatures"), pol1, 3)
    C.add("input-bundle-unknown-member", "an unknown member in a signature object", "section 5", M,
          with_field("note", "x"), pol1, 3)
    C.add("input-bundle-keyid-uppercase", "keyid in uppercase hex", "section 5", M,
          with_field("keyid", good["keyid"].upper()), pol1, 3)
    C.add("input-bundle-empty", "no signature", "section 8", M,
          "{\"mediaType\":" + jcs(BUNDLE_TYPE) + ",\"signatures\":[]}\n", pol1, 3)
    C.add("input-bundle-257-signatures", "257 signatures, over the bound of 256 (counted before the schema)",
          "section 5 bounds", M,
          "{\"mediaType\":" + jcs(BUNDLE_TYPE) + ",\"signatures\":[" + ",".join(["{}"] * 257) + "]}\n",
          pol1, 3)
    C.add("input-bundle-duplicate-escaped-key", "\"sig\" and \"\\u0073ig\" in one object",
          "section 0 rule 7", M,
          bundle_text([good]).replace(",\"sig\":", ",\"\\u0073ig\":\"AAAA\",\"sig\":"), pol1, 3)

    # ---- input errors (exit 3): manifest (section 0 and MANIFEST-FORMAT.md)
    mtext = pretty(M)
    sig_m = one(alice)
    for name_, desc, text in [
        ("input-manifest-integer-fraction", "rollbackIndex 42.0", mtext.replace('"rollbackIndex": 42', '"rollbackIndex": 42.0')),
        ("input-manifest-integer-exponent", "rollbackIndex 4.2e1", mtext.replace('"rollbackIndex": 42', '"rollbackIndex": 4.2e1')),
        ("input-manifest-3.1e19", "rollbackIndex 3.1e19: an integer outside I-JSON", mtext.replace('"rollbackIndex": 42', '"rollbackIndex": 3.1e19')),
        ("input-manifest-2pow53", "rollbackIndex 9007199254740992", mtext.replace('"rollbackIndex": 42', '"rollbackIndex": 9007199254740992')),
        ("input-manifest-negative", "rollbackIndex -1", mtext.replace('"rollbackIndex": 42', '"rollbackIndex": -1')),
        ("input-manifest-bom", "a byte-order mark", "\ufeff" + mtext),
        ("input-manifest-duplicate-escaped-key", "\"created\" twice, once escaped",
         mtext.replace('"created":', '"cr\\u0065ated": "2026-11-20T09:00:00Z",\n  "created":')),
        ("input-manifest-noncharacter", "a noncharacter U+FDD0 (escaped) in a string",
         mtext.replace('"eos-phone-a1"', '"eos-phone-a1\\ufdd0"')),
        ("input-manifest-lone-surrogate", "a lone surrogate escape",
         mtext.replace('"eos-phone-a1"', '"eos-phone-a1\\ud800"')),
        ("input-manifest-depth-65", "arrays nested 65 deep",
         mtext.replace('"schemaVersion": 1,', '"schemaVersion": 1, "x": ' + "[" * 64 + "]" * 64 + ",")),
        ("input-manifest-1e400", "rollbackIndex 1e400 overflows a double", mtext.replace('"rollbackIndex": 42', '"rollbackIndex": 1e400')),
        ("input-manifest-leading-zero", "rollbackIndex 042", mtext.replace('"rollbackIndex": 42', '"rollbackIndex": 042')),
        ("input-manifest-raw-control", "a raw TAB inside a string", mtext.replace('"eos-phone-a1"', '"eos-phone\ta1"')),
        ("input-manifest-overlong-utf8", "an overlong UTF-8 sequence (C0 AF) in a string",
         mtext.encode().replace(b'"eos-phone-a1"', b'"eos-phone-a1\xc0\xaf"')),
        ("input-manifest-raw-noncharacter", "a raw U+FFFF (EF BF BF) in a string",
         mtext.replace('"eos-phone-a1"', '"eos-phone-a1\uffff"')),
        ("input-manifest-noncharacter-key", "an escaped U+FDEF in a member name",
         mtext.replace('"schemaVersion": 1,', '"schemaVersion": 1, "x\\ufdef": 1,')),
        ("input-manifest-trailing-comma", "a trailing comma", mtext.replace('"size": 4096,', '"size": 4096,,')),
        ("input-manifest-expires-before-created", "expires before created (semantic rule)",
         pretty(base_manifest(expires="2026-11-19T09:00:00Z"))),
        ("input-manifest-protected-channel", "stable without attestationRequired (semantic rule)",
         pretty(base_manifest(**{"eligibility.attestationRequired": False}))),
        ("input-manifest-timestamp-offset", "created with an offset",
         pretty(base_manifest(created="2026-11-20T10:00:00+01:00"))),
        ("input-manifest-leap-second", "a leap second", pretty(base_manifest(created="2026-12-31T23:59:60Z"))),
    ]:
        C.add(name_, desc, "section 0 / MANIFEST-FORMAT.md rejected inputs", text, sig_m, pol1, 3)
    C.add("input-previous-invalid", "--previous names an invalid manifest", "5a input errors", M,
          one(alice, prev=P), pol1, 3, previous=pretty(P).replace('"rollbackIndex": 41', '"rollbackIndex": 41.0'))

    # ---- input errors (exit 3): policy (POLICY-FORMAT.md)
    def pol_with(**kw):
        return policy([alice, bob], [rel], **kw)
    for name_, desc, p in [
        ("input-policy-explicit-curve", "a P-256 key with explicit curve parameters",
         policy([(alice, enc["alice"]["explicit"])], [rel])),
        ("input-policy-two-pem-blocks", "a publicKey with two PEM blocks", policy([(alice, alice.pem + bob.pem)], [rel])),
        ("input-policy-text-around-pem", "text before the PEM block", policy([(alice, "key:\n" + alice.pem)], [rel])),
        ("input-policy-text-after-pem", "text after the PEM block", policy([(alice, alice.pem + "# alice\n")], [rel])),
        ("input-policy-pem-header", "a PEM header line inside the block",
         policy([(alice, alice.pem.replace("-----\n", "-----\nComment: alice\n\n", 1))], [rel])),
        ("input-policy-certificate", "a certificate instead of a public key", policy([(alice, root_pem)], [rel])),
        ("input-policy-key-twice-compressed", "alice listed twice, once compressed",
         policy([alice, (alice, enc["alice"]["compressed"])], [rel])),
        ("input-policy-key-twice-hybrid", "bob (P-384) listed twice, once hybrid",
         policy([bob, (bob, enc["bob"]["hybrid"])], [rel])),
        ("input-policy-key-in-both-roles", "carol in the manifest role, her PSS SPKI in the release role",
         policy([alice, carol], [(carol, enc["carol"]["pss"])])),
        ("input-policy-channel-threshold-below", "channel threshold 1 below role threshold 2",
         policy([alice, bob], [rel], threshold=2, channels={"stable": {"threshold": 1}})),
        ("input-policy-v1-channels", "policyVersion 1 with channels", policy([alice], [rel], version=1, channels={})),
        ("input-policy-attestation-no-roots", "requireAttestation without attestationRoots",
         policy([alice], [rel], channels={"stable": {"requireAttestation": True}})),
        ("input-policy-unknown-member", "an unknown member in a role", pol_with(**{"roles": {
            "manifest": {"threshold": 1, "keys": [{"name": "alice", "publicKey": alice.pem}], "treshold": 1},
            "release": {"threshold": 1, "keys": []}}})),
    ]:
        C.add(name_, desc, "POLICY-FORMAT.md rejected inputs", M, one(alice), p, 3)
    C.add("input-policy-threshold-fraction", "threshold 1.0", "section 0 integers", M, one(alice),
          pretty(pol1).replace('"threshold": 1,', '"threshold": 1.0,', 1), 3)

    # ---- statement version 2, strings jq -jcS does not write canonically, more key encodings
    logpos = {"index": 0, "previousEntrySha256": "0" * 64, "manifestPath": "release-2.json",
              "bundlePath": "release-2.json.sig"}
    C.add("ok-statement-v2", "a version-2 statement (with its evidence log position), as sign writes",
          "section 3", M, one(alice, statementVersion=2, log=logpos), pol1, 0)
    C.add("fail-statement-v2-without-log", "statementVersion 2 without log", "section 3 / 5a step 1 schema",
          M, one(alice, statementVersion=2), pol1, 1, checks={"signatures": "fail", "threshold": "fail"},
          sigs=["bad-signature"])
    C.add("fail-statement-v1-with-log", "statementVersion 1 with a log member", "section 3 / 5a step 1 schema",
          M, one(alice, log=logpos), pol1, 1, checks={"signatures": "fail", "threshold": "fail"},
          sigs=["bad-signature"])
    odd = {"approval.operator": "Zoë\u007fO’Brien", "approval.host": "host\u007f\u2028\U0001f600",
           "approval.token.label": "tab\there\u001f", "approval.keyLabel": "quote\"back\\slash/\u0000",
           "approval.token.model": "literal \\u007f and \\\u007f"}
    C.add("ok-statement-odd-strings", "operator, host and labels with U+007F, U+2028, an emoji, "
          "escaped controls, quote and backslash: RFC 8785 writes U+007F raw, jq escapes it",
          "section 3 / section 7 recipe", M, one(alice, **odd), pol1, 0)
    C.add("ok-bundle-publickey-rsa-pss", "the bundle's publicKey is carol's key as an id-RSASSA-PSS SPKI",
          "5a step 2, section 2", M,
          bundle_text([entry(carol, statement(carol, M), public_key=enc["carol"]["pss"])]), pol1, 0)
    C.add("ok-policy-key-p384-compressed", "the policy lists bob's P-384 key with a compressed point",
          "section 2 key identity", M, one(bob), policy([alice, (bob, enc["bob"]["compressed"])], [rel]), 0)
    C.add("ok-policy-key-rsa-pss-params", "the policy lists carol's key as an id-RSASSA-PSS SPKI with "
          "parameters (SHA-256, MGF1-SHA-256, salt 32): parameters ignored, same key",
          "section 2 key identity", M, one(carol), policy([alice, (carol, enc["carol"]["pss-params"])], [rel]), 0)
    C.add("ok-bundle-publickey-rsa-pss-params", "the bundle's publicKey is carol's PSS SPKI with parameters",
          "5a step 2, section 2", M,
          bundle_text([entry(carol, statement(carol, M), public_key=enc["carol"]["pss-params"])]), pol1, 0)
    C.add("input-policy-hybrid-wrong-parity", "alice's key as a hybrid point whose prefix (06/07) "
          "contradicts the parity of Y", "section 2 reading a public key", M, one(alice),
          policy([(alice, enc["alice"]["hybrid-wrong-parity"])], [rel]), 3)
    Mf = base_manifest(expires="2027-02-15T00:00:00.5Z")
    C.add("ok-expiry-fraction", "expires 00:00:00.5, now 00:00:00: valid for half a second more",
          "5a expiry", Mf, one(alice, m=Mf), pol1, 0, now="2027-02-15T00:00:00Z")
    C.add("fail-expiry-fraction", "expires 00:00:00.5, now 00:00:01", "5a expiry", Mf, one(alice, m=Mf),
          pol1, 1, checks={"expiry": "fail"}, now="2027-02-15T00:00:01Z")
    C.add("ok-expiry-now-fraction", "now 23:59:59.999999999, expires 00:00:00 the next day",
          "5a expiry", M, one(alice), pol1, 0, now="2027-02-14T23:59:59.999999999Z")
    Mc = base_manifest(created="2026-11-20T09:00:00.5Z")
    C.add("fail-freshness-fraction", "created 300.5 s after now", "5a freshness", Mc, one(alice, m=Mc),
          pol1, 1, checks={"freshness": "fail"}, now="2026-11-20T08:55:00Z")
    C.add("fail-base64-one-byte-sig", "sig AA== decodes to one byte: canonical base64, not a signature",
          "section conventions / 5a step 1", M, with_field("sig", "AA=="), pol1, 1,
          checks={"signatures": "fail", "threshold": "fail"}, sigs=["bad-signature"])
    C.add("input-base64-url-alphabet", "payload in the base64url alphabet (- and _)", "section conventions",
          M, with_field("payload", good["payload"].replace("+", "-").replace("/", "_")
                        if ("+" in good["payload"] or "/" in good["payload"])
                        else "-_" + good["payload"][2:]), pol1, 3)
    C.add("input-base64-space", "sig base64 with a space", "section conventions", M,
          with_field("sig", good["sig"][:8] + " " + good["sig"][8:]), pol1, 3)
    C.add("input-base64-padding-only", "payload '===='", "section conventions", M,
          with_field("payload", "===="), pol1, 3)

    # ---- evidence log (SIGNATURE-FORMAT.md section 6, "Verification algorithm")
    evidence_cases(C, alice, bob, carol, mallory, rel)

    # ---- signing requests (REQUEST-FORMAT.md section 2, "Verification algorithm")
    request_cases(C)

    del root_key, device_key  # private halves are never written
    with open(os.path.join(outdir, "cases", "index.json"), "w") as f:
        f.write(pretty(sorted(C.names)))
    print("wrote %d cases to %s" % (len(C.names), os.path.join(outdir, "cases")))


if __name__ == "__main__":
    main()
