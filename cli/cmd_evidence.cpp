// otasign evidence verify|show: auditing the hash-chained evidence log that `sign` appends to.

#include <iostream>
#include <optional>

#include "core/atomic_file.hpp"
#include "envelope/evidence_log.hpp"
#include "exit_codes.hpp"
#include "options.hpp"
#include "policy/policy.hpp"
#include "registry.hpp"

namespace otasign::cli {
namespace {

std::string describe_entry(const envelope::EvidenceEntry& e, const envelope::Statement* st,
                           const std::string& status) {
    std::string out = "entry " + std::to_string(e.index) + " (" + status + ")\n";
    out += "  recorded        " + e.recorded + "\n";
    out += "  manifest file   " + e.manifest_path + "\n";
    out += "  bundle file     " + e.bundle_path + "\n";
    out += "  signer key id   " + e.signature.key_id + " (" + e.signature.algorithm + ")\n";
    if (st) {
        const auto& a = st->approval;
        out += "  release         " + st->release_id + " " + st->release_version + " (channel " +
               st->release_channel + ")\n";
        out += "  manifest sha256 " + st->manifest_sha256 + " (" +
               std::to_string(st->manifest_size) + " bytes)\n";
        if (st->previous_sha256) out += "  previous sha256 " + *st->previous_sha256 + "\n";
        out += "  shown text      sha256 " + st->shown_text_sha256 + "\n";
        if (st->shown_diff_sha256)
            out += "  shown diff JSON sha256 " + *st->shown_diff_sha256 + "\n";
        out += "  operator        " + a.operator_name + " on host " + a.host + "\n";
        out += "  approved        " + a.time + " by " + envelope::approval_method_name(a.method) +
               "\n";
        out += "  token           " + a.token.manufacturer + " / " + a.token.model + " serial " +
               a.token.serial + " label " + a.token.label + "\n";
        out += "  key label       " + a.key_label + "\n";
        out += "  PIN retries     " +
               (a.pin_retries_left ? std::to_string(*a.pin_retries_left)
                                   : std::string("not reported")) +
               " (" + a.pin_status + ")\n";
        out += "  tool            " + a.tool + "\n";
    }
    return out;
}

CommandGroup g(45, [](CLI::App& app, int& exit_code) {
    CLI::App* group =
        subcommand_group(app, "evidence", "Check and show the hash-chained evidence log");

    struct Args {
        std::string log, policy_path;
        std::optional<std::uint64_t> index;
        bool json = false;
    };
    auto args = std::make_shared<Args>();

    CLI::App* ver =
        group->add_subcommand("verify", "Check the log's hash chain and every entry's signature");
    ver->add_option("LOG", args->log, "Evidence log (JSON lines)")->required();
    ver->add_option("--policy", args->policy_path,
                    "Also require every signer to be a key of the trust policy");
    ver->footer(
        "Exit 0 when the chain and every signature verify, 1 when not, 3 for a malformed log.\n"
        "Example:\n  otasign evidence verify evidence.log.jsonl --policy policy.json");
    ver->callback([args, &exit_code] {
        auto run = [&]() -> Status {
            OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(args->log));
            std::optional<policy::Policy> pol;
            if (!args->policy_path.empty()) {
                OTASIGN_ASSIGN_OR_RETURN(std::string pbytes, read_file(args->policy_path));
                OTASIGN_ASSIGN_OR_RETURN(pol, policy::parse_policy(pbytes, args->policy_path));
            }
            OTASIGN_ASSIGN_OR_RETURN(envelope::EvidenceLog log,
                                     envelope::read_evidence_log(bytes, args->log));
            std::size_t failures = 0;
            for (const auto& e : log.entries) {
                std::string where = args->log + " entry " + std::to_string(e.index);
                auto st = envelope::open_entry_self(e.signature, where);
                if (!st) {
                    ++failures;
                    std::cout << "entry " << e.index << ": FAIL: " << st.error().detail << "\n";
                    continue;
                }
                std::string role_note;
                if (pol) {
                    const policy::PolicyKey* pk = pol->manifest.find(st->key_id);
                    const char* role = "manifest";
                    if (!pk) {
                        pk = pol->release.find(st->key_id);
                        role = "release";
                    }
                    if (!pk) {
                        ++failures;
                        std::cout << "entry " << e.index << ": FAIL: signer key " << st->key_id
                                  << " is not in the policy " << args->policy_path << "\n";
                        continue;
                    }
                    role_note = std::string(", key '") + pk->name + "' of role " + role;
                }
                std::cout << "entry " << e.index << ": ok: " << st->release_id << " "
                          << st->release_version << " signed by " << st->approval.operator_name
                          << " at " << st->approval.time << role_note << "\n";
            }
            if (failures)
                return make_error(ErrorCode::BadSignature, args->log + ": " +
                                                               std::to_string(failures) + " of " +
                                                               std::to_string(log.entries.size()) +
                                                               " entries do not verify");
            std::cout << args->log << ": chain of " << log.entries.size()
                      << " entries intact, every signature verifies\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });

    CLI::App* show = group->add_subcommand("show", "Print evidence records for an auditor");
    show->add_option("LOG", args->log, "Evidence log (JSON lines)")->required();
    show->add_option("--index", args->index, "Only the entry with this index (0-based)")
        ->check(non_negative_integer());
    show->add_flag("--json", args->json,
                   "One JSON document: entries with their decoded statements");
    show->footer(
        "Shows what each signer approved: operator, time, token, shown-diff digest. The chain is "
        "checked\n"
        "first; a statement is shown as verified only when its signature verifies with the key in "
        "the entry.\n"
        "Example:\n  otasign evidence show evidence.log.jsonl --index 0");
    show->callback([args, &exit_code] {
        auto run = [&]() -> Status {
            OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(args->log));
            OTASIGN_ASSIGN_OR_RETURN(envelope::EvidenceLog log,
                                     envelope::read_evidence_log(bytes, args->log));
            if (args->index && *args->index >= log.entries.size())
                return make_error(ErrorCode::Usage,
                                  args->log + " has " + std::to_string(log.entries.size()) +
                                      " entries; no index " + std::to_string(*args->index));
            json::Value out = json::Value::array();
            for (const auto& e : log.entries) {
                if (args->index && e.index != *args->index) continue;
                auto st = envelope::open_entry_self(e.signature, args->log);
                std::string status = st ? "signature verifies with the entry's key"
                                        : "SIGNATURE DOES NOT VERIFY: " + st.error().detail;
                if (args->json) {
                    json::Value j = {{"index", e.index},
                                     {"recorded", e.recorded},
                                     {"manifestPath", e.manifest_path},
                                     {"bundlePath", e.bundle_path},
                                     {"keyid", e.signature.key_id},
                                     {"signatureVerifies", st.ok()}};
                    j["statement"] = st ? envelope::statement_to_json(*st) : json::Value(nullptr);
                    out.push_back(j);
                } else {
                    std::cout << describe_entry(e, st ? &*st : nullptr, status);
                }
            }
            if (args->json)
                std::cout << json::Value{{"log", args->log}, {"entries", out}}.dump(2) << "\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });
});

}  // namespace
}  // namespace otasign::cli
