// `otasign ceremony ...`: the scripted steps of ceremony/RUNBOOK.md for provisioning a
// manifest-signing key on a new YubiKey under dual control.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/file_lock.hpp"
#include "core/words.hpp"
#include "envelope/commit_journal.hpp"
#include "envelope/keys.hpp"
#include "exit_codes.hpp"
#include "json/strict.hpp"
#include "piv/attestation.hpp"
#include "piv/ceremony.hpp"
#include "piv/device.hpp"
#include "piv/keygen.hpp"
#include "piv_cli.hpp"
#include "pkcs11/key.hpp"
#include "pkcs11/pin_source.hpp"
#include "pkcs11/signer.hpp"
#include "policy/policy.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {
namespace {

constexpr std::uint8_t kCeremonySlot = 0x9c;

struct CeremonyArgs {
    std::string reader;
    bool json = false;
    std::string new_pin_source, new_puk_source, pin_source;
    std::string algorithm = "ECCP384";
    std::string output, roots, attestation, operator_name, witness_name, location, notes;
    std::string log = "ceremony/log";
    std::string witness_key, witness_module, witness_pin_source;
    std::string record, policy, role = "manifest", name;
    bool require_attestation = false;
};

std::string now_rfc3339() {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void print_check(const piv::CardCheck& c, const char* title) {
    std::cout << title << '\n';
    for (const auto& p : c.passed) std::cout << "  ok    " << p << '\n';
    for (const auto& p : c.problems) std::cout << "  FAIL  " << p << '\n';
}

Result<std::filesystem::path> roots_dir(const std::string& given) {
    if (!given.empty()) return std::filesystem::path(given);
    return piv_cli::default_roots_dir();
}

Status refuse_existing(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found)
        return make_error(ErrorCode::InvalidInput,
                          path + " exists; ceremony outputs are never overwritten");
    return ok_status();
}

int run_check(const CeremonyArgs& a) {
    auto dev = piv::PivDevice::open(a.reader);
    if (!dev.ok()) return report(dev.error());
    auto st = dev->status();
    if (!st.ok()) return report(st.error());
    auto c = piv::check_new_card(*st);
    if (a.json) {
        std::cout << nlohmann::json{{"serial", st->serial},
                                    {"firmware", st->firmware},
                                    {"new", c.is_new},
                                    {"passed", c.passed},
                                    {"problems", c.problems}}
                         .dump(2)
                  << '\n';
    } else {
        std::cout << "card " << st->serial << " (" << st->model << ", firmware " << st->firmware
                  << ")\n";
        print_check(c, c.is_new ? "the card is new or reset:" : "the card is NOT new:");
    }
    if (!c.is_new)
        return report(make_error(
            ErrorCode::PolicyViolation,
            "card " + std::to_string(st->serial) + " is not new or reset",
            "use a new YubiKey, or reset its PIV applet ('ykman piv reset') and check again"));
    return kOk;
}

int run_init(const CeremonyArgs& a) {
    auto ui = piv_cli::make_ui();
    auto dev = piv::PivDevice::open(a.reader);
    if (!dev.ok()) return report(dev.error());
    auto st = dev->status();
    if (!st.ok()) return report(st.error());
    auto c = piv::check_new_card(*st);
    if (!c.is_new) {
        print_check(c, "the card is NOT new:");
        return report(
            make_error(ErrorCode::PolicyViolation, "ceremony init needs a new or reset card"));
    }
    auto new_pin = piv_cli::obtain_new_secret(a.new_pin_source, *ui, "PIN");
    if (!new_pin.ok()) return report(new_pin.error());
    auto new_puk = piv_cli::obtain_new_secret(a.new_puk_source, *ui, "PUK");
    if (!new_puk.ok()) return report(new_puk.error());

    // The factory values are public (Yubico's documentation); the check above proved they are set.
    SecretBuffer default_pin, default_puk;
    default_pin.assign(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>("123456"), 6));
    default_puk.assign(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>("12345678"), 8));

    auto step = [&](Status s, const char* done) -> bool {
        if (!s.ok()) return false;
        std::cerr << "otasign: " << done << '\n';
        return true;
    };
    // Prove the default management key works before anything changes: a card otasign cannot
    // administer must be refused with its PIN and PUK still at the factory values.
    Status s = dev->authenticate_default();
    if (!s.ok()) return report(s.error());
    s = dev->change_reference(0x80, default_pin, *new_pin);
    if (!step(s, "PIN changed")) return report(s.error());
    s = dev->change_reference(0x81, default_puk, *new_puk);
    if (!step(s, "PUK changed")) return report(s.error());
    s = dev->authenticate_default();
    if (!s.ok()) return report(s.error());
    s = dev->verify_pin(*new_pin);
    if (!s.ok()) return report(s.error());
    auto set = dev->set_random_protected_management_key();
    if (!set.ok()) return report(set.error());
    std::cerr << "otasign: random " << piv::algorithm_name(std::uint8_t(*set))
              << " management key set and stored under the PIN\n";

    auto after = dev->status();
    if (!after.ok()) return report(after.error());
    auto ready = piv::check_initialised_card(*after);
    print_check(ready, ready.is_new ? "card initialised:" : "card NOT initialised:");
    return ready.is_new
               ? kOk
               : report(make_error(ErrorCode::TokenError, "initialisation did not take effect"));
}

int run_generate(const CeremonyArgs& a) {
    auto alg = piv::parse_algorithm(a.algorithm);
    if (!alg.ok()) return report(alg.error());
    auto ui = piv_cli::make_ui();
    auto dev = piv::PivDevice::open(a.reader);
    if (!dev.ok()) return report(dev.error());
    auto st = dev->status();
    if (!st.ok()) return report(st.error());
    auto ready = piv::check_initialised_card(*st);
    if (!ready.is_new) {
        print_check(ready, "the card is not initialised:");
        return report(make_error(ErrorCode::PolicyViolation, "run 'otasign ceremony init' first"));
    }
    auto pin = piv_cli::obtain_secret(a.pin_source, *ui,
                                      "PIN for card " + std::to_string(st->serial) + ": ");
    if (!pin.ok()) return report(pin.error());
    piv::GenerateRequest request;
    request.slot = kCeremonySlot;
    request.algorithm = *alg;
    request.pin_policy = piv::PinPolicy::always;
    request.touch_policy = piv::TouchPolicy::always;
    auto generated = piv::generate_signing_key(*dev, request, *pin,
                                               piv::ManagementKeyKind::pin_protected, nullptr, *ui);
    if (!generated.ok()) return report(generated.error());
    std::cerr << "otasign: generated " << a.algorithm
              << " in slot 9c (PIN always, touch always) on card " << st->serial << '\n';
    std::cout << generated->key_id << '\n';
    return kOk;
}

// The attestation of 9c, verified, with the properties the ceremony requires.
Result<piv::AttestationReport> checked_report(std::string_view pem, std::string_view name,
                                              const std::filesystem::path& roots) {
    OTASIGN_ASSIGN_OR_RETURN(auto r, piv::verify_attestation_bundle(pem, name, roots));
    if (r.slot != "9c" || r.pin_policy != "always" || r.touch_policy != "always")
        return make_error(ErrorCode::PolicyViolation,
                          "the attested key is slot " + r.slot + ", PIN " + r.pin_policy +
                              ", touch " + r.touch_policy +
                              "; the ceremony requires slot 9c with PIN always and touch always");
    return r;
}

int run_attest(const CeremonyArgs& a) {
    if (auto s = refuse_existing(a.output); !s.ok()) return report(s.error());
    auto roots = roots_dir(a.roots);
    if (!roots.ok()) return report(roots.error());
    auto dev = piv::PivDevice::open(a.reader);
    if (!dev.ok()) return report(dev.error());
    auto att = dev->attest(kCeremonySlot);
    if (!att.ok()) return report(att.error());
    auto f9 = dev->read_attestation_device_certificate();
    if (!f9.ok()) return report(f9.error());
    std::string pem = piv::attestation_bundle_pem(*att, *f9);
    auto r = checked_report(pem, "attestation from the card", *roots);
    if (!r.ok()) return report(r.error());
    auto st = dev->status();
    if (!st.ok()) return report(st.error());
    if (r->serial && *r->serial != st->serial)
        return report(make_error(ErrorCode::PolicyViolation,
                                 "the attestation names serial " + std::to_string(*r->serial) +
                                     " but the card reports " + std::to_string(st->serial)));
    for (const auto& s : st->slots)
        if (s.slot == kCeremonySlot && s.public_key_id != r->public_key_id)
            return report(make_error(ErrorCode::PolicyViolation,
                                     "the attested key is not the key in slot 9c"));
    if (auto s = write_file_atomic(a.output, pem, Overwrite::no); !s.ok()) return report(s.error());
    std::cout << "attestation OK: slot 9c " << r->algorithm << ", origin " << r->origin << ", PIN "
              << r->pin_policy << ", touch " << r->touch_policy << ", serial "
              << (r->serial ? std::to_string(*r->serial) : "?") << ", firmware " << r->firmware
              << "\nroot: " << r->root_subject << "\nkey id: " << r->public_key_id
              << "\nwritten to " << a.output << '\n';
    return kOk;
}

int run_record(const CeremonyArgs& a) {
    if (auto s = refuse_existing(a.output); !s.ok()) return report(s.error());
    if (a.operator_name.empty() || a.witness_name.empty() || a.operator_name == a.witness_name)
        return report(make_error(ErrorCode::Usage,
                                 "a ceremony needs an --operator and a different --witness"));
    auto roots = roots_dir(a.roots);
    if (!roots.ok()) return report(roots.error());
    auto pem = read_file(a.attestation, 1 << 20);
    if (!pem.ok()) return report(pem.error());
    auto r = checked_report(*pem, a.attestation, *roots);
    if (!r.ok()) return report(r.error());

    auto ui = piv_cli::make_ui();
    auto dev = piv::PivDevice::open(a.reader);
    if (!dev.ok()) return report(dev.error());
    auto st = dev->status();
    if (!st.ok()) return report(st.error());
    if (r->serial && *r->serial != st->serial)
        return report(make_error(ErrorCode::PolicyViolation, "the attestation is from card " +
                                                                 std::to_string(*r->serial) +
                                                                 ", not the card present (" +
                                                                 std::to_string(st->serial) + ")"));

    // A broken log is never extended: find out before anyone types a PIN or touches the key.
    // The log is locked from here to the write, and an interrupted earlier write completed.
    auto log_target = resolve_write_path(a.log);
    if (!log_target.ok()) return report(log_target.error());
    auto log_lock = FileLock::acquire(log_target->string() + ".lock", [&] {
        std::cerr << "otasign: waiting for " << terminal_safe(log_target->string())
                  << ".lock: another ceremony record is being written\n";
    });
    if (!log_lock.ok()) return report(log_lock.error());
    if (auto rec = envelope::recover_commit(log_target->string() + ".journal",
                                            {*log_target, std::filesystem::path(a.output)},
                                            envelope::RecoverMode::repair);
        !rec.ok())
        return report(rec.error());
    auto existing_log = std::filesystem::exists(*log_target) ? read_file(*log_target)
                                                             : Result<std::string>(std::string());
    if (!existing_log.ok()) return report(existing_log.error());
    if (auto n = piv::check_ceremony_log(*existing_log, a.log); !n.ok()) return report(n.error());

    piv::CeremonyFacts facts;
    facts.created = now_rfc3339();
    facts.operator_name = a.operator_name;
    facts.witness_name = a.witness_name;
    facts.location = a.location;
    facts.notes = a.notes;
    facts.card = *st;
    facts.attestation = *r;
    facts.attestation_pem = *pem;
    std::string payload = piv::ceremony_payload(facts);

    auto pin = piv_cli::obtain_secret(a.pin_source, *ui,
                                      "PIN for card " + std::to_string(st->serial) + ": ");
    if (!pin.ok()) return report(pin.error());
    ui->display("The new key signs the ceremony record (" + sha256_hex(payload) + ")");
    const std::string pae = piv::ceremony_pae(payload);
    auto sig = piv::sign_with_slot(*dev, kCeremonySlot, *pin, pae, *ui);
    if (!sig.ok()) return report(sig.error());
    std::vector<piv::CeremonySignature> sigs;
    sigs.push_back({"ceremony-key", r->public_key_id,
                    r->algorithm == "ECCP384" ? "ecdsa-p384-sha384" : "ecdsa-p256-sha256",
                    r->spki_der, *sig});

    if (!a.witness_key.empty()) {
        auto key = pkcs11::open_key(a.witness_key, pkcs11::KeyOptions{a.witness_module});
        if (!key.ok()) return report(key.error());
        pkcs11::SignOptions options;
        if (!a.witness_pin_source.empty()) {
            auto src = pkcs11::PinSource::parse(a.witness_pin_source);
            if (!src.ok()) return report(src.error());
            options.pin_source = *src;
        }
        ui->display("The witness countersigns the ceremony record");
        auto wsig = pkcs11::sign(*key, pae, options, *ui);
        if (!wsig.ok()) return report(wsig.error());
        const std::string& spki = key->spki_der();
        sigs.push_back({"witness", wsig->key_id, wsig->algorithm,
                        std::vector<std::uint8_t>(spki.begin(), spki.end()), wsig->signature});
    }

    std::string record = piv::ceremony_record(payload, sigs);
    // Sign, then check, before anything is written.
    auto verified = piv::verify_ceremony_record(record, a.output);
    if (!verified.ok()) return report(verified.error());

    auto new_log = piv::append_ceremony_log(*existing_log, a.log, facts.created, a.output, record,
                                            r->public_key_id, st->serial);
    if (!new_log.ok()) return report(new_log.error());
    // The record and the log line appear together or not at all (as sign's bundle and log).
    if (auto s =
            envelope::commit_files(std::filesystem::path(*log_target).string() + ".journal",
                                   {{std::filesystem::path(a.output), std::nullopt, record},
                                    {*log_target,
                                     existing_log->empty() && !std::filesystem::exists(*log_target)
                                         ? std::nullopt
                                         : std::optional<std::string>(*existing_log),
                                     *new_log}});
        !s.ok())
        return report(s.error());
    std::cout << "ceremony record " << a.output << " signed by "
              << plural(verified->signer_roles.size(), "key") << ", logged in " << a.log
              << "\nrecord sha256: " << sha256_hex(record) << '\n';
    return kOk;
}

int run_verify_record(const CeremonyArgs& a) {
    auto bytes = read_file(a.record, 4 << 20);
    if (!bytes.ok()) return report(bytes.error());
    auto v = piv::verify_ceremony_record(*bytes, a.record);
    if (!v.ok()) return report(v.error());
    const json::Value& payload = v->payload_json;
    auto roots = roots_dir(a.roots);
    if (!roots.ok()) return report(roots.error());
    auto r = checked_report(payload["attestation"]["pem"].get<std::string>(),
                            a.record + " (attestation)", *roots);
    if (!r.ok()) return report(r.error());
    if (r->public_key_id != v->ceremony_key_id)
        return report(
            make_error(ErrorCode::BadSignature, "the record's attestation is for another key"));
    if (!a.log.empty() && std::filesystem::exists(a.log)) {
        auto log = read_file(a.log);
        if (!log.ok()) return report(log.error());
        auto n = piv::check_record_logged(*log, a.log, *bytes, a.record);
        if (!n.ok()) return report(n.error());
        std::cout << "log " << a.log << ": " << *n
                  << " entries, chain intact, the record is in it\n";
    }
    std::cout << "record OK: key " << v->ceremony_key_id << " (card " << payload["card"]["serial"]
              << "), signed by";
    for (const auto& role : v->signer_roles) std::cout << ' ' << role;
    std::cout << "; operator " << terminal_safe(payload["operator"].get<std::string>())
              << ", witness " << terminal_safe(payload["witness"].get<std::string>())
              << (v->legacy ? " (legacy record: signed over the bare payload)" : "") << '\n';
    return kOk;
}

int run_add_to_policy(const CeremonyArgs& a) {
    auto bytes = read_file(a.record, 4 << 20);
    if (!bytes.ok()) return report(bytes.error());
    auto v = piv::verify_ceremony_record(*bytes, a.record);
    if (!v.ok()) return report(v.error());
    const json::Value& payload = v->payload_json;
    auto spki = envelope::base64_decode(payload["key"]["spki"].get<std::string>());
    if (!spki.ok()) return report(spki.error());
    auto key = envelope::public_key_from_spki(*spki, a.record + " key.spki");
    if (!key.ok()) return report(key.error());
    const std::string& pem = key->pem;

    auto policy_bytes = read_file(a.policy);
    if (!policy_bytes.ok()) return report(policy_bytes.error());
    auto current = policy::parse_policy(*policy_bytes, a.policy);
    if (!current.ok()) return report(current.error());
    auto role = policy::role_from_name(a.role);
    if (!role.ok()) return report(role.error());
    std::string serial = std::to_string(payload["card"]["serial"].get<std::uint32_t>());
    auto doc = policy::add_key(current->document, *role, pem,
                               a.name.empty() ? v->ceremony_key_id.substr(0, 16) : a.name, serial,
                               a.record);
    if (!doc.ok()) return report(doc.error());
    if (a.require_attestation) {
        // The --roots certificates (the ones the ceremony attested against) become the anchors.
        auto roots = roots_dir(a.roots);
        if (!roots.ok()) return report(roots.error());
        std::vector<std::string> root_pems, intermediate_pems;
        for (auto* list : {&root_pems, &intermediate_pems}) {
            std::filesystem::path dir = list == &root_pems ? *roots : *roots / "intermediates";
            std::vector<std::filesystem::path> files;
            std::error_code ec;
            for (const auto& e : std::filesystem::directory_iterator(dir, ec))
                if (e.is_regular_file() && e.path().extension() == ".pem")
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files) {
                auto text = read_file(f, 1 << 20);
                if (!text.ok()) return report(text.error());
                list->push_back(*text);
            }
        }
        policy::AttestationRequirement req;
        req.pin_policies = {"always"};
        req.touch_policies = {"always"};
        doc = policy::require_attestation(*doc, *role, req, root_pems, intermediate_pems, a.policy);
        if (!doc.ok()) return report(doc.error());
    }
    if (auto s = write_file_atomic(a.policy, policy::serialize_policy(*doc), Overwrite::yes);
        !s.ok())
        return report(s.error());
    std::cout << "added key " << v->ceremony_key_id << " (card " << serial << ") to role " << a.role
              << " in " << a.policy << '\n';
    return kOk;
}

}  // namespace

void add_ceremony_commands(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto args = std::make_shared<CeremonyArgs>();
    auto reader = [args](CLI::App* c) {
        c->add_option("--reader", args->reader,
                      "Reader name (substring); default: the first YubiKey");
    };

    CLI::App* check = group->add_subcommand(
        "check",
        "Step 1: prove the card is new or reset (default PIN/PUK/management key, empty slots)");
    reader(check);
    check->add_flag("--json", args->json, "Print JSON");
    check->footer("Exit 1 when the card is not new.\nExample:\n  otasign ceremony check");
    check->callback([args, &exit_code] { exit_code = run_check(*args); });

    CLI::App* init = group->add_subcommand(
        "init", "Step 2: set the PIN and PUK, and a random management key protected by the PIN");
    reader(init);
    init->add_option("--new-pin-source", args->new_pin_source,
                     "fd:N or file:PATH; default: typed twice on the terminal");
    init->add_option("--new-puk-source", args->new_puk_source,
                     "fd:N or file:PATH; default: typed twice on the terminal");
    init->footer(
        "Refuses a card that is not new. Nobody ever sees the management key: it is random and\n"
        "stored on the card under the PIN.\nExample:\n  otasign ceremony init");
    init->callback([args, &exit_code] { exit_code = run_init(*args); });

    CLI::App* gen = group->add_subcommand(
        "generate", "Step 3: generate the signing key in 9c (PIN always, touch always)");
    reader(gen);
    gen->add_option("--algorithm", args->algorithm, "ECCP384 or ECCP256")->capture_default_str();
    gen->add_option("--pin-source", args->pin_source, "fd:N or file:PATH; default: the terminal");
    gen->footer("Prints the key id.\nExample:\n  otasign ceremony generate --algorithm ECCP384");
    gen->callback([args, &exit_code] { exit_code = run_generate(*args); });

    CLI::App* att = group->add_subcommand(
        "attest", "Step 4: export the attestation of 9c and verify it against the roots");
    reader(att);
    att->add_option("-o,--output", args->output, "Attestation PEM to write (never overwritten)")
        ->required();
    att->add_option("--roots", args->roots,
                    "Trusted roots folder (default: " + piv_cli::installed_roots_dir() + ")");
    att->footer("Example:\n  otasign ceremony attest -o 9c-attestation.pem");
    att->callback([args, &exit_code] { exit_code = run_attest(*args); });

    CLI::App* rec = group->add_subcommand(
        "record",
        "Step 5: write the ceremony record signed by the new key (and the witness) and log it");
    reader(rec);
    rec->add_option("--attestation", args->attestation, "The file from 'ceremony attest'")
        ->required();
    rec->add_option("--operator", args->operator_name, "Operator's name")->required();
    rec->add_option("--witness", args->witness_name, "Witness's name")->required();
    rec->add_option("--location", args->location, "Where the ceremony took place");
    rec->add_option("--notes", args->notes, "Free text (e.g. tamper-bag numbers)");
    rec->add_option("-o,--output", args->output, "Record file to write (never overwritten)")
        ->required();
    rec->add_option("--log", args->log, "Hash-chained ceremony log to append to")
        ->capture_default_str();
    rec->add_option("--roots", args->roots,
                    "Trusted roots folder (default: " + piv_cli::installed_roots_dir() + ")");
    rec->add_option("--pin-source", args->pin_source,
                    "fd:N or file:PATH for the card PIN; default: the terminal");
    rec->add_option("--witness-key", args->witness_key,
                    "PKCS#11 URI of the witness's key to countersign with");
    rec->add_option("--witness-module", args->witness_module, "PKCS#11 module for --witness-key");
    rec->add_option("--witness-pin-source", args->witness_pin_source,
                    "fd:N or file:PATH for the witness key's PIN");
    rec->footer(
        "Example:\n  otasign ceremony record --attestation 9c-attestation.pem --operator alice "
        "--witness bob \\\n"
        "      -o ceremony/records/2026-11-23-card-12345678.json");
    rec->callback([args, &exit_code] { exit_code = run_record(*args); });

    CLI::App* ver = group->add_subcommand(
        "verify-record", "Check a ceremony record's signatures, attestation and the log chain");
    ver->add_option("RECORD", args->record, "Ceremony record file")->required();
    ver->add_option("--log", args->log, "Ceremony log to check ('' to skip)")
        ->capture_default_str();
    ver->add_option("--roots", args->roots,
                    "Trusted roots folder (default: " + piv_cli::installed_roots_dir() + ")");
    ver->footer(
        "Example:\n  otasign ceremony verify-record "
        "ceremony/records/2026-11-23-card-12345678.json");
    ver->callback([args, &exit_code] { exit_code = run_verify_record(*args); });

    CLI::App* add = group->add_subcommand("add-to-policy",
                                          "Step 6: add the ceremony's key to a trust policy role");
    add->add_option("RECORD", args->record, "Ceremony record file")->required();
    add->add_option("--policy", args->policy, "Trust policy file")->required();
    add->add_option("--role", args->role, "manifest or release")->capture_default_str();
    add->add_option("--name", args->name, "Name of the key in the policy");
    add->add_flag("--require-attestation", args->require_attestation,
                  "Also make the role require PIV attestation (origin generated, PIN and touch "
                  "always), embedding the --roots certificates in the policy");
    add->add_option("--roots", args->roots,
                    "Trusted roots folder (default: " + piv_cli::installed_roots_dir() + ")");
    add->footer(
        "Verifies the record first; the key is pinned to the card serial.\n"
        "Example:\n  otasign ceremony add-to-policy record.json --policy policy.json --role "
        "manifest --name ota-2026");
    add->callback([args, &exit_code] { exit_code = run_add_to_policy(*args); });
}

}  // namespace otasign::cli
