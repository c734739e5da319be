// `otasign token list` and `otasign token status`: what a PIV card holds, read without a PIN.

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "piv/device.hpp"

namespace otasign::cli {
namespace {

std::string optional_int(const std::optional<int>& v) { return v ? std::to_string(*v) : "unknown"; }
std::string optional_bool(const std::optional<bool>& v, const char* yes, const char* no) {
    return v ? (*v ? yes : no) : "unknown";
}

const char* mode_name(piv::ManagementKeyMode mode) {
    switch (mode) {
        case piv::ManagementKeyMode::manual:
            return "manual";
        case piv::ManagementKeyMode::derived:
            return "derived";
        case piv::ManagementKeyMode::pin_protected:
            return "pin-protected";
        case piv::ManagementKeyMode::unknown:
            break;
    }
    return "unknown";
}

nlohmann::json status_json(const piv::TokenStatus& st) {
    auto opt = [](const auto& v) -> nlohmann::json {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    nlohmann::json slots = nlohmann::json::array();
    for (const auto& s : st.slots) {
        nlohmann::json j{{"slot", piv::slot_name(s.slot)}, {"certificate", s.certificate_present}};
        if (s.key) {
            j["key"] = {{"algorithm", piv::algorithm_name(s.key->algorithm)},
                        {"pin_policy", piv::pin_policy_name(s.key->pin_policy)},
                        {"touch_policy", piv::touch_policy_name(s.key->touch_policy)},
                        {"origin", piv::origin_name(s.key->origin)},
                        {"key_id", s.public_key_id}};
        } else {
            j["key"] = nullptr;
        }
        slots.push_back(std::move(j));
    }
    return {{"reader", st.reader},
            {"model", st.model},
            {"serial", st.serial},
            {"firmware", st.firmware},
            {"metadata_supported", st.metadata_supported},
            {"pin_retries", opt(st.pin_retries)},
            {"puk_retries", opt(st.puk_retries)},
            {"pin_default", opt(st.pin_default)},
            {"puk_default", opt(st.puk_default)},
            {"management_key_default", opt(st.management_key_default)},
            {"management_key_algorithm",
             st.management_key_algorithm
                 ? nlohmann::json(piv::algorithm_name(*st.management_key_algorithm))
                 : nlohmann::json(nullptr)},
            {"management_key_mode", mode_name(st.management_key_mode)},
            {"slots", slots}};
}

void print_status(const piv::TokenStatus& st) {
    std::cout << "reader:          " << st.reader << '\n'
              << "model:           " << st.model << '\n'
              << "serial:          " << st.serial << '\n'
              << "firmware:        " << st.firmware << '\n'
              << "PIN retries:     " << optional_int(st.pin_retries)
              << (st.pin_default && *st.pin_default ? " (factory default PIN!)" : "") << '\n'
              << "PUK retries:     " << optional_int(st.puk_retries)
              << (st.puk_default && *st.puk_default ? " (factory default PUK!)" : "") << '\n'
              << "management key:  "
              << optional_bool(st.management_key_default, "factory default!", "changed") << ", "
              << mode_name(st.management_key_mode)
              << (st.management_key_algorithm
                      ? ", " + piv::algorithm_name(*st.management_key_algorithm)
                      : "")
              << '\n';
    if (!st.metadata_supported)
        std::cout << "note: firmware before 5.3 has no GET METADATA; slot policies are unknown\n";
    for (const auto& s : st.slots) {
        std::cout << "slot " << piv::slot_name(s.slot) << ":         ";
        if (s.key) {
            std::cout << piv::algorithm_name(s.key->algorithm) << ", PIN "
                      << piv::pin_policy_name(s.key->pin_policy) << ", touch "
                      << piv::touch_policy_name(s.key->touch_policy) << ", "
                      << piv::origin_name(s.key->origin);
            if (!s.public_key_id.empty()) std::cout << ", key id " << s.public_key_id;
        } else {
            std::cout << "empty";
        }
        std::cout << (s.certificate_present ? ", certificate" : ", no certificate") << '\n';
    }
}

struct TokenArgs {
    std::string reader;
    bool json = false;
};

}  // namespace

void add_token_status_commands(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto args = std::make_shared<TokenArgs>();

    CLI::App* list =
        group->add_subcommand("list", "List the smart card readers and the PIV cards in them");
    list->footer("Example:\n  otasign token list");
    list->callback([&exit_code] {
        auto readers = piv::PivDevice::list_readers();
        if (!readers.ok()) {
            exit_code = report(readers.error());
            return;
        }
        for (const auto& r : *readers) {
            auto dev = piv::PivDevice::open(r);
            if (!dev.ok()) {
                std::cout << r << ": no PIV card\n";
                continue;
            }
            auto st = dev->status();
            if (!st.ok()) {
                std::cout << r << ": " << st.error().detail << '\n';
                continue;
            }
            std::cout << r << ": " << st->model << ", serial " << st->serial << ", firmware "
                      << st->firmware << '\n';
        }
        exit_code = kOk;
    });

    CLI::App* status = group->add_subcommand(
        "status", "Show a PIV card: model, serial, firmware, retries, slots and their policies");
    status->add_option("--reader", args->reader,
                       "Reader name (substring); default: the first YubiKey");
    status->add_flag("--json", args->json, "Print JSON instead of text");
    status->footer(
        "Reads nothing secret and verifies no PIN; the retry counters come from GET METADATA.\n"
        "Example:\n  otasign token status --reader Yubico --json");
    status->callback([args, &exit_code] {
        auto dev = piv::PivDevice::open(args->reader);
        if (!dev.ok()) {
            exit_code = report(dev.error());
            return;
        }
        auto st = dev->status();
        if (!st.ok()) {
            exit_code = report(st.error());
            return;
        }
        if (args->json)
            std::cout << status_json(*st).dump(2) << '\n';
        else
            print_status(*st);
        exit_code = kOk;
    });
}

}  // namespace otasign::cli
