// `otasign validate` and `otasign diff`: the operator's view of a release manifest before it is
// signed. All the work is in libsign/manifest; this file reads files, picks colour and prints.

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "exit_codes.hpp"
#include "manifest/diff.hpp"
#include "manifest/manifest.hpp"
#include "options.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {
namespace {

using manifest::Problem;

nlohmann::json problem_json(const Problem& p) {
    return {{"pointer", p.pointer},
            {"line", p.position.line},
            {"column", p.position.column},
            {"rule", p.rule},
            {"message", p.message}};
}

int run_validate(const std::string& path, bool as_json) {
    auto bytes = read_file(path);
    const std::string file = input_name(path);
    if (!bytes) return report(bytes.error());
    auto checked = manifest::check_manifest(*bytes, file);
    if (!checked) return report(checked.error());
    const std::vector<Problem> problems = checked->problems;
    std::optional<manifest::LoadedManifest> loaded;
    if (problems.empty()) {
        auto l = manifest::load_checked(std::move(checked).value(), file);
        if (!l) return report(l.error());
        loaded = std::move(l).value();
    }
    if (as_json) {
        nlohmann::json out{
            {"file", file},
            {"valid", problems.empty()},
            {"digest", loaded ? nlohmann::json("sha256:" + loaded->sha256_hex) : nlohmann::json()},
            {"problems", nlohmann::json::array()}};
        for (const Problem& p : problems) out["problems"].push_back(problem_json(p));
        std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        return problems.empty() ? kOk : kInvalidInput;
    }
    if (!problems.empty()) {
        const Error summary =
            make_error(ErrorCode::InvalidInput, file + ": " + plural(problems.size(), "problem"),
                       "schemas/MANIFEST-FORMAT.md describes every field and rule");
        // Another kind of document is named for what it is, not by its schema problems.
        const Error named = name_wrong_kind(summary, *bytes, file, json::DocumentKind::manifest);
        if (named.detail != summary.detail) return report(named);
        for (const Problem& p : problems) std::cerr << manifest::format_problem(file, p) << '\n';
        return report(summary);
    }
    std::cout << file << ": valid (sha256:" << loaded->sha256_hex << ")\n";
    return kOk;
}

struct DiffArgs {
    std::vector<std::string> files;
    bool as_json = false;
    std::string color = "auto";
    int max_rollout_step = 25;
    int max_expiry_days = 90;
    std::string at;
};

Result<manifest::LoadedManifest> load(const std::string& file) {
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(file));
    return manifest::load_manifest(bytes, input_name(file));
}

// NO_COLOR (no-color.org) and a non-terminal turn colour off unless --color always asks for it.
manifest::Color pick_color(const std::string& choice) {
    if (choice == "always") return manifest::Color::always;
    if (choice == "never") return manifest::Color::never;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return manifest::Color::never;
    return isatty(STDOUT_FILENO) ? manifest::Color::always : manifest::Color::never;
}

int run_diff(const DiffArgs& args) {
    manifest::DiffOptions options;
    options.max_rollout_step = args.max_rollout_step;
    options.max_expiry_days = args.max_expiry_days;
    if (args.at.empty()) {
        options.now = manifest::timestamp_from_unix(static_cast<std::int64_t>(std::time(nullptr)));
    } else {
        auto t = manifest::parse_rfc3339_utc(args.at);
        if (!t) return report(make_error(ErrorCode::Usage, "--at: " + t.error().detail));
        options.now = std::move(t).value();
    }
    std::optional<manifest::LoadedManifest> previous;
    const std::string& next_file = args.files.back();
    if (args.files.size() == 2) {
        auto p = load(args.files.front());
        if (!p) return report(p.error());
        previous = std::move(p).value();
    }
    auto next = load(next_file);
    if (!next) return report(next.error());
    const manifest::Diff d =
        manifest::diff(previous ? &previous->manifest : nullptr, next->manifest, options);
    if (args.as_json) {
        nlohmann::json out;
        out["old"] = previous ? nlohmann::json{{"file", args.files.front()},
                                               {"digest", "sha256:" + previous->sha256_hex}}
                              : nlohmann::json();
        out["new"] = {{"file", next_file}, {"digest", "sha256:" + next->sha256_hex}};
        out["diff"] = manifest::to_json(d);
        std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        return kOk;
    }
    if (previous)
        std::cout << "old: " << args.files.front() << " (sha256:" << previous->sha256_hex << ")\n";
    std::cout << "new: " << next_file << " (sha256:" << next->sha256_hex << ")\n\n";
    std::cout << manifest::render_text(d, pick_color(args.color));
    return kOk;
}

}  // namespace

void add_validate_diff_commands(CLI::App& app, int& exit_code) {
    auto file = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    CLI::App* validate = app.add_subcommand(
        "validate", "Check a release manifest against the schema and the semantic rules");
    validate->add_option("FILE", *file, "Manifest to check ('-' reads standard input)")->required();
    validate->add_flag("--json", *as_json,
                       "Print the result as JSON: {file, valid, digest, problems}");
    validate->footer(
        "Lists every problem as FILE:LINE:COL: MESSAGE (at /pointer). Exit 0 valid, 3 invalid.\n"
        "Example:\n  otasign validate schemas/examples/release-2.json");
    validate->callback([file, as_json, &exit_code] { exit_code = run_validate(*file, *as_json); });

    auto args = std::make_shared<DiffArgs>();
    CLI::App* d = app.add_subcommand(
        "diff", "Show what a release manifest changes against the previous one, risks first");
    d->add_option("FILES", args->files,
                  "[OLD] NEW: the previous manifest (omit for a first release) and the new one")
        ->required()
        ->expected(1, 2);
    d->add_flag("--json", args->as_json, "Print the diff as JSON");
    d->add_option("--color", args->color, "Colour: auto (terminal and no NO_COLOR), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    d->add_option("--max-rollout-step", args->max_rollout_step,
                  "Flag a rollout that grows by more than N percentage points (default 25)")
        ->check(non_negative_integer(100));
    d->add_option("--max-expiry-days", args->max_expiry_days,
                  "Flag a validity window (expires - created) longer than N days (default 90)")
        ->check(non_negative_integer(36500))
        ->check(CLI::Range(1, 36500));
    d->add_option("--at", args->at,
                  "Judge expiry as of this RFC 3339 UTC instant, e.g. the planned publication time "
                  "(default now)");
    d->footer(
        "Risks: version-not-increased, rollback-index-decreased, channel-widened, rollout-jump,\n"
        "eligibility-broadened, attestation-dropped, enrollment-dropped, "
        "artifact-changed-same-version,\n"
        "expiry-too-long, expired. Exit 0 when both manifests are valid, 3 otherwise.\n"
        "Example:\n  otasign diff release-1.json release-2.json --max-rollout-step 20");
    d->callback([args, &exit_code] { exit_code = run_diff(*args); });
}

}  // namespace otasign::cli
