'use strict';
// Random doubles through `otasign canonicalize` against node's JSON.stringify. Both sides start
// from the same 64-bit patterns: otasign gets each as a 17-significant-digit literal (which
// names exactly that double), node formats the double built from the bits.
const { spawnSync } = require('child_process');
const { Rng, double_from_bits, bits_from_double } = require('./jcs.js');

const bin = process.env.OTASIGN_BIN;
const count = Number(process.argv[2] || 200000);
const seed = Number(process.argv[3] || 8785);
const rng = new Rng(seed);

function random_finite_bits() {
    for (;;) {
        const b = rng.bits64();
        if (((b >> 52n) & 0x7ffn) !== 0x7ffn) return b;
    }
}
function neighbours(x, out) {
    const b = bits_from_double(Math.abs(x));
    for (let d = -3n; d <= 3n; ++d) {
        const n = b + d;
        if (n >= 0n && n < 0x7ff0000000000000n) out.push(n, n | (1n << 63n));
    }
}

const bits = [];
// Edges: powers of ten and their neighbours (the 1e21 and 1e-6 switches among them), the
// extremes, subnormals, 2^53, 0 and -0.
for (let e = -323; e <= 308; ++e) neighbours(Number('1e' + e), bits);
for (const x of [5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
                 2 ** 53, 2 ** 53 - 1, 2 ** 63, 2 ** 64, 0.1 + 0.2, 333333333.3333333, 1 / 3, 123456789012345680000])
    neighbours(x, bits);
bits.push(0n, 1n << 63n);
// Ranges where the formatting changes: integers near 2^53 and 1e21, decimals near 1e-6 / 1e-7.
const ranges = [[1e20, 1e22], [1e-8, 1e-5], [1, 2 ** 53], [0, 1], [1e15, 1e17]];
while (bits.length < count / 4) {
    const [lo, hi] = ranges[rng.below(ranges.length)];
    let x = lo + (hi - lo) * (Number(rng.bits64() >> 11n) / 2 ** 53);
    if (rng.chance(0.3)) x = Math.round(x);
    bits.push(bits_from_double(rng.chance(0.5) ? -x : x));
}
// Subnormals and random patterns for the rest.
while (bits.length < count / 3) bits.push(rng.bits64() & 0x800fffffffffffffn);
while (bits.length < count) bits.push(random_finite_bits());

const values = bits.map(double_from_bits);
let failures = 0;

// 1. format_es6_number itself on every double, through the test driver.
const checker = process.argv[4];
if (checker) {
    const lines = bits.map((b, i) => b.toString(16).padStart(16, '0') + ' ' + JSON.stringify(values[i])).join('\n') + '\n';
    const r = spawnSync(checker, [], { input: lines, maxBuffer: 1 << 30, encoding: 'latin1' });
    process.stdout.write(r.stdout);
    if (r.status !== 0) {
        console.error(r.stderr);
        ++failures;
    }
}

// 2. The binary: parse the literals and canonicalize. Integers from 2^53 to 1e21 are rejected by
// design (their canonical form is an integer literal outside the I-JSON range).
const in_rejected_range = (x) => Math.abs(x) >= 2 ** 53 && Math.abs(x) < 1e21;
const literal = (x) => {
    // 17 significant digits always name exactly x; toExponential drops the sign of -0.
    const lit = (Object.is(x, -0) ? '-' : '') + x.toExponential(16);
    if (bits_from_double(Number(lit)) !== bits_from_double(x)) throw new Error('bad literal ' + lit);
    return lit;
};
const kept = values.filter((x) => !in_rejected_range(x));
const rejected = values.filter(in_rejected_range);
const input = '[' + kept.map(literal).join(',') + ']';
const want = JSON.stringify(kept);
const r = spawnSync(bin, ['canonicalize', '-'], { input, maxBuffer: 1 << 30, encoding: 'latin1' });
if (r.status !== 0) {
    console.error(`otasign exited ${r.status}: ${r.stderr}`);
    ++failures;
} else if (r.stdout !== want) {
    const got = r.stdout.slice(1, -1).split(',');
    let shown = 0;
    for (let i = 0; i < kept.length && shown < 20; ++i) {
        const w = JSON.stringify(kept[i]);
        if (got[i] !== w) {
            console.error(`bits 0x${bits_from_double(kept[i]).toString(16).padStart(16, '0')}: otasign ${got[i]}, node ${w}`);
            ++shown;
        }
    }
    ++failures;
} else {
    console.log(`${kept.length} doubles through otasign canonicalize agree with JSON.stringify`);
}
for (const x of rejected.slice(0, 5)) {
    const rr = spawnSync(bin, ['canonicalize', '-'], { input: '[' + literal(x) + ']' });
    if (rr.status !== 3) {
        console.error(`${literal(x)}: otasign exited ${rr.status}, want 3 (integer beyond 2^53)`);
        ++failures;
    }
}
if (rejected.length < 5) {
    console.error('too few doubles in [2^53, 1e21) generated');
    ++failures;
}
if (failures) {
    console.error(`disagreement (seed ${seed})`);
    process.exit(1);
}
console.log(`all agree (seed ${seed}); ${rejected.length} doubles in [2^53, 1e21) rejected by design`);
