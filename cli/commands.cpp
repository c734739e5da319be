#include "commands.hpp"

#include <string_view>

// This file is compiled once per edition: OTASIGN_FULL_EDITION is 1 for the full otasign and 0
// for the verify edition, whose binary must not reference any token or card code.
#ifndef OTASIGN_FULL_EDITION
#error "OTASIGN_FULL_EDITION must be 0 or 1 (cli/CMakeLists.txt)"
#endif

namespace otasign::cli {
namespace {

using AddCommands = void (*)(CLI::App& parent, int& exit_code);

struct Group {
    std::string_view name;
    std::string_view description;
};

// Command groups (`otasign key export`, ...). A group is created when the first command of
// the table that names it is added, so the table order is also the --help order.
constexpr Group kGroups[] = {
    {"manifest", "Make release manifests (the pipeline)"},
    {"request", "Signing requests: what crosses the air gap to the signing workstation"},
    {"bundle", "Signature bundles"},
    {"key", "Keys on hardware tokens"},
    {"policy", "Create, edit and show a trust policy"},
    {"token", "Inspect PIV cards (YubiKeys) through libykpiv"},
    {"ceremony", "Provision a manifest-signing key on a new YubiKey (ceremony/RUNBOOK.md)"},
    {"evidence", "Check and show the hash-chained evidence log"},
    {"ledger", "The workstation ledger: every manifest signed here, by digest"},
};

struct Command {
    std::string_view group;  // empty: the commands go directly under `otasign`
    AddCommands add;
};

// Every command, in --help order. A line under `#if OTASIGN_FULL_EDITION` needs a token or a
// card (PKCS#11, libykpiv) or exists only to sign; the verify edition reads and verifies.
constexpr Command kCommands[] = {
    {"", add_validate_diff_commands},
#if OTASIGN_FULL_EDITION
    {"manifest", add_manifest_create_command},
    {"request", add_request_create_command},
#endif
    {"request", add_request_show_command},
#if OTASIGN_FULL_EDITION
    {"", add_sign_command},
#endif
    {"", add_verify_command},
    {"bundle", add_bundle_merge_command},
#if OTASIGN_FULL_EDITION
    {"key", add_key_token_commands},
    {"policy", add_policy_edit_commands},
#endif
    {"policy", add_policy_show_command},
#if OTASIGN_FULL_EDITION
    {"token", add_token_status_commands},
    {"key", add_key_piv_commands},
    {"policy", add_policy_attestation_command},
    {"token", add_token_pin_commands},
    {"ceremony", add_ceremony_commands},
#endif
    {"evidence", add_evidence_verify_command},
#if OTASIGN_FULL_EDITION
    {"evidence", add_evidence_recover_command},
#endif
    {"evidence", add_evidence_show_command},
#if OTASIGN_FULL_EDITION
    {"ledger", add_ledger_commands},
#endif
    {"", add_canonicalize_digest_commands},
};

CLI::App& group_app(CLI::App& app, std::string_view name) {
    const std::string key(name);
    for (CLI::App* existing :
         app.get_subcommands([&](CLI::App* a) { return a->get_name() == key; }))
        return *existing;
    std::string description;
    for (const Group& g : kGroups)
        if (g.name == name) description = g.description;
    CLI::App* group = app.add_subcommand(key, description);
    group->require_subcommand(1);
    return *group;
}

}  // namespace

Edition edition() { return OTASIGN_FULL_EDITION ? Edition::full : Edition::verify; }

void add_commands(CLI::App& app, int& exit_code) {
    for (const Command& c : kCommands) {
        if (c.group.empty())
            c.add(app, exit_code);
        else
            c.add(group_app(app, c.group), exit_code);
    }
}

}  // namespace otasign::cli
