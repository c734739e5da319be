#!/usr/bin/env python3
"""Under JSON Schema draft-07 a "$ref" makes every sibling keyword ineffective: `minLength` next to
`$ref` would be read by one validator and ignored by another (issue 15, gap 6). Fails when any
schema in schemas/ puts a keyword other than an annotation beside a "$ref".

    schema_lint.py SCHEMAS_DIR
"""
import glob
import json
import os
import sys

ANNOTATIONS = {"$ref", "description", "title", "$comment", "examples"}


def walk(node, path, out):
    if isinstance(node, dict):
        if "$ref" in node and set(node) - ANNOTATIONS:
            out.append("%s: %s beside $ref" % (path, sorted(set(node) - ANNOTATIONS)))
        for k, v in node.items():
            walk(v, path + "/" + k, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, "%s/%d" % (path, i), out)


def main():
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.schema.json")))
    bad = []
    for f in files:
        with open(f) as fh:
            walk(json.load(fh), os.path.basename(f) + "#", bad)
    for b in bad:
        print("FAIL " + b)
    if not files:
        print("FAIL: no schemas in " + sys.argv[1])
        return 1
    print("%d schemas, %d keywords beside $ref" % (len(files), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
