#pragma once
// Keys generated at test time with OpenSSL (never committed), and a signer over them that
// produces what a token would: DER ECDSA or RSA-PSS.

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string>

#include "core/ossl.hpp"
#include "core/result.hpp"
#include "envelope/keys.hpp"

namespace otasign::test {

struct TestKey {
    ossl::Ptr<EVP_PKEY> priv;
    envelope::PublicKey pub;

    Result<std::string> sign(std::string_view message) const {
        ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
        EVP_PKEY_CTX* pctx = nullptr;
        const EVP_MD* md =
            pub.alg == envelope::SigAlg::ecdsa_p384_sha384 ? EVP_sha384() : EVP_sha256();
        EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, priv.get());
        if (pub.alg == envelope::SigAlg::rsa_pss_sha256) {
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
        }
        size_t len = 0;
        EVP_DigestSign(ctx.get(), nullptr, &len,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size());
        std::string sig(len, '\0');
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size());
        sig.resize(len);
        return sig;
    }
    auto signer() const {
        return [this](std::string_view m) { return sign(m); };
    }
};

inline TestKey make_key(const char* type = "EC", const char* curve = "P-256") {
    TestKey k;
    if (std::string(type) == "RSA")
        k.priv.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
    else
        k.priv.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
    k.pub = std::move(envelope::public_key_from_evp(k.priv.get(), "test key")).value();
    return k;
}

}  // namespace otasign::test
