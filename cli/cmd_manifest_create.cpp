// otasign manifest create: the release pipeline's step. A template plus a directory of artifacts
// become a validated manifest, written atomically and never over an existing file.

#include <ctime>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "exit_codes.hpp"
#include "manifest/create.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace otasign::cli {
namespace {

struct CreateArgs {
    std::string template_file, artifacts, previous, output, created;
    std::optional<std::uint64_t> rollback_index;
    bool sha512 = false;
};

int run_create(const CreateArgs& a) {
    auto tpl = read_file(a.template_file, 1024 * 1024);
    if (!tpl) return report(tpl.error());
    manifest::CreateInputs in;
    in.template_bytes = *tpl;
    in.template_source = a.template_file;
    in.artifacts_dir = a.artifacts;
    in.rollback_index = a.rollback_index;
    in.sha512 = a.sha512;
    std::optional<manifest::LoadedManifest> previous;
    if (!a.previous.empty()) {
        auto bytes = read_file(a.previous);
        if (!bytes) return report(bytes.error());
        auto p = manifest::load_manifest(*bytes, a.previous);
        if (!p) return report(p.error());
        previous = std::move(p).value();
        in.previous = &*previous;
        in.previous_source = a.previous;
    }
    if (!a.created.empty()) {
        auto t = manifest::parse_rfc3339_utc(a.created);
        if (!t)
            return report(
                make_error(ErrorCode::Usage, "--created " + a.created + ": " + t.error().detail));
        in.created = std::move(t).value();
    } else {
        in.created = manifest::timestamp_from_unix(static_cast<std::int64_t>(std::time(nullptr)));
    }
    ProgressBar bar("Hashing artifacts");
    in.progress = bar.callback();
    auto made = manifest::create_manifest(in);
    bar.finish();
    if (!made) return report(made.error());
    auto st = write_file_atomic(a.output, made->document.value.dump(2) + "\n", Overwrite::no);
    if (!st) return report(st.error());
    std::cout << "created " << a.output << ": " << made->manifest.release.id << " "
              << made->manifest.release.version << " ("
              << manifest::channel_name(made->manifest.release.channel) << "), rollbackIndex "
              << made->manifest.rollback_index << ", " << made->manifest.artifacts.size()
              << (made->manifest.artifacts.size() == 1 ? " artifact" : " artifacts")
              << ", sha256:" << made->sha256_hex << "\n";
    return kOk;
}

}  // namespace

void add_manifest_create_command(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto a = std::make_shared<CreateArgs>();
    CLI::App* create = group->add_subcommand(
        "create", "Make a manifest from a template and a directory of artifacts");
    create
        ->add_option("--template", a->template_file,
                     "The manifest without artifacts and created, plus \"artifactRoles\" "
                     "(path -> role)")
        ->required();
    create
        ->add_option("--artifacts", a->artifacts,
                     "Directory whose every file becomes an artifact (no links, no special "
                     "files)")
        ->required();
    create->add_option("--previous", a->previous,
                       "Previous release: the version must be higher; the rollback index "
                       "defaults to its own and never goes lower");
    create
        ->add_option("--rollback-index", a->rollback_index,
                     "Rollback index (default: the template's, else the previous release's)")
        ->check(non_negative_integer(9007199254740991ull));
    create->add_option("--created", a->created,
                       "The manifest's created time, RFC 3339 UTC (default: now)");
    create->add_flag("--sha512", a->sha512, "Also record each artifact's SHA-512");
    create->add_option("-o,--output", a->output, "Manifest file to write (never overwritten)")
        ->required();
    create->footer(
        "Exit 0 written, 1 a version or rollback index that does not go up from --previous,\n"
        "3 invalid template, artifacts or result (nothing written).\n"
        "Example:\n  otasign manifest create --template release.tpl.json --artifacts out/ "
        "--previous release-1.json -o release-2.json");
    create->callback([a, &exit_code] { exit_code = run_create(*a); });
}

}  // namespace otasign::cli
