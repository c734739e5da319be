// `otasign key export` and `otasign key list`: the public side of token keys, without a PIN.

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "exit_codes.hpp"
#include "pkcs11/key.hpp"

namespace otasign::cli {
namespace {

struct KeyArgs {
    std::string uri = "pkcs11:";
    std::string module;
    std::string output;
};

int run_export(const KeyArgs& args) {
    // Checked before touching the token; the atomic link below still refuses if the file
    // appears in the meantime.
    std::error_code ec;
    if (std::filesystem::symlink_status(args.output, ec).type() !=
        std::filesystem::file_type::not_found)
        return report(make_error(ErrorCode::InvalidInput,
                                 args.output + " exists; otasign never overwrites it",
                                 "choose another -o path or remove the old file first"));
    auto key = pkcs11::open_key(args.uri, pkcs11::KeyOptions{args.module});
    if (!key.ok()) return report(key.error());
    auto pem = key->spki_pem();
    if (!pem.ok()) return report(pem.error());
    Status written = write_file_atomic(args.output, *pem, Overwrite::no);
    if (!written.ok()) return report(written.error());
    std::cerr << "otasign: wrote the public key of " << key->info().describe() << " to "
              << args.output << '\n';
    std::cout << key->key_id() << '\n';
    return kOk;
}

int run_list(const KeyArgs& args) {
    pkcs11::KeyOptions options{args.module};
    auto tokens = pkcs11::list_tokens(args.uri, options);
    if (!tokens.ok()) return report(tokens.error());
    auto keys = pkcs11::list_keys(args.uri, options);
    if (!keys.ok()) return report(keys.error());
    if (tokens->empty()) {
        std::cerr << "otasign: no token matches " << args.uri << '\n';
        return kOk;
    }
    for (const auto& token : *tokens) {
        std::cout << "token '" << token.label << "' (" << token.manufacturer << " " << token.model
                  << ", serial " << token.serial << ", slot " << token.slot_id << ")\n"
                  << "  uri:   " << token.uri << '\n'
                  << "  flags:";
        for (const auto& f : token.flag_names()) std::cout << ' ' << f;
        std::cout << '\n';
        for (const auto& key : *keys) {
            if (key.token.slot_id != token.slot_id) continue;
            std::cout << "  key '" << key.label << "' id "
                      << (key.id.empty() ? "(none)" : to_hex(key.id)) << ", " << key.key_type
                      << (key.always_authenticate ? ", always-authenticate" : "") << '\n'
                      << "    uri:    " << key.uri << '\n';
            if (!key.key_id.empty()) std::cout << "    key id: " << key.key_id << '\n';
        }
    }
    return kOk;
}

}  // namespace

void add_key_token_commands(CLI::App& parent, int& exit_code) {
    CLI::App* key = &parent;

    auto export_args = std::make_shared<KeyArgs>();
    CLI::App* exp =
        key->add_subcommand("export",
                            "Write the public key (SubjectPublicKeyInfo PEM) of a token key "
                            "and print its key id (sha256 of the DER)");
    exp->add_option("--key", export_args->uri,
                    "PKCS#11 URI (RFC 7512) selecting exactly one private key")
        ->required();
    exp->add_option("-o,--output", export_args->output, "PEM file to create (never overwritten)")
        ->required();
    exp->add_option("--module", export_args->module,
                    "PKCS#11 module (default: the URI's module-path, else p11-kit's proxy)");
    exp->footer(
        "Example:\n  otasign key export --key 'pkcs11:token=release;object=SIGN%20key' -o "
        "release.pub.pem\n"
        "No PIN is needed: the public key is read from the token's public objects.");
    exp->callback([export_args, &exit_code] { exit_code = run_export(*export_args); });

    auto list_args = std::make_shared<KeyArgs>();
    CLI::App* list = key->add_subcommand(
        "list", "List tokens and their private keys with the URIs that select them");
    list->add_option("--key", list_args->uri,
                     "PKCS#11 URI to filter by (default: pkcs11:, everything)");
    list->add_option("--module", list_args->module,
                     "PKCS#11 module (default: the URI's module-path, else p11-kit's proxy)");
    list->footer(
        "Example:\n  otasign key list --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so\n"
        "Keys that a token hides until login are listed through their public keys.");
    list->callback([list_args, &exit_code] { exit_code = run_list(*list_args); });
}

}  // namespace otasign::cli
