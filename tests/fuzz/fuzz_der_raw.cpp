// DER <-> raw ECDSA signatures. The input, split at half its length, is r||s as a PKCS#11 token
// returns it: ecdsa_raw_to_der must give strict DER that decodes to the same r and s. Read as
// DER, a strict-DER Ecdsa-Sig-Value must come back byte for byte through raw form, and
// verify_signature must refuse the bytes (no key signed them) without crashing.

#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <algorithm>
#include <vector>

#include "core/ossl.hpp"
#include "envelope/keys.hpp"
#include "fuzz.hpp"
#include "pkcs11/signer.hpp"

using namespace otasign;

namespace {

const envelope::PublicKey& fixed_key() {
    static const envelope::PublicKey key = [] {
        ossl::Ptr<EVP_PKEY> priv(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
        return std::move(envelope::public_key_from_evp(priv.get(), "fuzz key")).value();
    }();
    return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> raw(data, size);
    auto der = pkcs11::ecdsa_raw_to_der(raw);
    if (der.ok() != (size > 0 && size % 2 == 0)) fuzz::broken("raw-to-DER length rule");
    if (der.ok()) {
        const unsigned char* p = der->data();
        ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size())));
        if (!sig || p != der->data() + der->size()) fuzz::broken("raw-to-DER gave invalid DER");
        const int half = static_cast<int>(size / 2);
        std::vector<std::uint8_t> back(size);
        if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), back.data(), half) != half ||
            BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), back.data() + half, half) != half ||
            back != std::vector<std::uint8_t>(data, data + size))
            fuzz::broken("raw -> DER -> raw changed r or s");
    }

    const unsigned char* p = data;
    ossl::Ptr<ECDSA_SIG> parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(size)));
    unsigned char* strict = nullptr;
    const int strict_len = parsed ? i2d_ECDSA_SIG(parsed.get(), &strict) : 0;
    // d2i reads some BER too; only an input that is its own DER re-encoding must round-trip.
    const bool is_der = parsed && p == data + size && strict_len == static_cast<int>(size) &&
                        std::equal(strict, strict + strict_len, data);
    OPENSSL_free(strict);
    if (is_der) {
        const BIGNUM* r = ECDSA_SIG_get0_r(parsed.get());
        const BIGNUM* s = ECDSA_SIG_get0_s(parsed.get());
        const int width = std::max(BN_num_bytes(r), BN_num_bytes(s));
        if (width > 0 && width <= 4096 && !BN_is_negative(r) && !BN_is_negative(s)) {
            std::vector<std::uint8_t> wide(2 * static_cast<std::size_t>(width));
            BN_bn2binpad(r, wide.data(), width);
            BN_bn2binpad(s, wide.data() + width, width);
            auto again = pkcs11::ecdsa_raw_to_der(wide);
            if (!again.ok()) fuzz::broken("raw-to-DER refused an even-length raw signature");
            if (*again != std::vector<std::uint8_t>(data, data + size))
                fuzz::broken("DER -> raw -> DER changed the bytes");
        }
    }
    const std::string_view message = "otasign fuzz message";
    if (envelope::verify_signature(fixed_key(), message, fuzz::bytes(data, size)).ok())
        fuzz::broken("an unsigned signature verified");
    return 0;
}
