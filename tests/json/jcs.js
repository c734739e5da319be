'use strict';
// An independent RFC 8785 implementation, the way RFC 8785 Appendix shows it: JSON.stringify
// serializes primitives (ES6 number formatting, RFC 8785 string escaping), and object keys are
// sorted with JavaScript's default sort, which compares UTF-16 code units. Used only to check
// otasign's C++ implementation against a second one.
function canonicalize(value) {
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    if (Array.isArray(value)) return '[' + value.map(canonicalize).join(',') + ']';
    return '{' + Object.keys(value).sort().map((k) => JSON.stringify(k) + ':' + canonicalize(value[k])).join(',') + '}';
}

// A seeded xorshift64* generator, so a failure can be reproduced from the printed seed.
class Rng {
    constructor(seed) { this.s = BigInt.asUintN(64, BigInt(seed) * 0x9E3779B97F4A7C15n + 1n); }
    bits64() {
        let x = this.s;
        x ^= x >> 12n; x ^= BigInt.asUintN(64, x << 25n); x ^= x >> 27n;
        this.s = x;
        return BigInt.asUintN(64, x * 0x2545F4914F6CDD1Dn);
    }
    below(n) { return Number(this.bits64() % BigInt(n)); }
    chance(p) { return this.below(1000000) < p * 1000000; }
}

const view = new DataView(new ArrayBuffer(8));
function double_from_bits(bits) { view.setBigUint64(0, bits); return view.getFloat64(0); }
function bits_from_double(x) { view.setFloat64(0, x); return view.getBigUint64(0); }

module.exports = { canonicalize, Rng, double_from_bits, bits_from_double };
