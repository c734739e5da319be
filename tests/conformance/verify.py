#!/usr/bin/env python3
"""A second verifier for otasign releases, written from schemas/*.md and schemas/*.schema.json
alone (not from otasign's C++): the project's proof that the documents are enough.

    verify.py verify MANIFEST --policy P --signature S --now T [--previous PREV]
              [--role manifest|release] [--min-rollback-index N] --json
    verify.py evidence verify LOG [--policy P] [--bundle B]... --json
    verify.py request show REQUEST --json

Prints `{"verified", "checks": [{name, status, detail}], "signatures": [{index, problem, keyid}]}`
(`evidence verify`: `{"verified", "entries", "failed": {check, detail} | null}`; `request show`:
the decoded request, REQUEST-FORMAT.md section 1) and exits 0 (verified), 1 (not verified), 3
(an input is malformed) or 2 (usage, or something
this minimal verifier does not implement: artifacts). PIV attestation chains are checked
with a simplified path validation (issuer name, CA flag, signature; no validity dates, as
POLICY-FORMAT.md says).

Python standard library plus `cryptography` (Debian python3-cryptography).
"""

import base64
import binascii
import hashlib
import json
import os
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas")
STATEMENT_TYPE = "application/vnd.enigm.otasign.statement+json;version=1"
CHECKS = ["signatures", "threshold", "previous-binding", "version", "rollback",
          "channel-sequence", "freshness", "expiry", "validity", "artifacts"]
MAX_SAFE = 2**53 - 1


class InputError(Exception):
    """Malformed input: exit 3."""


class Unsupported(Exception):
    """Something this minimal verifier does not implement: exit 2."""


# ------------------------------------------------------------------ SIGNATURE-FORMAT.md section 0
class Float:
    """A number written with a fraction or exponent: never an integer (section 0, "Integers")."""

    def __init__(self, value):
        self.value = value


def noncharacter(cp):
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


class StrictParser:
    WS = " \t\r\n"

    def __init__(self, data, max_bytes):
        if len(data) > max_bytes:
            raise InputError("over %d bytes" % max_bytes)
        if data.startswith(b"\xef\xbb\xbf"):
            raise InputError("byte-order mark")
        if b"\x00" in data:
            raise InputError("NUL byte")
        try:
            self.s = data.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            raise InputError("invalid UTF-8: %s" % e)
        self.i = 0

    def parse(self):
        self.ws()
        v = self.value(0)
        self.ws()
        if self.i != len(self.s):
            raise InputError("trailing content at %d" % self.i)
        return v

    WS_RUN = re.compile(r"[ \t\r\n]*")

    def ws(self):
        self.i = self.WS_RUN.match(self.s, self.i).end()

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def expect(self, c):
        if self.peek() != c:
            raise InputError("expected %r at %d" % (c, self.i))
        self.i += 1

    def value(self, depth):
        c = self.peek()
        if c == "{" or c == "[":
            if depth + 1 > 64:
                raise InputError("nested deeper than 64")
            return self.obj(depth + 1) if c == "{" else self.arr(depth + 1)
        if c == '"':
            return self.string()
        for lit, v in (("true", True), ("false", False), ("null", None)):
            if self.s.startswith(lit, self.i):
                self.i += len(lit)
                return v
        return self.number()

    def obj(self, depth):
        self.i += 1
        out = {}
        self.ws()
        if self.peek() == "}":
            self.i += 1
            return out
        while True:
            self.ws()
            k = self.string()
            if k in out:
                raise InputError("duplicate member %r" % k)
            self.ws()
            self.expect(":")
            self.ws()
            out[k] = self.value(depth)
            self.ws()
            if self.peek() == ",":
                self.i += 1
                continue
            self.expect("}")
            return out

    def arr(self, depth):
        self.i += 1
        out = []
        self.ws()
        if self.peek() == "]":
            self.i += 1
            return out
        while True:
            self.ws()
            out.append(self.value(depth))
            self.ws()
            if self.peek() == ",":
                self.i += 1
                continue
            self.expect("]")
            return out

    def string(self):
        self.expect('"')
        out = []
        while True:
            if self.i >= len(self.s):
                raise InputError("unterminated string")
            c = self.s[self.i]
            self.i += 1
            if c == '"':
                break
            if ord(c) < 0x20:
                raise InputError("raw control character in a string")
            if c != "\\":
                out.append(c)
                continue
            e = self.s[self.i:self.i + 1]
            self.i += 1
            simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                      "t": "\t"}
            if e in simple:
                out.append(simple[e])
            elif e == "u":
                cp = self.hex4()
                if 0xD800 <= cp <= 0xDBFF:
                    if self.s[self.i:self.i + 2] != "\\u":
                        raise InputError("lone surrogate")
                    self.i += 2
                    lo = self.hex4()
                    if not 0xDC00 <= lo <= 0xDFFF:
                        raise InputError("lone surrogate")
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                elif 0xDC00 <= cp <= 0xDFFF:
                    raise InputError("lone surrogate")
                out.append(chr(cp))
            else:
                raise InputError("bad escape")
        s = "".join(out)
        if any(noncharacter(ord(ch)) for ch in s):
            raise InputError("noncharacter")
        return s

    def hex4(self):
        h = self.s[self.i:self.i + 4]
        if len(h) != 4 or not re.fullmatch(r"[0-9A-Fa-f]{4}", h):
            raise InputError("bad \\u escape")
        self.i += 4
        return int(h, 16)

    NUM = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")

    def number(self):
        m = self.NUM.match(self.s, self.i)
        if not m or m.end() == self.i:
            raise InputError("unexpected character at %d" % self.i)
        self.i = m.end()
        text = m.group(0)
        if m.group(2) is None and m.group(3) is None:
            v = int(text)
            if abs(v) > MAX_SAFE:
                raise InputError("integer outside I-JSON range")
            return v
        f = float(text)
        if f in (float("inf"), float("-inf")):
            raise InputError("number overflows a double")
        if f == int(f) and abs(f) > MAX_SAFE:
            raise InputError("integer outside I-JSON range: " + text)
        return Float(f)


def parse_strict(data, max_bytes=64 * 1024 * 1024):
    return StrictParser(data, max_bytes).parse()


def jcs(v):
    """RFC 8785 for documents whose numbers are all integers (every otasign format)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(v[k])
                              for k in sorted(v, key=lambda k: k.encode("utf-16-be"))) + "}"
    raise InputError("a non-integer number")


def canonical_b64(text):
    """Section conventions: RFC 4648 with padding, and the unused bits zero."""
    if not re.fullmatch(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?", text):
        raise InputError("not base64")
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode() != text:
        raise InputError("base64 with non-zero padding bits")
    return raw


# ------------------------------------------------------------------ JSON Schema draft-07 subset
def json_equal(a, b):
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, Float) or isinstance(b, Float):
        av = a.value if isinstance(a, Float) else a
        bv = b.value if isinstance(b, Float) else b
        return isinstance(av, (int, float)) and isinstance(bv, (int, float)) and av == bv
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return a == b


def ecma(pattern):
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def is_type(v, t):
    if t == "object":
        return isinstance(v, dict)
    if t == "array":
        return isinstance(v, list)
    if t == "string":
        return isinstance(v, str)
    if t == "boolean":
        return isinstance(v, bool)
    if t == "null":
        return v is None
    if t == "integer":  # section 0: only an integer literal is an integer
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, Float)) and not isinstance(v, bool)
    raise Unsupported("schema type " + t)


def num(v):
    return v.value if isinstance(v, Float) else v


def validate(root, schema, v, path="", errors=None):
    errors = [] if errors is None else errors
    if schema is True or schema == {}:
        return errors
    if "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        validate(root, node, v, path, errors)
    for sub in schema.get("allOf", []):
        validate(root, sub, v, path, errors)
    if "anyOf" in schema and all(validate(root, sub, v, path, []) for sub in schema["anyOf"]):
        errors.append(path + ": anyOf")
    if "oneOf" in schema and sum(not validate(root, sub, v, path, []) for sub in schema["oneOf"]) != 1:
        errors.append(path + ": oneOf")
    if "not" in schema and not validate(root, schema["not"], v, path, []):
        errors.append(path + ": not")
    if "if" in schema:
        branch = "then" if not validate(root, schema["if"], v, path, []) else "else"
        if branch in schema:
            validate(root, schema[branch], v, path, errors)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(is_type(v, t) for t in types):
            errors.append(path + ": type")
            return errors
    if "const" in schema and not json_equal(v, schema["const"]):
        errors.append(path + ": const")
    if "enum" in schema and not any(json_equal(v, e) for e in schema["enum"]):
        errors.append(path + ": enum")
    if isinstance(v, str):
        n = len(v)
        if "minLength" in schema and n < schema["minLength"]:
            errors.append(path + ": minLength")
        if "maxLength" in schema and n > schema["maxLength"]:
            errors.append(path + ": maxLength")
        if "pattern" in schema and not ecma(schema["pattern"]).search(v):
            errors.append(path + ": pattern")
    if isinstance(v, (int, Float)) and not isinstance(v, bool):
        if "minimum" in schema and num(v) < schema["minimum"]:
            errors.append(path + ": minimum")
        if "maximum" in schema and num(v) > schema["maximum"]:
            errors.append(path + ": maximum")
    if isinstance(v, list):
        if "minItems" in schema and len(v) < schema["minItems"]:
            errors.append(path + ": minItems")
        if "maxItems" in schema and len(v) > schema["maxItems"]:
            errors.append(path + ": maxItems")
        if schema.get("uniqueItems"):
            for i in range(len(v)):
                if any(json_equal(v[i], v[j]) for j in range(i)):
                    errors.append(path + ": uniqueItems")
        if "items" in schema:
            for i, x in enumerate(v):
                validate(root, schema["items"], x, "%s/%d" % (path, i), errors)
    if isinstance(v, dict):
        for r in schema.get("required", []):
            if r not in v:
                errors.append(path + ": required " + r)
        props = schema.get("properties", {})
        pats = schema.get("patternProperties", {})
        for k, x in v.items():
            matched = False
            if k in props:
                matched = True
                validate(root, props[k], x, path + "/" + k, errors)
            for p, sub in pats.items():
                if ecma(p).search(k):
                    matched = True
                    validate(root, sub, x, path + "/" + k, errors)
            if not matched and "additionalProperties" in schema:
                ap = schema["additionalProperties"]
                if ap is False:
                    errors.append(path + "/" + k + ": additionalProperties")
                elif isinstance(ap, dict):
                    validate(root, ap, x, path + "/" + k, errors)
    return errors


def schema(name):
    with open(os.path.join(SCHEMAS, name), "rb") as f:
        return json.loads(f.read())


def check_schema(name, v, definition=None):
    root = schema(name)
    errs = validate(root, root["definitions"][definition] if definition else root, v)
    return errs


# ------------------------------------------------------------------ MANIFEST-FORMAT.md
TS = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?Z")
DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def timestamp(text):
    """(seconds since the epoch, nanoseconds); InputError for an impossible instant."""
    m = TS.fullmatch(text)
    if not m:
        raise InputError("timestamp " + text)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = m.group(7) or ""
    if not (1 <= mo <= 12 and 1 <= d <= DAYS[mo - 1] + (mo == 2 and leap(y)) and h <= 23 and mi <= 59
            and s <= 59):
        raise InputError("impossible instant " + text)
    days = sum(366 if leap(yy) else 365 for yy in range(1970, y)) if y >= 1970 else \
        -sum(366 if leap(yy) else 365 for yy in range(y, 1970))
    days += sum(DAYS[:mo - 1]) + (1 if mo > 2 and leap(y) else 0) + d - 1
    return (days * 86400 + h * 3600 + mi * 60 + s, int((frac + "000000000")[:9]))


CAPS = {"draft": 0, "validation": 5, "limited": 25, "stable": 100, "security": 100}


def manifest_rules(m):
    problems = []
    created, expires = timestamp(m["created"]), timestamp(m["expires"])
    if not expires > created:
        problems.append("expires-after-created")
    ro = m["rollout"]
    ch = m["release"]["channel"]
    if ro["percentage"] > CAPS[ch] or (ch == "draft" and "waves" in ro):
        problems.append("rollout-channel")
    starts = []
    if "start" in ro:
        starts.append(timestamp(ro["start"]))
    for w in ro.get("waves", []):
        starts.append(timestamp(w["start"]))
        if w["percentage"] > CAPS[ch]:
            problems.append("rollout-channel")
    if any(t < created or not t < expires for t in starts):
        problems.append("rollout-window")
    waves = ro.get("waves", [])
    begin = timestamp(ro["start"]) if "start" in ro else None
    for i, w in enumerate(waves):
        t = timestamp(w["start"])
        if i and (not t > timestamp(waves[i - 1]["start"]) or w["percentage"] < waves[i - 1]["percentage"]):
            problems.append("waves-ordered")
        if i == 0 and begin is not None and t < begin:
            problems.append("waves-ordered")
    if waves and ro["percentage"] != waves[-1]["percentage"]:
        problems.append("waves-final-percentage")
    names = [w["name"] for w in waves]
    if len(set(names)) != len(names):
        problems.append("wave-name-unique")
    if ch in ("stable", "security"):
        if not m["eligibility"]["attestationRequired"]:
            problems.append("protected-channel-attestation")
        if not m["eligibility"]["enrollmentRequired"]:
            problems.append("protected-channel-enrollment")
    paths = [a["path"].lower() for a in m["artifacts"]]
    if len(set(paths)) != len(paths):
        problems.append("artifact-path-unique")
    return problems


def size_bounds(v):
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, str) and len(x.encode()) > 4096:
            return False
        if isinstance(x, list):
            if len(x) > 1024:
                return False
            stack.extend(x)
        if isinstance(x, dict):
            stack.extend(x.values())
            if any(len(k.encode()) > 4096 for k in x):
                return False
    return True


def load_manifest(path):
    """MANIFEST-FORMAT.md "Verification algorithm": (value, canonical bytes)."""
    with open(path, "rb") as f:
        return load_manifest_bytes(f.read())


def load_manifest_bytes(data):
    v = parse_strict(data)
    if not size_bounds(v):
        raise InputError("manifest string or array over its bound")
    errs = check_schema("manifest.schema.json", v)
    if errs:
        raise InputError("manifest schema: " + "; ".join(errs[:5]))
    problems = manifest_rules(v)
    if problems:
        raise InputError("manifest rules: " + ", ".join(problems))
    return v, jcs(v).encode()


def semver_key(v):
    core, _, pre = v.split("+")[0].partition("-")
    nums = tuple(int(x) for x in core.split("."))
    if not pre:
        return nums, (1,)
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return nums, (0, ids)


# ------------------------------------------------------------------ SIGNATURE-FORMAT.md section 2
def der_read(data, i):
    """(tag, content, next index) of one DER TLV."""
    if i + 2 > len(data):
        raise InputError("truncated DER")
    tag, n = data[i], data[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or i + k > len(data):
            raise InputError("bad DER length")
        n = int.from_bytes(data[i:i + k], "big")
        i += k
    if i + n > len(data):
        raise InputError("truncated DER")
    return tag, data[i:i + n], i + n


OID_EC = bytes.fromhex("2a8648ce3d0201")
OID_RSA = bytes.fromhex("2a864886f70d010101")
OID_PSS = bytes.fromhex("2a864886f70d01010a")
CURVES = {bytes.fromhex("2a8648ce3d030107"): (ec.SECP256R1(), 32, "ecdsa-p256-sha256"),
          bytes.fromhex("2b81040022"): (ec.SECP384R1(), 48, "ecdsa-p384-sha384")}
PEM = re.compile(r"[ \t\r\n]*-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END PUBLIC KEY-----[ \t\r\n]*")


class PublicKey:
    def __init__(self, key, alg):
        self.key = key
        self.alg = alg
        self.der = key.public_bytes(serialization.Encoding.DER,
                                    serialization.PublicFormat.SubjectPublicKeyInfo)
        self.keyid = hashlib.sha256(self.der).hexdigest()

    def verify(self, sig, data):
        try:
            if self.alg == "rsa-pss-sha256":
                self.key.verify(sig, data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                                hashes.SHA256())
            else:
                h = hashes.SHA384() if self.alg == "ecdsa-p384-sha384" else hashes.SHA256()
                self.key.verify(sig, data, ec.ECDSA(h))
            return True
        except (InvalidSignature, ValueError):
            return False


def read_public_key(text):
    """Section 2, "Reading a public key": the canonical key, or InputError."""
    m = PEM.fullmatch(text)
    if not m or text.count("-----BEGIN") != 1:
        raise InputError("not exactly one PUBLIC KEY PEM block")
    try:
        der = base64.b64decode("".join(m.group(1).split()), validate=True)
    except binascii.Error:
        raise InputError("bad PEM base64")
    tag, spki, end = der_read(der, 0)
    if tag != 0x30 or end != len(der):
        raise InputError("not one SubjectPublicKeyInfo")
    tag, alg, i = der_read(spki, 0)
    btag, bits, j = der_read(spki, i)
    if tag != 0x30 or btag != 0x03 or j != len(spki) or not bits or bits[0] != 0:
        raise InputError("bad SubjectPublicKeyInfo")
    otag, oid, k = der_read(alg, 0)
    params = alg[k:]
    if otag != 0x06:
        raise InputError("bad algorithm")
    body = bits[1:]
    if oid == OID_EC:
        ptag, curve_oid, n = der_read(params, 0) if params else (None, b"", 0)
        if ptag != 0x06 or n != len(params):
            raise InputError("explicit curve parameters")
        if curve_oid not in CURVES:
            raise InputError("unsupported curve")
        curve, size, name = CURVES[curve_oid]
        if body[:1] in (b"\x06", b"\x07") and len(body) == 1 + 2 * size:
            y = int.from_bytes(body[1 + size:], "big")
            if (y & 1) != (body[0] & 1):
                raise InputError("hybrid point with the wrong parity")
            body = b"\x04" + body[1:]
        try:
            return PublicKey(ec.EllipticCurvePublicKey.from_encoded_point(curve, body), name)
        except ValueError:
            raise InputError("point not on the curve")
    if oid in (OID_RSA, OID_PSS):
        if oid == OID_RSA and params != b"\x05\x00":
            raise InputError("rsaEncryption without NULL parameters")
        tag, rsapub, n = der_read(body, 0)
        if tag != 0x30 or n != len(body):
            raise InputError("bad RSAPublicKey")
        key = load_rsa(body)
        if key.key_size < 2048:
            raise InputError("RSA key under 2048 bits")
        return PublicKey(key, "rsa-pss-sha256")
    raise InputError("unsupported key type")


RSA_ALG = bytes.fromhex("300d06092a864886f70d0101010500")


def encode_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def load_rsa(rsapub):
    bitstring = b"\x03" + encode_len(len(rsapub) + 1) + b"\x00" + rsapub
    spki = b"\x30" + encode_len(len(RSA_ALG) + len(bitstring)) + RSA_ALG + bitstring
    try:
        key = serialization.load_der_public_key(spki)
    except ValueError:
        raise InputError("bad RSA key")
    if not isinstance(key, rsa.RSAPublicKey):
        raise InputError("bad RSA key")
    return key


# ------------------------------------------------------------------ POLICY-FORMAT.md
def load_policy(path):
    with open(path, "rb") as f:
        p = parse_strict(f.read())
    errs = check_schema("policy.schema.json", p)
    if errs:
        raise InputError("policy schema: " + "; ".join(errs[:5]))
    roles = {}
    seen = {}
    for rname in ("manifest", "release"):
        role = p["roles"][rname]
        keys = []
        for item in role["keys"]:
            k = read_public_key(item["publicKey"])
            if k.keyid in {x[0].keyid for x in keys}:
                raise InputError("key listed twice in role " + rname)
            if k.keyid in seen and seen[k.keyid] != rname:
                raise InputError("key in both roles")
            seen[k.keyid] = rname
            keys.append((k, item))
        roles[rname] = {"threshold": role["threshold"], "keys": keys,
                        "requireAttestation": role.get("requireAttestation")}
    channels = p.get("channels", {})
    for name, rule in channels.items():
        if "threshold" in rule and rule["threshold"] < p["roles"]["manifest"]["threshold"]:
            raise InputError("channel threshold below the role's")
        if rule.get("requireAttestation") and not p.get("attestationRoots"):
            raise InputError("attestation without roots")
    for rname in roles:
        if roles[rname]["requireAttestation"] and not p.get("attestationRoots"):
            raise InputError("attestation without roots")
    certs = {"attestationRoots": [], "attestationIntermediates": []}
    for member in certs:
        for pem in p.get(member, []):
            from cryptography import x509
            blocks = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem, re.S)
            if not blocks:
                raise InputError("no certificate")
            for b in blocks:
                try:
                    certs[member].append(x509.load_pem_x509_certificate(b.encode()))
                except ValueError:
                    raise InputError("bad certificate")
    return {"roles": roles, "channels": channels, **certs}


# ------------------------------------------------------------------ SIGNATURE-FORMAT.md 5a
def load_bundle(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) > 8 * 1024 * 1024:
        raise InputError("bundle over 8 MiB")
    b = parse_strict(data, 8 * 1024 * 1024)
    if isinstance(b, dict) and isinstance(b.get("signatures"), list) and len(b["signatures"]) > 256:
        raise InputError("over 256 signatures")
    errs = check_schema("signature-bundle.schema.json", b)
    if errs:
        raise InputError("bundle schema: " + "; ".join(errs[:5]))
    for s in b["signatures"]:
        s["_payload"] = canonical_b64(s["payload"])
        s["_sig"] = canonical_b64(s["sig"])
    return b["signatures"]


def pae(t, body):
    t = t.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def open_statement(s, k):
    """Step 1 after the signature verified: the statement, or None."""
    try:
        st = parse_strict(s["_payload"])
        if jcs(st).encode() != s["_payload"]:
            return None
    except InputError:
        return None
    if check_schema("signature-bundle.schema.json", st, "statement"):
        return None
    if st["signer"]["keyId"] != k.keyid or st["signer"]["algorithm"] != k.alg:
        return None
    return st


PIN_POLICIES = {0: "default", 1: "never", 2: "once", 3: "always", 4: "match-once", 5: "match-always"}
TOUCH_POLICIES = {0: "default", 1: "never", 2: "always", 3: "cached"}
KNOWN_CRITICAL = {"2.5.29.19", "2.5.29.15"}  # basicConstraints, keyUsage


def issued_by(cert, issuer):
    """cert's issuer is issuer's subject, issuer is a CA, and issuer's key signed cert."""
    from cryptography import x509
    if cert.issuer != issuer.subject:
        return False
    try:
        bc = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not bc.ca:
        return False
    pub = issuer.public_key()
    try:
        if isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        elif isinstance(pub, rsa.RSAPublicKey):
            pub.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                       cert.signature_hash_algorithm)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def attestation_ok(pem, key, required, pol):
    """POLICY-FORMAT.md, "PIV attestation requirement", steps 1-6."""
    from cryptography import x509
    if pem is None:
        return False
    blocks = re.findall(r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", pem, re.S)
    if len(blocks) != 2 or any(label != "CERTIFICATE" for label, _ in blocks):
        return False
    try:
        leaf, device = (x509.load_der_x509_certificate(base64.b64decode("".join(body.split()), validate=True))
                        for _, body in blocks)
    except (ValueError, binascii.Error):
        return False
    for c in (leaf, device):
        if any(e.critical and e.oid.dotted_string not in KNOWN_CRITICAL for e in c.extensions):
            return False
    roots = pol["attestationRoots"]
    inter = pol["attestationIntermediates"]
    # Step 2: leaf <- f9 <- (intermediates)* <- root, the f9 certificate not itself a root.
    if any(device.public_bytes(serialization.Encoding.DER) == r.public_bytes(serialization.Encoding.DER)
           for r in roots) or not issued_by(leaf, device):
        return False
    frontier, seen = [device], 0
    while frontier and seen < 8:
        seen += 1
        c = frontier.pop()
        if any(issued_by(c, r) for r in roots):
            break
        frontier += [i for i in inter if issued_by(c, i)]
    else:
        return False
    # Step 3: the subject.
    cns = leaf.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    prefix = "YubiKey PIV Attestation "
    if len(cns) != 1 or not cns[0].value.startswith(prefix) or len(cns[0].value) != len(prefix) + 2:
        return False

    def ext(oid):
        try:
            return leaf.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid)).value.value
        except x509.ExtensionNotFound:
            return None
    # Step 4: Yubico extensions.
    fw, policy_bytes = ext("1.3.6.1.4.1.41482.3.3"), ext("1.3.6.1.4.1.41482.3.8")
    if fw is None or len(fw) != 3 or policy_bytes is None or len(policy_bytes) != 2:
        return False
    serial, form = ext("1.3.6.1.4.1.41482.3.7"), ext("1.3.6.1.4.1.41482.3.9")
    if serial is not None:
        try:
            tag, content, end = der_read(serial, 0)
        except InputError:
            return False
        if tag != 0x02 or end != len(serial) or not content or int.from_bytes(content, "big", signed=True) < 0 \
                or int.from_bytes(content, "big") > 0xFFFFFFFF:
            return False
    if form is not None and len(form) != 1:
        return False
    # Step 5: the attested key is the signing key (canonical id).
    attested = leaf.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        if read_public_key(pem_text(attested)).keyid != key.keyid:
            return False
    except InputError:
        return False
    # Step 6: policies (origin "generated" is implied by a valid attestation).
    pin = PIN_POLICIES.get(policy_bytes[0], "unknown")
    touch = TOUCH_POLICIES.get(policy_bytes[1], "unknown")
    return pin in required["pinPolicy"] and touch in required["touchPolicy"]


def pem_text(der):
    b = base64.b64encode(der).decode()
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + \
        "\n-----END PUBLIC KEY-----\n"


DEFAULT_ATTESTATION = {"origin": "generated", "pinPolicy": ["once", "always", "match-once", "match-always"],
                       "touchPolicy": ["always", "cached"]}


def verify(args):
    m, m_canon = load_manifest(args["manifest"])
    sigs = load_bundle(args["signature"])
    pol = load_policy(args["policy"])
    prev = prev_canon = None
    if args.get("previous"):
        prev, prev_canon = load_manifest(args["previous"])
    now = timestamp(args["now"])
    role_name = args.get("role", "manifest")
    role = pol["roles"][role_name]
    channel = m["release"]["channel"]
    rule = pol["channels"].get(channel, {})
    threshold = role["threshold"]
    attest = role["requireAttestation"]
    if role_name == "manifest":
        threshold = max(threshold, rule.get("threshold", 0))
        if rule.get("requireAttestation") and not attest:
            attest = DEFAULT_ATTESTATION
    m_sha = hashlib.sha256(m_canon).hexdigest()

    results, counted = [], set()
    for i, s in enumerate(sigs):
        problem, key, st = None, None, None
        for k, item in role["keys"]:
            if k.verify(s["_sig"], pae(s["payloadType"], s["_payload"])) and \
                    s["payloadType"] == STATEMENT_TYPE:
                st = open_statement(s, k)
                if st is not None:
                    key, kitem = k, item
                    break
        if key is None:
            ids = {k.keyid for k, _ in role["keys"]}
            if not role["keys"]:
                problem = "no-role-keys"
            else:
                try:
                    embedded = read_public_key(s["publicKey"]).keyid
                except InputError:
                    embedded = None
                foreign = embedded is not None and embedded not in ids and s["keyid"] not in ids
                problem = "foreign" if foreign else "bad-signature"
        else:
            try:
                embedded = read_public_key(s["publicKey"]).keyid
            except InputError:
                embedded = None
            if s["keyid"] != key.keyid or embedded != key.keyid:
                problem = "bad-signature"
            elif (st["manifest"]["sha256"] != m_sha or st["manifest"]["size"] != len(m_canon) or
                  any(st["release"][f] != m["release"][f] for f in ("id", "version", "channel"))):
                problem = "binding"
            elif prev is not None and st.get("previousManifest", {}).get("sha256") != \
                    hashlib.sha256(prev_canon).hexdigest():
                problem = "previous-binding"
            elif "tokenSerial" in kitem and kitem["tokenSerial"] != st["approval"]["token"]["serial"] \
                    and not ("piv" in st["approval"] and
                             kitem["tokenSerial"] == str(st["approval"]["piv"]["serial"])):
                problem = "token-serial"
            elif attest and not attestation_ok(st["approval"].get("piv", {}).get("attestation"), key,
                                               attest, pol):
                problem = "attestation"
        if problem is None:
            counted.add(key.keyid)
        results.append({"index": i, "problem": problem, "keyid": key.keyid if key else None})

    checks = {}

    def put(name, ok, detail="", skipped=False):
        checks[name] = {"name": name, "status": "skipped" if skipped else ("pass" if ok else "fail"),
                        "detail": detail}
    put("signatures", all(r["problem"] in (None, "foreign") for r in results) and bool(counted))
    put("threshold", len(counted) >= threshold and threshold <= len(role["keys"]),
        "%d of %d" % (len(counted), threshold))
    put("previous-binding", not any(r["problem"] == "previous-binding" for r in results),
        skipped=prev is None)
    if prev is not None:
        same = m_canon == prev_canon
        put("version", same or semver_key(m["release"]["version"]) > semver_key(prev["release"]["version"]))
    else:
        put("version", True, skipped=True)
    floors = ([prev["rollbackIndex"]] if prev is not None else []) + \
        ([args["minRollbackIndex"]] if args.get("minRollbackIndex") is not None else [])
    put("rollback", not floors or m["rollbackIndex"] >= max(floors), skipped=not floors)
    allowed = rule.get("allowedPrevious")
    put("channel-sequence", prev is not None and allowed is not None and prev["release"]["channel"] in allowed,
        skipped=prev is None or allowed is None)
    created, expires = timestamp(m["created"]), timestamp(m["expires"])
    put("freshness", created <= (now[0] + 300, now[1]))
    put("expiry", now < expires)
    mvd = rule.get("maxValidityDays")
    put("validity", mvd is not None and expires[0] - created[0] <= mvd * 86400, skipped=mvd is None)
    put("artifacts", True, skipped=True)
    out = [checks[c] for c in CHECKS]
    return {"verified": not any(c["status"] == "fail" for c in out), "checks": out,
            "signatures": results}


# ------------------------------------------------------------------ REQUEST-FORMAT.md section 2
MAX_REQUEST = 100663296


def read_document(req, at):
    """Step 5 for the document at /AT: (manifest value, canonical bytes)."""
    d = req[at]
    data = canonical_b64(d["canonical"])  # 5.1
    if len(data) != d["size"]:  # 5.2
        raise InputError("/%s: %d bytes, size says %d" % (at, len(data), d["size"]))
    if hashlib.sha256(data).hexdigest() != d["sha256"]:  # 5.3
        raise InputError("/%s: the bytes' SHA-256 is not sha256" % at)
    m, canon = load_manifest_bytes(data)  # 5.4
    if canon != data:  # 5.5
        raise InputError("/%s: not the manifest's RFC 8785 canonical form" % at)
    return m, canon


def request_show(path):
    with open(path, "rb") as f:
        data = f.read(MAX_REQUEST + 1)
    if len(data) > MAX_REQUEST:  # step 1
        raise InputError("a request over %d bytes" % MAX_REQUEST)
    req = parse_strict(data, MAX_REQUEST)  # step 2
    errs = check_schema("signing-request.schema.json", req)  # step 3
    if errs:
        raise InputError("request schema: " + "; ".join(errs[:3]))
    timestamp(req["created"])  # step 4
    docs = {"manifest": read_document(req, "manifest")}  # step 5
    if "previous" in req:
        docs["previous"] = read_document(req, "previous")
        prev, m = docs["previous"][0], docs["manifest"][0]
        if req["previous"]["sha256"] == req["manifest"]["sha256"]:  # step 6
            raise InputError("the previous release is the manifest itself")
        if not semver_key(m["release"]["version"]) > semver_key(prev["release"]["version"]):  # step 7
            raise InputError("the manifest's version is not above the previous release's")
        if m["rollbackIndex"] < prev["rollbackIndex"]:
            raise InputError("the manifest's rollbackIndex is below the previous release's")
    out = {"sha256": hashlib.sha256(data).hexdigest(), "pipeline": req["pipeline"],
           "created": req["created"]}
    for at, (m, canon) in docs.items():
        out[at] = {"sha256": hashlib.sha256(canon).hexdigest(), "size": len(canon),
                   "release": {k: m["release"][k] for k in ("id", "version", "channel")},
                   "rollbackIndex": m["rollbackIndex"], "manifest": m}
    if "policySha256" in req:
        out["policySha256"] = req["policySha256"]
    return out


def request_main(argv):
    paths = [a for a in argv if a != "--json"]
    if len(paths) != 1 or paths[0].startswith("-"):
        return 2
    try:
        out = request_show(paths[0])
    except (InputError, OSError) as e:
        print("verify.py: error: %s" % e, file=sys.stderr)
        return 3
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return 0


# ------------------------------------------------------------------ SIGNATURE-FORMAT.md section 6
ENTRY_MEMBERS = ("payloadType", "payload", "keyid", "algorithm", "publicKey", "sig")


class EvidenceFailure(Exception):
    def __init__(self, check, detail):
        super().__init__(detail)
        self.check = check


def open_self(s):
    """A signature object opened with its own publicKey (section 6a step 6): the statement, or
    None."""
    try:
        k = read_public_key(s["publicKey"])
    except InputError:
        return None
    if s["keyid"] != k.keyid or s["payloadType"] != STATEMENT_TYPE:
        return None
    if not k.verify(s["_sig"], pae(s["payloadType"], s["_payload"])):
        return None
    return open_statement(s, k)


def evidence_verify(args):
    # Step 1: an intent journal beside the log (an unfinished sign).
    if os.path.exists(os.path.realpath(args["log"]) + ".journal"):
        raise EvidenceFailure("journal", "an interrupted sign left a journal")
    # Step 2: every input is read before any other check.
    with open(args["log"], "rb") as f:
        data = f.read()
    pol = load_policy(args["policy"]) if args.get("policy") else None
    bundles = [load_bundle(b) for b in args.get("bundles", [])]
    # Step 3: the lines, every one before anything is judged.
    lines, entries = [], []
    if data:
        if not data.endswith(b"\n"):
            raise InputError("the last line has no line feed")
        for line in data[:-1].split(b"\n"):
            v = parse_strict(line)
            if jcs(v).encode() != line:
                raise InputError("a line is not RFC 8785")
            errs = check_schema("evidence-entry.schema.json", v)
            if errs:
                raise InputError("evidence entry schema: " + "; ".join(errs[:3]))
            v["signature"]["_payload"] = canonical_b64(v["signature"]["payload"])
            v["signature"]["_sig"] = canonical_b64(v["signature"]["sig"])
            lines.append(line)
            entries.append(v)
    if not data:
        raise EvidenceFailure("nonempty", "the log is empty")
    prev = "0" * 64
    for i, e in enumerate(entries):
        if e["index"] != i or e["prev"] != prev:
            raise EvidenceFailure("chain", "line %d breaks the chain" % (i + 1))
        prev = hashlib.sha256(lines[i]).hexdigest()
    policy_ids = None
    if pol is not None:
        policy_ids = {k.keyid for r in pol["roles"].values() for k, _ in r["keys"]}
    seen_v2 = False
    for i, e in enumerate(entries):
        st = open_self(e["signature"])
        if st is None:
            raise EvidenceFailure("entry-signature", "line %d: the signature does not verify" % (i + 1))
        if e["entryVersion"] == 1:
            if seen_v2 or "log" in st:
                raise EvidenceFailure("entry-position", "line %d: misplaced version-1 entry" % (i + 1))
        else:
            seen_v2 = True
            pos = st.get("log")
            if pos is None or (pos["index"], pos["previousEntrySha256"], pos["manifestPath"],
                               pos["bundlePath"]) != (e["index"], e["prev"], e["manifestPath"],
                                                      e["bundlePath"]):
                raise EvidenceFailure("entry-position", "line %d: not its signed position" % (i + 1))
        if policy_ids is not None and st["signer"]["keyId"] not in policy_ids:
            raise EvidenceFailure("policy-signer", "line %d: signer not in the policy" % (i + 1))
    for b in bundles:
        for s in b:
            st = open_self(s)
            if st is None:
                raise EvidenceFailure("bundle-recorded", "a bundle signature does not verify")
            if "log" not in st:
                continue
            n = st["log"]["index"]
            if n >= len(entries) or any(entries[n]["signature"][m] != s[m] for m in ENTRY_MEMBERS):
                raise EvidenceFailure("bundle-recorded", "a bundle signature is not at entry %d" % n)
    return {"verified": True, "entries": len(entries), "failed": None}


def evidence_main(argv):
    args, rest = {"bundles": []}, list(argv)
    while rest:
        a = rest.pop(0)
        if a == "--policy" and rest:
            args["policy"] = rest.pop(0)
        elif a == "--bundle" and rest:
            args["bundles"].append(rest.pop(0))
        elif a == "--json":
            pass
        elif a.startswith("-") or "log" in args:
            return 2
        else:
            args["log"] = a
    if "log" not in args:
        return 2
    try:
        report = evidence_verify(args)
    except EvidenceFailure as e:
        report = {"verified": False, "entries": None, "failed": {"check": e.check, "detail": str(e)}}
    except (InputError, OSError) as e:
        print("verify.py: error: %s" % e, file=sys.stderr)
        return 3
    print(json.dumps(report, indent=1))
    return 0 if report["verified"] else 1


def main(argv):
    if argv[:2] == ["evidence", "verify"]:
        return evidence_main(argv[2:])
    if argv[:2] == ["request", "show"]:
        return request_main(argv[2:])
    if not argv or argv[0] != "verify":
        print(__doc__, file=sys.stderr)
        return 2
    args, rest = {}, argv[1:]
    opts = {"--policy": "policy", "--signature": "signature", "--now": "now", "--previous": "previous",
            "--role": "role", "--min-rollback-index": "minRollbackIndex"}
    while rest:
        a = rest.pop(0)
        if a in opts and rest:
            args[opts[a]] = rest.pop(0)
        elif a == "--json":
            pass
        elif a.startswith("-"):
            print("verify.py: error: unsupported option " + a, file=sys.stderr)
            return 2
        else:
            args["manifest"] = a
    if "minRollbackIndex" in args:
        if not re.fullmatch(r"[0-9]+", args["minRollbackIndex"]) or int(args["minRollbackIndex"]) > MAX_SAFE:
            return 2
        args["minRollbackIndex"] = int(args["minRollbackIndex"])
    args.setdefault("signature", args.get("manifest", "") + ".sig")
    if args.get("role", "manifest") not in ("manifest", "release") or "policy" not in args \
            or "now" not in args or "manifest" not in args:
        return 2
    try:
        report = verify(args)
    except InputError as e:
        print("verify.py: error: %s" % e, file=sys.stderr)
        return 3
    except Unsupported as e:
        print("verify.py: error: %s" % e, file=sys.stderr)
        return 2
    except OSError as e:
        print("verify.py: error: %s" % e, file=sys.stderr)
        return 3
    print(json.dumps(report, indent=1))
    return 0 if report["verified"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
