// Verify end to end on fuzzed bundles: policy::verify_bundle with a fixed policy (one P-256 key
// in the manifest role) and the fixed manifest schemas/examples/release-1.json.
//
// The first input byte picks what the rest is:
//   even: the bytes of a signature bundle, parsed and verified as `otasign verify` does;
//   odd:  a statement payload, which the harness signs with the policy's key and wraps in a
//         bundle, so the fuzzer reaches the statement checks that run only after a signature
//         verified.
// Invariants: a signature counts only if it verified with the policy key and its statement names
// the fixed manifest; the threshold is met only with such a signature.
//
// With OTASIGN_FUZZ_SEED_DIR set, LLVMFuzzerInitialize writes valid inputs of each kind into its
// subfolders verify/, bundle/, policy/, evidence/ and der_raw/ (scripts/fuzz.sh seeds that way).
// The key is derived from a fixed scalar so those seeds stay valid from run to run; it is a fuzzing
// key that no policy outside this file trusts.

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/digest.hpp"
#include "core/ossl.hpp"
#include "envelope/bundle.hpp"
#include "envelope/evidence_log.hpp"
#include "envelope/pae.hpp"
#include "fuzz.hpp"
#include "manifest/manifest.hpp"
#include "policy/verify.hpp"

namespace otasign::ossl {
template <>
struct Deleter<EC_GROUP> {
    void operator()(EC_GROUP* p) const noexcept { EC_GROUP_free(p); }
};
template <>
struct Deleter<EC_POINT> {
    void operator()(EC_POINT* p) const noexcept { EC_POINT_free(p); }
};
template <>
struct Deleter<OSSL_PARAM_BLD> {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
}  // namespace otasign::ossl

using namespace otasign;

namespace {

struct Fixture {
    ossl::Ptr<EVP_PKEY> priv;
    envelope::PublicKey pub;
    policy::Policy policy;
    policy::ManifestBinding binding;
};

ossl::Ptr<EVP_PKEY> fixed_p256_key() {
    auto scalar = hash_bytes(HashAlg::sha256, "otasign fuzz_verify key");
    ossl::Ptr<BIGNUM> d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
    ossl::Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    ossl::Ptr<EC_POINT> q(EC_POINT_new(group.get()));
    if (!d || !group || !q ||
        EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, nullptr) != 1)
        fuzz::broken("cannot derive the fuzzing key");
    unsigned char pub[65];
    std::size_t pub_len = EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED,
                                             pub, sizeof pub, nullptr);
    ossl::Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get());
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len);
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld.get());
    ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params) != 1)
        fuzz::broken("cannot build the fuzzing key");
    OSSL_PARAM_free(params);
    return ossl::Ptr<EVP_PKEY>(key);
}

std::string sign_bytes(EVP_PKEY* priv, std::string_view message) {
    ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    const auto* m = reinterpret_cast<const unsigned char*>(message.data());
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, priv) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, m, message.size()) != 1)
        fuzz::broken("cannot sign");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, m,
                       message.size()) != 1)
        fuzz::broken("cannot sign");
    sig.resize(len);
    return sig;
}

const Fixture& fixture() {
    static const Fixture f = [] {
        Fixture f;
        f.priv = fixed_p256_key();
        f.pub = std::move(envelope::public_key_from_evp(f.priv.get(), "fuzz key")).value();
        auto doc = policy::add_key(policy::empty_policy_document(), policy::Role::manifest,
                                   f.pub.pem, "fuzz-key", std::nullopt, "fuzz-policy.json");
        if (!doc.ok()) fuzz::broken("cannot build the fixed policy");
        f.policy = std::move(
            policy::parse_policy(policy::serialize_policy(*doc), "fuzz-policy.json").value());
        std::ifstream in(OTASIGN_SOURCE_DIR "/schemas/examples/release-1.json");
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto loaded = manifest::load_manifest(bytes, "release-1.json");
        if (!loaded.ok()) fuzz::broken("cannot load schemas/examples/release-1.json");
        f.binding = policy::binding_of(*loaded);
        return f;
    }();
    return f;
}

envelope::Statement valid_statement(const Fixture& f) {
    envelope::Statement s;
    policy::bind_statement(s, f.binding);
    s.shown_text_sha256 = sha256_hex("shown");
    s.key_id = f.pub.key_id;
    s.algorithm = envelope::sig_alg_name(f.pub.alg);
    s.approval.operator_name = "fuzz";
    s.approval.time = "2026-01-01T00:00:00Z";
    s.approval.token = {"SoftHSM project", "SoftHSM v2", "0123456789abcdef", "fuzz"};
    s.approval.key_label = "fuzz-key";
    s.approval.pin_status = "ok";
    s.approval.tool = "otasign " OTASIGN_VERSION;
    s.approval.host = "fuzz";
    return s;
}

envelope::SignatureEntry signed_entry(const Fixture& f, std::string payload) {
    envelope::SignatureEntry e;
    e.payload_type = std::string(envelope::kStatementPayloadType);
    e.payload = std::move(payload);
    e.key_id = f.pub.key_id;
    e.algorithm = envelope::sig_alg_name(f.pub.alg);
    e.public_key_pem = f.pub.pem;
    e.signature = sign_bytes(f.priv.get(), envelope::entry_pae(e));
    return e;
}

void check(const Fixture& f, const envelope::Bundle& bundle) {
    auto v = policy::verify_bundle(bundle, f.policy, policy::Role::manifest, f.binding, "fuzz.sig");
    bool any = false;
    for (const auto& s : v.signatures) {
        if (!s.ok) continue;
        any = true;
        if (s.key_id != f.pub.key_id) fuzz::broken("a signature counted for a key not in the role");
        if (s.index >= bundle.signatures.size()) fuzz::broken("signature index out of range");
        if (!envelope::verify_signature(f.pub, envelope::entry_pae(bundle.signatures[s.index]),
                                        bundle.signatures[s.index].signature)
                 .ok())
            fuzz::broken("a signature counted that does not verify");
        // Compared field by field here, not through policy::binding_problem: the oracle must
        // not share the code it checks.
        if (!s.statement || s.statement->manifest_sha256 != f.binding.sha256 ||
            s.statement->manifest_size != f.binding.size ||
            s.statement->release_id != f.binding.release_id ||
            s.statement->release_version != f.binding.release_version ||
            s.statement->release_channel != f.binding.release_channel)
            fuzz::broken("a signature counted whose statement names another manifest");
    }
    if (v.threshold_met != any) fuzz::broken("threshold decided without a counting signature");
}

void write_seed(const std::string& dir, const char* name, std::string_view bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const Fixture& f = fixture();
    envelope::Bundle good;
    good.signatures.push_back(signed_entry(f, envelope::statement_bytes(valid_statement(f))));
    auto v = policy::verify_bundle(good, f.policy, policy::Role::manifest, f.binding, "seed");
    if (!v.threshold_met) fuzz::broken("the seed bundle does not verify");
    if (const char* env = std::getenv("OTASIGN_FUZZ_SEED_DIR")) {
        // Seeds for the other targets too: one subfolder each (scripts/fuzz.sh makes them).
        const std::string dir = env;
        const std::string bundle = envelope::serialize_bundle(good);
        write_seed(dir + "/verify", "signed-bundle", std::string(1, '\0') + bundle);
        write_seed(dir + "/verify", "statement",
                   std::string(1, '\1') + envelope::statement_bytes(valid_statement(f)));
        write_seed(dir + "/bundle", "signed-bundle", bundle);
        write_seed(dir + "/policy", "one-key-policy", policy::serialize_policy(f.policy.document));
        // An evidence log of two version-2 entries, each statement committing to its place.
        std::string log_bytes;
        for (int i = 0; i < 2; ++i) {
            envelope::EvidenceLog log;
            if (!log_bytes.empty()) {
                auto read = envelope::read_evidence_log(log_bytes, "seed");
                if (!read.ok()) fuzz::broken("the seed evidence log does not read back");
                log = std::move(read).value();
            }
            envelope::Statement st = valid_statement(f);
            st.log = envelope::next_log_position(log, "release-1.json", "release-1.json.sig");
            auto appended =
                envelope::append_evidence(log, signed_entry(f, envelope::statement_bytes(st)));
            if (!appended.ok()) fuzz::broken("the seed evidence entry does not append");
            log_bytes = std::move(appended).value();
            write_seed(dir + "/evidence", i == 0 ? "one-entry" : "two-entries", log_bytes);
        }
        write_seed(dir + "/der_raw", "p256-der", good.signatures.front().signature);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const Fixture& f = fixture();
    const auto rest = fuzz::bytes(data + 1, size - 1);
    if (data[0] % 2 == 0) {
        auto bundle = envelope::parse_bundle(rest, "fuzz.sig");
        if (bundle.ok()) check(f, *bundle);
    } else {
        envelope::Bundle bundle;
        bundle.signatures.push_back(signed_entry(f, std::string(rest)));
        check(f, bundle);
    }
    return 0;
}
