// otasign ledger list / show / status / import: the signing workstation's own record of what it
// signed (schemas/REQUEST-FORMAT.md, "The workstation ledger"). Reading commands never take the
// lock and never write; import writes under it.

#include <ctime>
#include <iostream>

#include "airgap/ledger.hpp"
#include "airgap_cli.hpp"
#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "documents.hpp"
#include "envelope/bundle.hpp"
#include "exit_codes.hpp"
#include "options.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {
namespace {

struct LedgerArgs {
    std::string ledger, digest, manifest, bundle, policy;
    bool json = false;
    int days = 0;
};

Result<airgap::Ledger> open(const std::string& option) {
    OTASIGN_ASSIGN_OR_RETURN(std::filesystem::path dir, ledger_dir(option));
    return airgap::load_ledger(dir);
}

json::Value release_json(const airgap::LedgerRelease& r) {
    const auto& m = r.manifest.manifest;
    json::Value sigs = json::Value::array();
    for (const auto& s : r.signatures)
        sigs.push_back({{"keyid", s.key_id},
                        {"operator", s.operator_name},
                        {"time", s.time},
                        {"logIndex", s.log_index}});
    return {{"sha256", r.manifest.sha256_hex},
            {"id", m.release.id},
            {"version", m.release.version},
            {"channel", manifest::channel_name(m.release.channel)},
            {"rollbackIndex", m.rollback_index},
            {"created", m.created.text},
            {"expires", m.expires.text},
            {"imported", r.imported},
            {"signatures", sigs}};
}

std::string release_line(const airgap::LedgerRelease& r) {
    const auto& m = r.manifest.manifest;
    return std::string(manifest::channel_name(m.release.channel)) + "  " +
           terminal_safe(m.release.version) + "  " + terminal_safe(m.release.id) + "  rollback " +
           std::to_string(m.rollback_index) + "  expires " + m.expires.text + "  " +
           (r.imported ? "imported" : plural(r.signatures.size(), "signature") + " here") +
           "\n    sha256:" + r.manifest.sha256_hex + "\n";
}

int print(const std::vector<const airgap::LedgerRelease*>& rs, bool as_json,
          const std::string& empty) {
    if (as_json) {
        json::Value out = json::Value::array();
        for (const auto* r : rs) out.push_back(release_json(*r));
        std::cout << out.dump(2) << "\n";
        return kOk;
    }
    if (rs.empty()) std::cout << empty << "\n";
    for (const auto* r : rs) std::cout << release_line(*r);
    return kOk;
}

int run_list(const LedgerArgs& a) {
    auto l = open(a.ledger);
    if (!l) return report(l.error());
    std::vector<const airgap::LedgerRelease*> rs;
    for (const auto& r : l->releases) rs.push_back(&r);
    return print(rs, a.json, "the ledger holds no release");
}

int run_show(const LedgerArgs& a) {
    auto l = open(a.ledger);
    if (!l) return report(l.error());
    std::string hex = a.digest.starts_with("sha256:") ? a.digest.substr(7) : a.digest;
    const airgap::LedgerRelease* r = l->find(hex);
    if (!r)
        return report(make_error(ErrorCode::InvalidInput,
                                 "the ledger holds no manifest sha256:" + terminal_safe(hex),
                                 "'otasign ledger list' shows what it holds"));
    json::Value out = release_json(*r);
    out["manifest"] = r->manifest.document.value;
    std::cout << out.dump(2) << "\n";
    return kOk;
}

int run_status(const LedgerArgs& a) {
    auto l = open(a.ledger);
    if (!l) return report(l.error());
    auto now = manifest::timestamp_from_unix(static_cast<std::int64_t>(std::time(nullptr)));
    return print(airgap::expiring_within(*l, now, a.days), a.json,
                 "no channel's last release expires within " + std::to_string(a.days) + " days");
}

int run_import(const LedgerArgs& a) {
    auto dir = ledger_dir(a.ledger);
    if (!dir) return report(dir.error());
    auto m = read_manifest_document(a.manifest);
    if (!m) return report(m.error());
    auto b = read_bundle_document(a.bundle);
    if (!b) return report(b.error());
    auto p = read_policy_document(a.policy);
    if (!p) return report(p.error());
    const auto lock = airgap::ledger_log_path(*dir).string() + ".lock";
    auto r = airgap::import_release(*dir, m->value, b->value, b->bytes, a.bundle, p->value,
                                    announce_wait(lock, dir->string()));
    if (!r) return report(r.error());
    std::cout << (r->added ? "imported " : "already held ") << terminal_safe(a.manifest)
              << " (sha256:" << m->value.sha256_hex << ", "
              << plural(r->verification.distinct_keys.size(), "signature") << " of "
              << r->verification.threshold << " required)\n";
    return kOk;
}

}  // namespace

void add_ledger_commands(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto add_ledger = [](CLI::App* c, LedgerArgs& a) {
        c->add_option("--ledger", a.ledger,
                      "Ledger directory (default: $XDG_DATA_HOME/otasign, else "
                      "~/.local/share/otasign)");
    };
    auto l = std::make_shared<LedgerArgs>();
    CLI::App* list = group->add_subcommand("list", "List every release the ledger holds");
    add_ledger(list, *l);
    list->add_flag("--json", l->json, "As a JSON array");
    list->callback([l, &exit_code] { exit_code = run_list(*l); });

    auto s = std::make_shared<LedgerArgs>();
    CLI::App* show = group->add_subcommand("show", "One release of the ledger, manifest included");
    add_ledger(show, *s);
    show->add_option("DIGEST", s->digest, "Canonical digest, sha256:HEX or HEX")->required();
    show->callback([s, &exit_code] { exit_code = run_show(*s); });

    auto t = std::make_shared<LedgerArgs>();
    CLI::App* status = group->add_subcommand(
        "status", "Releases to re-sign soon: each channel's last one expiring within DAYS");
    add_ledger(status, *t);
    status->add_option("--expiring-within", t->days, "Days from now")
        ->required()
        ->check(non_negative_integer(36500));
    status->add_flag("--json", t->json, "As a JSON array");
    status->callback([t, &exit_code] { exit_code = run_status(*t); });

    auto i = std::make_shared<LedgerArgs>();
    CLI::App* import = group->add_subcommand(
        "import", "Seed the ledger with a release whose signatures verify under a policy");
    add_ledger(import, *i);
    import->add_option("MANIFEST", i->manifest, "Release manifest")->required();
    import->add_option("BUNDLE", i->bundle, "Its signature bundle")->required();
    import->add_option("--policy", i->policy, "Trust policy the bundle must meet")->required();
    import->footer("Exit 1 when the bundle does not meet the policy's manifest-role threshold.");
    import->callback([i, &exit_code] { exit_code = run_import(*i);
});
}  // namespace otasign::cli

}  // namespace otasign::cli
