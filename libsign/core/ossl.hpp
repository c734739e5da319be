#pragma once
// ossl::Ptr<T>: std::unique_ptr with the matching OpenSSL free function, as Tink's SslUniquePtr.
// Raw OpenSSL pointers do not cross module boundaries; these do.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

namespace otasign::ossl {

template <class T>
struct Deleter;
#define OTASIGN_OSSL_DELETER(T, fn)                     \
    template <>                                         \
    struct Deleter<T> {                                 \
        void operator()(T* p) const noexcept { fn(p); } \
    };
OTASIGN_OSSL_DELETER(EVP_PKEY, EVP_PKEY_free)
OTASIGN_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
OTASIGN_OSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free)
OTASIGN_OSSL_DELETER(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)
OTASIGN_OSSL_DELETER(ECDSA_SIG, ECDSA_SIG_free)
// BN_clear_free: a BIGNUM may hold a private value (a key part, a nonce); wipe it always.
OTASIGN_OSSL_DELETER(BIGNUM, BN_clear_free)
OTASIGN_OSSL_DELETER(BIO, BIO_free_all)
OTASIGN_OSSL_DELETER(X509, X509_free)
OTASIGN_OSSL_DELETER(X509_STORE, X509_STORE_free)
OTASIGN_OSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free)
OTASIGN_OSSL_DELETER(X509_NAME, X509_NAME_free)
OTASIGN_OSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free)
OTASIGN_OSSL_DELETER(ASN1_STRING,
                     ASN1_STRING_free)  // also ASN1_INTEGER, ASN1_OCTET_STRING, ASN1_TIME
#undef OTASIGN_OSSL_DELETER

template <class T>
using Ptr = std::unique_ptr<T, Deleter<T>>;

// The most recent OpenSSL error queue entry as text (and clears the queue), for error details.
std::string last_error();

}  // namespace otasign::ossl
