#pragma once
// The commands otasign has, in one table (cli/commands.cpp), as ccache's mainoptions.cpp: each
// cmd_*.cpp defines functions that add their commands to a parent (the app, or a command group
// such as `key`), and the table says which function adds what, in which order, and in which
// edition. A subcommand's callback stores its exit code in `exit_code`.

#include <CLI/CLI.hpp>

namespace otasign::cli {

// Adds every command of this edition of otasign to `app`, in the order --help lists them.
void add_commands(CLI::App& app, int& exit_code);

// The editions the table knows. The verify edition (target otasign-verify, or the otasign of a
// -DOTASIGN_VERIFY_ONLY=ON tree) reads and verifies; it links no PKCS#11 and no libykpiv.
enum class Edition { verify, full };
// The edition this binary was built as.
Edition edition();

// Functions the table calls: `app` is otasign itself, `parent` the group named in the table.
// Available in both editions (cmd_manifest.cpp, cmd_verify.cpp, cmd_policy.cpp,
// cmd_evidence.cpp, cmd_json.cpp, cmd_request.cpp, cmd_bundle.cpp):
void add_validate_diff_commands(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);
void add_policy_edit_commands(CLI::App& parent, int& exit_code);
void add_policy_show_command(CLI::App& parent, int& exit_code);
void add_evidence_verify_command(CLI::App& parent, int& exit_code);
void add_evidence_recover_command(CLI::App& parent, int& exit_code);
void add_evidence_show_command(CLI::App& parent, int& exit_code);
void add_canonicalize_digest_commands(CLI::App& app, int& exit_code);
void add_manifest_create_command(CLI::App& parent, int& exit_code);
void add_policy_attestation_command(CLI::App& parent, int& exit_code);
void add_request_show_command(CLI::App& parent, int& exit_code);
void add_request_create_command(CLI::App& parent, int& exit_code);
void add_bundle_merge_command(CLI::App& parent, int& exit_code);
// Only in the full edition (tokens and cards; compiled only there):
void add_sign_command(CLI::App& app, int& exit_code);
void add_key_token_commands(CLI::App& parent, int& exit_code);
void add_key_piv_commands(CLI::App& parent, int& exit_code);
void add_token_status_commands(CLI::App& parent, int& exit_code);
void add_token_pin_commands(CLI::App& parent, int& exit_code);
void add_ceremony_commands(CLI::App& parent, int& exit_code);
void add_ledger_commands(CLI::App& parent, int& exit_code);

}  // namespace otasign::cli
