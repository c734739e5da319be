// `otasign key generate`, `key attest`, `key verify-attestation`: PIV key operations that
// PKCS#11 cannot reach (on-card generation with policies, attestation).

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "exit_codes.hpp"
#include "piv/attestation.hpp"
#include "piv/device.hpp"
#include "piv/keygen.hpp"
#include "piv_cli.hpp"

namespace otasign::cli {
namespace {

struct GenerateArgs {
    std::string slot = "9c";
    std::string algorithm = "ECCP384";
    std::string pin_policy = "always";
    std::string touch_policy = "always";
    std::string reader;
    std::string pin_source;
    std::string management_key_source;
    bool replace_existing = false;
};

struct AttestArgs {
    std::string slot = "9c";
    std::string output;
    std::string reader;
};

struct VerifyArgs {
    std::string file;
    std::string roots;
    bool json = false;
};

// Replacing a signing key destroys it for good: the operator types the card serial and slot.
Status confirm_replacement(OperatorUi& ui, const piv::TokenStatus& st, std::uint8_t slot) {
    std::string expected = "replace " + std::to_string(st.serial) + " " + piv::slot_name(slot);
    ui.display("Slot " + piv::slot_name(slot) + " of card " + std::to_string(st.serial) +
               " holds a key. Generating destroys it; signatures it made stay valid only while the "
               "trust policy keeps its public key.");
    OTASIGN_ASSIGN_OR_RETURN(auto typed, ui.request_value("Type '" + expected + "' to continue: "));
    if (typed != expected)
        return make_error(ErrorCode::Declined, "confirmation did not match; nothing was changed");
    return ok_status();
}

int run_generate(const GenerateArgs& a) {
    auto slot = piv::parse_slot(a.slot);
    if (!slot.ok()) return report(slot.error());
    auto alg = piv::parse_algorithm(a.algorithm);
    if (!alg.ok()) return report(alg.error());
    auto pin_policy = piv::parse_pin_policy(a.pin_policy);
    if (!pin_policy.ok()) return report(pin_policy.error());
    auto touch_policy = piv::parse_touch_policy(a.touch_policy);
    if (!touch_policy.ok()) return report(touch_policy.error());

    auto ui = piv_cli::make_ui();
    auto dev = piv::PivDevice::open(a.reader);
    if (!dev.ok()) return report(dev.error());
    auto st = dev->status();
    if (!st.ok()) return report(st.error());

    piv::GenerateRequest request;
    request.slot = *slot;
    request.algorithm = *alg;
    request.pin_policy = *pin_policy;
    request.touch_policy = *touch_policy;
    for (const auto& s : st->slots) {
        if (s.slot != *slot || !s.key) continue;
        if (!a.replace_existing)
            return report(make_error(
                ErrorCode::PolicyViolation,
                "slot " + a.slot + " already holds a " + piv::algorithm_name(s.key->algorithm) +
                    " key (key id " + s.public_key_id +
                    "); otasign never overwrites a key silently",
                "to destroy it on purpose add --replace-existing-key and confirm on the terminal"));
        Status confirmed = confirm_replacement(*ui, *st, *slot);
        if (!confirmed.ok()) return report(confirmed.error());
        request.replace = piv::ReplaceKey::yes;
    }

    auto mgm = piv_cli::obtain_management_key(a.management_key_source, *st, *ui);
    if (!mgm.ok()) return report(mgm.error());
    auto pin = piv_cli::obtain_secret(a.pin_source, *ui,
                                      "PIN for card " + std::to_string(st->serial) + ": ");
    if (!pin.ok()) return report(pin.error());

    auto generated = piv::generate_signing_key(*dev, request, *pin, mgm->kind, &mgm->key, *ui);
    if (!generated.ok()) return report(generated.error());
    std::cerr << "otasign: generated " << a.algorithm << " key in slot " << a.slot << " of card "
              << st->serial << " and stored its self-signed certificate\n";
    std::cout << generated->key_id << '\n';
    return kOk;
}

int run_attest(const AttestArgs& a) {
    auto slot = piv::parse_slot(a.slot);
    if (!slot.ok()) return report(slot.error());
    std::error_code ec;
    if (std::filesystem::symlink_status(a.output, ec).type() !=
        std::filesystem::file_type::not_found)
        return report(
            make_error(ErrorCode::InvalidInput, a.output + " exists; otasign never overwrites it"));
    auto dev = piv::PivDevice::open(a.reader);
    if (!dev.ok()) return report(dev.error());
    auto attestation = dev->attest(*slot);
    if (!attestation.ok()) return report(attestation.error());
    auto device = dev->read_attestation_device_certificate();
    if (!device.ok()) return report(device.error());
    Status written = write_file_atomic(a.output, piv::attestation_bundle_pem(*attestation, *device),
                                       Overwrite::no);
    if (!written.ok()) return report(written.error());
    std::cerr << "otasign: wrote the attestation of slot " << a.slot
              << " and the card's f9 certificate to " << a.output << '\n';
    return kOk;
}

nlohmann::json report_json(const piv::AttestationReport& r) {
    return {{"slot", r.slot},
            {"algorithm", r.algorithm},
            {"serial", r.serial ? nlohmann::json(*r.serial) : nlohmann::json(nullptr)},
            {"firmware", r.firmware},
            {"pin_policy", r.pin_policy},
            {"touch_policy", r.touch_policy},
            {"origin", r.origin},
            {"form_factor",
             r.form_factor ? nlohmann::json(r.form_factor_name) : nlohmann::json(nullptr)},
            {"key_id", r.public_key_id},
            {"chain", r.chain_subjects},
            {"root", r.root_subject},
            {"root_sha256", r.root_sha256}};
}

int run_verify(const VerifyArgs& a) {
    std::filesystem::path roots = a.roots;
    if (roots.empty()) {
        auto found = piv_cli::default_roots_dir();
        if (!found.ok()) return report(found.error());
        roots = *found;
    }
    auto text = read_file(a.file, 1 << 20);
    if (!text.ok()) return report(text.error());
    auto result = piv::verify_attestation_bundle(*text, a.file, roots);
    if (!result.ok()) return report(result.error());
    const auto& r = *result;
    if (a.json) {
        std::cout << report_json(r).dump(2) << '\n';
        return kOk;
    }
    std::cout << "attestation:  OK (chains to " << r.root_subject << ")\n"
              << "slot:         " << r.slot << '\n'
              << "algorithm:    " << r.algorithm << '\n'
              << "key id:       " << r.public_key_id << '\n'
              << "origin:       " << r.origin << '\n'
              << "PIN policy:   " << r.pin_policy << '\n'
              << "touch policy: " << r.touch_policy << '\n'
              << "serial:       " << (r.serial ? std::to_string(*r.serial) : "absent") << '\n'
              << "firmware:     " << r.firmware << '\n'
              << "form factor:  " << (r.form_factor ? r.form_factor_name : "absent") << '\n';
    return kOk;
}

}  // namespace

void add_key_piv_commands(CLI::App& parent, int& exit_code) {
    CLI::App* key = &parent;

    auto gen = std::make_shared<GenerateArgs>();
    CLI::App* generate = key->add_subcommand(
        "generate", "Generate a key on a PIV card (YubiKey) with its PIN and touch policy");
    generate->add_option("--slot", gen->slot, "PIV slot")->capture_default_str();
    generate->add_option("--algorithm", gen->algorithm, "ECCP384 or ECCP256")
        ->capture_default_str();
    generate->add_option("--pin-policy", gen->pin_policy, "always, once or never")
        ->capture_default_str();
    generate->add_option("--touch-policy", gen->touch_policy, "always, cached or never")
        ->capture_default_str();
    generate->add_option("--reader", gen->reader,
                         "Reader name (substring); default: the first YubiKey");
    generate->add_option("--pin-source", gen->pin_source,
                         "fd:N or file:PATH; default: ask on the terminal");
    generate->add_option("--management-key-source", gen->management_key_source,
                         "default, protected, fd:N or file:PATH (32/48/64 hex digits: the "
                         "card's 3DES or AES key); default: protected if the card says so");
    generate->add_flag(
        "--replace-existing-key", gen->replace_existing,
        "Allow destroying a key already in the slot (asks for a typed confirmation)");
    generate->footer(
        "The new key signs its own certificate (PIN and touch needed) so PKCS#11 modules list it.\n"
        "Prints the key id (sha256 of the public key DER).\n"
        "Example:\n  otasign key generate --slot 9c --algorithm ECCP384 --pin-policy always "
        "--touch-policy always");
    generate->callback([gen, &exit_code] { exit_code = run_generate(*gen); });

    auto att = std::make_shared<AttestArgs>();
    CLI::App* attest = key->add_subcommand(
        "attest", "Export a slot's attestation and the card's f9 certificate (PEM)");
    attest->add_option("--slot", att->slot, "PIV slot")->capture_default_str();
    attest->add_option("-o,--output", att->output, "Output file (never overwritten)")->required();
    attest->add_option("--reader", att->reader, "Reader name (substring)");
    attest->footer("Example:\n  otasign key attest --slot 9c -o 9c-attestation.pem");
    attest->callback([att, &exit_code] { exit_code = run_attest(*att); });

    auto ver = std::make_shared<VerifyArgs>();
    CLI::App* verify = key->add_subcommand(
        "verify-attestation", "Verify an attestation file offline and show what it attests");
    verify->add_option("FILE", ver->file, "File written by 'key attest'")->required();
    verify->add_option(
        "--roots", ver->roots,
        "Folder of trusted root CA PEMs (default: " + piv_cli::installed_roots_dir() + ")");
    verify->add_flag("--json", ver->json, "Print JSON");
    verify->footer(
        "Exit 1 when the chain does not verify.\n"
        "Example:\n  otasign key verify-attestation 9c-attestation.pem --json");
    verify->callback([ver, &exit_code] { exit_code = run_verify(*ver); });
}

}  // namespace otasign::cli
