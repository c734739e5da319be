// otasign bundle merge: co-signatures carried back from several workstations, appended to one
// bundle. Every rule is libsign's (airgap/merge.hpp); this reads, locks and writes.

#include <iostream>

#include "airgap/merge.hpp"
#include "airgap_cli.hpp"
#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "core/file_lock.hpp"
#include "documents.hpp"
#include "exit_codes.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {
namespace {
namespace fs = std::filesystem;

struct MergeArgs {
    std::string manifest, policy, output;
    std::vector<std::string> responses;
};

int run_merge(const MergeArgs& a) {
    auto m = read_manifest_document(a.manifest);
    if (!m) return report(m.error());
    std::optional<policy::Policy> pol;
    if (!a.policy.empty()) {
        auto p = read_policy_document(a.policy);
        if (!p) return report(p.error());
        pol = std::move(p->value);
    }
    std::vector<airgap::Response> responses;
    for (const auto& path : a.responses) {
        auto rb = read_file(path);
        if (!rb) return report(rb.error());
        auto b = envelope::parse_bundle(*rb, path);
        if (!b) return report(name_wrong_kind(b.error(), *rb, path, json::DocumentKind::bundle));
        responses.push_back({path, std::move(b).value()});
    }
    // The same lock and the same write-through rule as sign's bundle.
    auto target = resolve_write_path(a.output);
    if (!target) return report(target.error());
    const fs::path lock_path = target->string() + ".lock";
    auto lock = FileLock::acquire(lock_path, announce_wait(lock_path, target->string()));
    if (!lock) return report(lock.error());
    envelope::Bundle existing;
    bool exists = fs::exists(*target);
    if (exists) {
        auto eb = read_file(*target);
        if (!eb) return report(eb.error());
        auto b = envelope::parse_bundle(*eb, a.output);
        if (!b)
            return report(name_wrong_kind(b.error(), *eb, a.output, json::DocumentKind::bundle));
        existing = std::move(b).value();
    }
    auto merged =
        airgap::merge_responses(m->value, pol ? &*pol : nullptr, existing, a.output, responses);
    if (!merged) return report(merged.error());
    if (merged->added > 0) {
        auto st = write_file_atomic(*target, envelope::serialize_bundle(merged->bundle),
                                    exists ? Overwrite::yes : Overwrite::no);
        if (!st) return report(st.error());
    }
    std::cerr << "otasign: " << terminal_safe(a.output) << ": " << merged->existing << " kept, "
              << merged->added << " added, " << merged->duplicates
              << " identical duplicates dropped ("
              << plural(merged->bundle.signatures.size(), "signature") << ")\n";
    std::cout << terminal_safe(a.output) << "\n";
    return kOk;
}

}  // namespace

void add_bundle_merge_command(CLI::App& parent, int& exit_code) {
    auto a = std::make_shared<MergeArgs>();
    CLI::App* merge = parent.add_subcommand(
        "merge", "Append the co-signatures of response bundles to one bundle, each verified");
    merge->add_option("--manifest", a->manifest, "The manifest every signature must bind")
        ->required();
    merge->add_option("--policy", a->policy,
                      "Trust policy: each incoming signature must count for the manifest role");
    merge
        ->add_option("-o,--output", a->output,
                     "Bundle to append to (created when absent; existing signatures kept)")
        ->required();
    merge->add_option("RESPONSE", a->responses, "Response bundles from `sign --request`")
        ->required();
    merge->footer(
        "Exit 1 when a response signs another manifest or a key outside the policy, 3 "
        "for invalid input.");
    merge->callback([a, &exit_code] { exit_code = run_merge(*a); });
}

}  // namespace otasign::cli
