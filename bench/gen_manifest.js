'use strict';
// Writes a manifest-like JSON document of about SIZE_MB megabytes to stdout: a release header
// and many artifact entries (names, hex digests, sizes, arrays, nested attributes, some
// non-ASCII text), pretty-printed with members in non-canonical order.
const target = Number(process.argv[2] || 50) * 1024 * 1024;
let state = 12345;
const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
const hex = (n) => { let s = ''; while (s.length < n) s += Math.floor(rand() * 2 ** 31).toString(16).padStart(8, '0'); return s.slice(0, n); };
const out = [];
let size = 0;
const push = (s) => { out.push(s); size += Buffer.byteLength(s); };
push('{\n  "schema": "otasign/manifest/v1",\n  "release": {"version": "2.0.0", "id": "r-2026-11", "channel": "stable"},\n  "artifacts": [\n');
for (let i = 0; size < target; ++i) {
    const a = {
        name: `firmware/component-${i}.bin`,
        sha256: hex(64),
        size: Math.floor(rand() * 2 ** 40),
        hardware: ['rev-a', 'rev-b', 'rev-c'].slice(0, 1 + (i % 3)),
        min_version: `1.${i % 17}.${i}`,
        attrs: { ratio: rand(), compressed: i % 2 === 0, label: `caf\u00e9 \u{1F680} ${i}`, delta_of: i % 5 ? null : `component-${i - 1}` },
    };
    push((i ? ',\n' : '') + '    ' + JSON.stringify(a, null, 1).replace(/\n\s*/g, ' '));
}
push('\n  ]\n}\n');
process.stdout.write(out.join(''));
