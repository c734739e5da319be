// otasign evidence verify|show: auditing the hash-chained evidence log that `sign` appends to.

#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "core/file_lock.hpp"
#include "documents.hpp"
#include "envelope/commit_journal.hpp"
#include "envelope/evidence_log.hpp"
#include "exit_codes.hpp"
#include "options.hpp"
#include "policy/policy.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {
namespace {

// Every string from the log is escaped: an entry is outside input like any other file.
std::string describe_entry(const envelope::EvidenceEntry& e, const envelope::Statement* st,
                           const std::string& status) {
    const auto q = [](const std::string& v) { return terminal_safe(v); };
    std::string out = "entry " + std::to_string(e.index) + " (" + status + ")\n";
    out += "  entry version   " + std::to_string(e.entry_version) +
           (e.entry_version == 1 ? " (index, prev, paths and recorded time are not signed)"
                                 : " (index, prev and paths are signed)") +
           "\n";
    if (e.recorded) out += "  recorded        " + q(*e.recorded) + "\n";
    out += "  manifest file   " + q(e.manifest_path) + "\n";
    out += "  bundle file     " + q(e.bundle_path) + "\n";
    out += "  signer key id   " + q(e.signature.key_id) + " (" + q(e.signature.algorithm) + ")\n";
    if (st) {
        const auto& a = st->approval;
        out += "  release         " + q(st->release_id) + " " + q(st->release_version) +
               " (channel " + q(st->release_channel) + ")\n";
        out += "  manifest sha256 " + st->manifest_sha256 + " (" +
               std::to_string(st->manifest_size) + " bytes)\n";
        if (st->previous_sha256) out += "  previous sha256 " + *st->previous_sha256 + "\n";
        out += "  shown text      sha256 " + st->shown_text_sha256 + "\n";
        if (st->shown_diff_sha256)
            out += "  shown diff JSON sha256 " + *st->shown_diff_sha256 + "\n";
        out += "  operator        " + q(a.operator_name) + " on host " + q(a.host) + "\n";
        out += "  approved        " + q(a.time) + " by " +
               envelope::approval_method_name(a.method) + "\n";
        if (!a.accepted_risks.empty()) {
            std::string codes;
            for (const auto& c : a.accepted_risks) codes += (codes.empty() ? "" : ", ") + q(c);
            out += "  accepted risks  " + codes + "\n";
        }
        out += "  token           " + q(a.token.manufacturer) + " / " + q(a.token.model) +
               " serial " + q(a.token.serial) + " label " + q(a.token.label) + "\n";
        out += "  key label       " + q(a.key_label) + "\n";
        out += "  PIN retries     " +
               (a.pin_retries_left ? std::to_string(*a.pin_retries_left)
                                   : std::string("not reported")) +
               " (" + q(a.pin_status) + ")\n";
        out += "  tool            " + q(a.tool) + "\n";
        if (st->log)
            out += "  log position    entry " + std::to_string(st->log->index) + " after sha256 " +
                   st->log->previous_entry_sha256 + "\n";
    }
    return out;
}

// An interrupted sign shows as a journal or as temporaries beside the log: reported, never
// silently ignored. Errors: Io when a journal says a write is unfinished.
Status check_interrupted(const std::string& log_path, const std::vector<std::string>& bundles) {
    OTASIGN_ASSIGN_OR_RETURN(std::filesystem::path target, resolve_write_path(log_path));
    std::vector<std::filesystem::path> targets{target};
    for (const auto& b : bundles) {
        OTASIGN_ASSIGN_OR_RETURN(std::filesystem::path bt, resolve_write_path(b));
        targets.push_back(bt);
    }
    const std::filesystem::path journal = target.string() + ".journal";
    if (FileLock::held_elsewhere(target.string() + ".lock")) {
        // A sign is writing now: its journal and temporaries are its own, not leftovers.
        std::cerr << "otasign: note: an otasign sign holds " << terminal_safe(target.string())
                  << ".lock; its files in progress are not checked\n";
        return ok_status();
    }
    OTASIGN_ASSIGN_OR_RETURN(
        envelope::RecoveryReport r,
        envelope::recover_commit(journal, targets, envelope::RecoverMode::report));
    for (const auto& t : r.leftover_temps)
        warn("temporary file " + t +
             " was left by an interrupted write ('otasign evidence "
             "recover " +
             log_path + "' removes it)");
    if (r.journal_found)
        return make_error(ErrorCode::PolicyViolation,
                          "an interrupted sign left " + journal.string() +
                              (r.pending.empty() ? std::string(" (its files are already complete)")
                                                 : ": unfinished write of " + r.pending.front()),
                          "run 'otasign evidence recover " + log_path +
                              "' (or the next sign) to complete it, then verify again");
    return ok_status();
}

struct EvidenceArgs {
    std::string log, policy_path;
    std::vector<std::string> bundles;
    std::optional<std::uint64_t> index;
    bool json = false;
};

}  // namespace

void add_evidence_verify_command(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto args = std::make_shared<EvidenceArgs>();

    CLI::App* ver =
        group->add_subcommand("verify", "Check the log's hash chain and every entry's signature");
    ver->add_option("LOG", args->log, "Evidence log (JSON lines)")->required();
    ver->add_option("--policy", args->policy_path,
                    "Also require every signer to be a key of the trust policy");
    ver->add_option("--bundle", args->bundles,
                    "Signature bundle whose every signature must be in the log at the entry its "
                    "statement commits to (repeatable)");
    ver->add_flag("--json", args->json,
                  "Print {log, verified, entries, failed: {check, detail} | null, bundles}");
    ver->footer(
        "Exit 0 when the chain and every signature verify, 1 when not (an empty log, an entry a\n"
        "bundle commits to that is missing or different, an unfinished sign), 3 for a malformed "
        "log,\npolicy or bundle. Checks, in order: journal, nonempty, chain, entry-signature,\n"
        "entry-position, policy-signer, bundle-recorded (schemas/SIGNATURE-FORMAT.md section 6).\n"
        "Only --bundle detects a log cut after its last entry: pass every bundle the log records.\n"
        "Example:\n  otasign evidence verify evidence.log.jsonl --policy policy.json \\\n"
        "      --bundle release-2.json.sig");
    ver->callback([args, &exit_code] {
        auto run = [&]() -> Status {
            std::function<std::string(const std::string&)> role_note;
            // An unfinished sign first: its bundle may be missing or old until it is completed.
            // Then every input is read before any other check: a malformed log, policy or
            // bundle is exit 3 whatever else is wrong.
            envelope::EvidenceVerdict v;
            std::optional<policy::Policy> pol;
            if (auto j = check_interrupted(args->log, args->bundles); !j) {
                v.failure = envelope::EvidenceFailure{envelope::EvidenceCheck::journal, j.error()};
            } else {
                OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(args->log));
                if (!args->policy_path.empty()) {
                    OTASIGN_ASSIGN_OR_RETURN(Document<policy::Policy> p,
                                             read_policy_document(args->policy_path));
                    pol = std::move(p.value);
                }
                std::vector<envelope::RecordedBundle> bundles;
                for (const auto& b : args->bundles) {
                    OTASIGN_ASSIGN_OR_RETURN(std::string bb, read_file(b));
                    auto parsed = envelope::parse_bundle(bb, input_name(b));
                    if (!parsed)
                        return name_wrong_kind(parsed.error(), bb, input_name(b),
                                               json::DocumentKind::bundle);
                    bundles.push_back({b, std::move(parsed).value()});
                }
                std::function<bool(std::string_view)> known;
                if (pol)
                    known = [&pol](std::string_view id) {
                        return pol->manifest.find(id) != nullptr ||
                               pol->release.find(id) != nullptr;
                    };
                auto read =
                    envelope::verify_evidence_log(bytes, input_name(args->log), bundles, known);
                if (!read)
                    return name_wrong_kind(read.error(), bytes, input_name(args->log),
                                           json::DocumentKind::evidence_log);
                v = std::move(read).value();
                if (!v.failure && pol)
                    role_note = [&pol](const std::string& id) {
                        const policy::PolicyKey* pk = pol->manifest.find(id);
                        const char* role = pk ? "manifest" : "release";
                        if (!pk) pk = pol->release.find(id);
                        return std::string(", key '") + terminal_safe(pk->name) + "' of role " +
                               role;
                    };
            }
            if (args->json) {
                json::Value failed;
                if (v.failure)
                    failed = {
                        {"check", std::string(envelope::evidence_check_name(v.failure->check))},
                        {"detail", v.failure->error.detail}};
                json::Value bs = json::Value::array();
                for (std::size_t i = 0; i < v.found.size(); ++i)
                    bs.push_back({{"file", args->bundles[i]},
                                  {"found", v.found[i]},
                                  {"notChecked", v.not_checked[i]}});
                std::cout << json::Value{{"log", args->log},
                                         {"verified", !v.failure},
                                         {"entries", v.log.entries.size()},
                                         {"failed", failed},
                                         {"bundles", bs}}
                                 .dump(2)
                          << "\n";
            } else if (!v.failure) {
                for (const auto& e : v.log.entries) {
                    const envelope::Statement& st = *e.statement;
                    std::cout << "entry " << e.index << ": ok: " << terminal_safe(st.release_id)
                              << " " << terminal_safe(st.release_version) << " signed by "
                              << terminal_safe(st.approval.operator_name) << " at "
                              << terminal_safe(st.approval.time)
                              << (role_note ? role_note(st.key_id) : std::string())
                              << (e.entry_version == 1 ? " (version-1 entry: position not signed)"
                                                       : "")
                              << "\n";
                }
                for (std::size_t i = 0; i < v.found.size(); ++i) {
                    const std::size_t found = v.found[i], skipped = v.not_checked[i];
                    std::cout << terminal_safe(args->bundles[i]) << ": "
                              << plural(found, "signature")
                              << (found == 1 ? " found at the entry it commits to"
                                             : " found at the entries they commit to");
                    if (skipped)
                        std::cout << "; " << plural(skipped, "version-1 signature")
                                  << (skipped == 1 ? " commits to no entry and was not checked"
                                                   : " commit to no entry and were not checked");
                    std::cout << "\n";
                }
                std::cout << terminal_safe(args->log) << ": chain of " << v.log.entries.size()
                          << " entries intact, every signature verifies\n";
            }
            if (v.failure) return v.failure->error;
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });
}

void add_evidence_recover_command(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto args = std::make_shared<EvidenceArgs>();
    CLI::App* rec = group->add_subcommand(
        "recover", "Complete or clean up a sign that was interrupted (crash, kill -9)");
    rec->add_option("LOG", args->log, "Evidence log (JSON lines)")->required();
    rec->add_option("--bundle", args->bundles, "Also look for temporaries beside this bundle");
    rec->footer(
        "Takes the log's lock, completes a write its journal (LOG.journal) records, and removes\n"
        "temporary files an interrupted sign left. The next sign does the same by itself.\n"
        "Example:\n  otasign evidence recover evidence.log.jsonl");
    rec->callback([args, &exit_code] {
        auto run = [&]() -> Status {
            OTASIGN_ASSIGN_OR_RETURN(std::filesystem::path target, resolve_write_path(args->log));
            std::vector<std::filesystem::path> targets{target};
            for (const auto& b : args->bundles) {
                OTASIGN_ASSIGN_OR_RETURN(std::filesystem::path bt, resolve_write_path(b));
                targets.push_back(bt);
            }
            OTASIGN_ASSIGN_OR_RETURN(
                FileLock lock, FileLock::acquire(target.string() + ".lock", [&] {
                    std::cerr << "otasign: waiting for " << terminal_safe(target.string())
                              << ".lock: an otasign sign is writing the log\n";
                }));
            const std::filesystem::path journal = target.string() + ".journal";
            // The journal names its bundle: lock it too, as sign does (log first).
            std::vector<FileLock> bundle_locks;
            for (std::size_t i = 1; i < targets.size(); ++i) {
                OTASIGN_ASSIGN_OR_RETURN(FileLock bl,
                                         FileLock::acquire(targets[i].string() + ".lock", {}));
                bundle_locks.push_back(std::move(bl));
            }
            OTASIGN_ASSIGN_OR_RETURN(
                envelope::RecoveryReport r,
                envelope::recover_commit(journal, targets, envelope::RecoverMode::repair));
            for (const auto& f : r.completed)
                std::cout << "completed the interrupted write of " << terminal_safe(f) << "\n";
            for (const auto& f : r.leftover_temps)
                std::cout << "removed temporary file " << terminal_safe(f) << "\n";
            if (!r.journal_found && r.leftover_temps.empty())
                std::cout << terminal_safe(args->log) << ": no interrupted sign\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });
}

void add_evidence_show_command(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto args = std::make_shared<EvidenceArgs>();
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
            auto read = envelope::read_evidence_log(bytes, input_name(args->log));
            if (!read)
                return name_wrong_kind(read.error(), bytes, input_name(args->log),
                                       json::DocumentKind::evidence_log);
            envelope::EvidenceLog log = std::move(read).value();
            if (args->index && *args->index >= log.entries.size())
                return make_error(ErrorCode::Usage,
                                  args->log + " has " + std::to_string(log.entries.size()) +
                                      " entries; no index " + std::to_string(*args->index));
            json::Value out = json::Value::array();
            for (const auto& e : log.entries) {
                if (args->index && e.index != *args->index) continue;
                const envelope::Statement* st = e.statement ? &*e.statement : nullptr;
                std::string status =
                    st ? "signature verifies with the entry's key"
                       : "SIGNATURE DOES NOT VERIFY: " + terminal_safe(e.signature_error);
                if (args->json) {
                    json::Value j = {{"index", e.index},
                                     {"entryVersion", e.entry_version},
                                     {"manifestPath", e.manifest_path},
                                     {"bundlePath", e.bundle_path},
                                     {"keyid", e.signature.key_id},
                                     {"signatureVerifies", st != nullptr}};
                    if (e.recorded) j["recorded"] = *e.recorded;
                    j["statement"] = st ? envelope::statement_to_json(*st) : json::Value(nullptr);
                    out.push_back(j);
                } else {
                    std::cout << describe_entry(e, st, status);
                }
            }
            if (args->json)
                std::cout << json::Value{{"log", args->log}, {"entries", out}}.dump(2) << "\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });
}

}  // namespace otasign::cli
