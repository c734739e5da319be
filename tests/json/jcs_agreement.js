'use strict';
// otasign vs the independent JCS in jcs.js on random documents: nested arrays and objects,
// keys and strings mixing ASCII, controls, Latin-1, U+E000..U+FFFD and astral characters (the
// range where UTF-16 and UTF-8 order disagree), and numbers. Each document is written in a
// deliberately non-canonical spelling (random whitespace, \u escapes, exponent forms).
const { spawnSync } = require('child_process');
const { canonicalize, Rng, double_from_bits } = require('./jcs.js');

const bin = process.env.OTASIGN_BIN;
const count = Number(process.argv[2] || 400);
const seed = Number(process.argv[3] || 6901);
const rng = new Rng(seed);

function is_noncharacter(cp) { return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe; }
function random_code_point() {
    for (;;) {
        let cp;
        switch (rng.below(7)) {
            case 0: cp = rng.below(0x20); break;                   // controls
            case 1: case 2: cp = 0x20 + rng.below(0x5f); break;    // printable ASCII
            case 3: cp = 0x80 + rng.below(0x780); break;           // 2-byte UTF-8
            case 4: cp = 0xe000 + rng.below(0x2000); break;        // private use .. U+FFFF
            case 5: cp = 0x800 + rng.below(0xd000); break;         // other BMP
            default: cp = 0x10000 + rng.below(0x100000); break;    // astral
        }
        if ((cp < 0xd800 || cp > 0xdfff) && !is_noncharacter(cp)) return cp;
    }
}
function random_string(max) {
    let s = '';
    for (let n = rng.below(max + 1); n > 0; --n) s += String.fromCodePoint(random_code_point());
    return s;
}
function random_number() {
    switch (rng.below(5)) {
        case 0: return rng.below(2 ** 31) - 2 ** 30;
        case 1: return (rng.chance(0.5) ? -1 : 1) * Number(rng.bits64() >> 11n);  // safe integers
        case 2: return Number(rng.bits64() >> 11n) / 2 ** rng.below(80);
        default: {
            for (;;) {
                const x = double_from_bits(rng.bits64());
                // otasign rejects integers from 2^53 to 1e21 by design (I-JSON); see strict.hpp.
                if (Number.isFinite(x) && !(Math.abs(x) >= 2 ** 53 && Math.abs(x) < 1e21)) return x;
            }
        }
    }
}
function random_value(depth) {
    const r = rng.below(depth > 6 ? 6 : 9);
    switch (r) {
        case 0: return null;
        case 1: return rng.chance(0.5);
        case 2: case 3: return random_number();
        case 4: case 5: return random_string(12);
        case 6: case 7: {
            const a = [];
            for (let n = rng.below(6); n > 0; --n) a.push(random_value(depth + 1));
            return a;
        }
        default: {
            const o = {};
            for (let n = rng.below(8); n > 0; --n) {
                // Short keys over a small alphabet so that keys share prefixes and differ in
                // exactly the characters whose order UTF-8 and UTF-16 disagree on.
                let k = '';
                for (let m = 1 + rng.below(3); m > 0; --m)
                    k += ['a', 'b', '\u00e9', '\ue000', '\uffee', '\u{1f600}', '\u{10000}', '\u{1d11e}', '\n'][rng.below(9)];
                if (rng.chance(0.5)) k += random_string(3);
                o[k] = random_value(depth + 1);
            }
            return o;
        }
    }
}

// A spelling that differs from the canonical one but means the same.
function ws() { return [' ', '', '\n', '\t', '\r\n  '][rng.below(5)]; }
function spell_string(s) {
    let out = '"';
    for (const ch of s) {
        const cp = ch.codePointAt(0);
        if (ch === '"' || ch === '\\') out += '\\' + ch;
        else if (cp < 0x20 || rng.chance(0.15)) {
            const units = cp > 0xffff ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp];
            for (const u of units) {
                const hex = u.toString(16).padStart(4, '0');
                out += '\\u' + (rng.chance(0.5) ? hex.toUpperCase() : hex);
            }
        } else if (ch === '/' && rng.chance(0.5)) out += '\\/';
        else out += ch;
    }
    return out + '"';
}
function spell_number(x) {
    if (Number.isSafeInteger(x) && rng.chance(0.7)) return Object.is(x, -0) ? '-0' : String(x);
    return (Object.is(x, -0) ? '-' : '') + x.toExponential(16).replace('e', rng.chance(0.5) ? 'e' : 'E');
}
function spell(v) {
    if (v === null || typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return spell_number(v);
    if (typeof v === 'string') return spell_string(v);
    if (Array.isArray(v)) return '[' + ws() + v.map(spell).join(ws() + ',' + ws()) + ws() + ']';
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i > 0; --i) {  // shuffle member order
        const j = rng.below(i + 1);
        [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    return '{' + ws() + keys.map((k) => spell_string(k) + ws() + ':' + ws() + spell(v[k])).join(',' + ws()) + ws() + '}';
}

function otasign(input) {
    return spawnSync(bin, ['canonicalize', '-'], { input: Buffer.from(input, 'utf8'), maxBuffer: 1 << 30 });
}

const docs = [];
for (let i = 0; i < count; ++i) docs.push(random_value(0));
// One run over all documents as one array, then each top-level object on its own, so the root
// object path is covered too.
let failures = 0;
const whole = otasign('[' + docs.map(spell).join(',') + ']');
const want = canonicalize(docs);
if (whole.status !== 0 || whole.stdout.toString('utf8') !== want) {
    console.error(`batch of ${count} documents: exit ${whole.status} ${whole.stderr}`);
    ++failures;
}
for (let i = 0; i < docs.length && i < 60; ++i) {
    const r = otasign(spell(docs[i]));
    const w = canonicalize(docs[i]);
    const got = r.stdout.toString('utf8');
    if (r.status !== 0 || got !== w) {
        console.error(`document ${i}: exit ${r.status} ${r.stderr}\n  otasign: ${got}\n  jcs.js:  ${w}`);
        if (++failures > 5) break;
    }
    // Idempotence through the binary: the canonical bytes canonicalize to themselves.
    const again = otasign(got);
    if (again.stdout.toString('utf8') !== got) {
        console.error(`document ${i}: canonical form is not idempotent: exit ${again.status} ${again.stderr}`);
        ++failures;
    }
}
if (failures) {
    console.error(`disagreement (seed ${seed})`);
    process.exit(1);
}
console.log(`${count} random documents agree with jcs.js (seed ${seed})`);
