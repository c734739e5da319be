// otasign request create / show: the one file that crosses the air gap from the pipeline to the
// signing workstation (schemas/REQUEST-FORMAT.md). create packs; show decodes. Nothing here
// trusts the request: `sign --request` judges it against the workstation's ledger and policy.

#include <unistd.h>

#include <ctime>
#include <iostream>
#include <optional>

#include "airgap/request.hpp"
#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "documents.hpp"
#include "exit_codes.hpp"
#include "json/canonical.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {
namespace {

struct RequestArgs {
    std::string manifest, previous, policy, output, pipeline, request;
    bool json = false;
};

Result<manifest::LoadedManifest> load(const std::string& path) {
    OTASIGN_ASSIGN_OR_RETURN(Document<manifest::LoadedManifest> m, read_manifest_document(path));
    return std::move(m.value);
}

std::string default_pipeline() {
    std::string user;
    if (const char* u = std::getenv("USER")) user = u;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
    return (user.empty() ? std::string("unknown") : user) + "@" + host;
}

int run_create(const RequestArgs& a) {
    auto m = load(a.manifest);
    if (!m) return report(m.error());
    airgap::RequestInputs in;
    in.manifest = &*m;
    std::optional<manifest::LoadedManifest> prev;
    if (!a.previous.empty()) {
        auto p = load(a.previous);
        if (!p) return report(p.error());
        prev = std::move(p).value();
        in.previous = &*prev;
        in.previous_source = a.previous;
    }
    if (!a.policy.empty()) {
        auto pb = read_file(a.policy);
        if (!pb) return report(pb.error());
        auto d = airgap::policy_digest(*pb, a.policy);
        if (!d)
            return report(name_wrong_kind(d.error(), *pb, a.policy, json::DocumentKind::policy));
        in.policy_sha256 = *d;
    }
    in.pipeline_identity = a.pipeline.empty() ? default_pipeline() : a.pipeline;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0) in.pipeline_host = host;
    in.now = manifest::timestamp_from_unix(static_cast<std::int64_t>(std::time(nullptr)));
    auto bytes = airgap::make_request(in);
    if (!bytes) return report(bytes.error());
    if (auto st = write_file_atomic(a.output, *bytes, Overwrite::no); !st)
        return report(st.error());
    std::cout << "created " << terminal_safe(a.output) << ": sign "
              << terminal_safe(m->manifest.release.id) << " "
              << terminal_safe(m->manifest.release.version) << " (sha256:" << m->sha256_hex << ")"
              << (prev ? " after " + terminal_safe(prev->manifest.release.version) : "") << "\n";
    return kOk;
}

json::Value doc_json(const manifest::LoadedManifest& m) {
    return {{"sha256", m.sha256_hex},
            {"size", m.canonical.size()},
            {"release",
             {{"id", m.manifest.release.id},
              {"version", m.manifest.release.version},
              {"channel", manifest::channel_name(m.manifest.release.channel)}}},
            {"rollbackIndex", m.manifest.rollback_index},
            {"manifest", m.document.value}};
}

std::string doc_text(const manifest::LoadedManifest& m) {
    const auto& r = m.manifest.release;
    return terminal_safe(r.id) + " " + terminal_safe(r.version) + ", channel " +
           manifest::channel_name(r.channel) + ", rollback index " +
           std::to_string(m.manifest.rollback_index) + ", " +
           plural(m.manifest.artifacts.size(), "artifact") +
           "\n              sha256:" + m.sha256_hex + " (" + std::to_string(m.canonical.size()) +
           " canonical bytes)";
}

int run_show(const RequestArgs& a) {
    auto bytes = read_file(a.request, airgap::kMaxRequestBytes);
    if (!bytes) return report(bytes.error());
    auto req = airgap::read_request(*bytes, a.request);
    if (!req) return report(req.error());
    if (a.json) {
        json::Value out = {
            {"sha256", req->sha256},
            {"pipeline", {{"identity", req->pipeline_identity}, {"host", req->pipeline_host}}},
            {"created", req->created},
            {"manifest", doc_json(req->manifest)}};
        if (req->previous) out["previous"] = doc_json(*req->previous);
        if (req->policy_sha256) out["policySha256"] = *req->policy_sha256;
        std::cout << out.dump(2) << "\n";
        return kOk;
    }
    std::cout << "Signing request " << terminal_safe(a.request) << " (sha256:" << req->sha256
              << ")\n"
              << "  pipeline    " << terminal_safe(req->pipeline_identity) << " on "
              << terminal_safe(req->pipeline_host) << " (claimed, not authenticated)\n"
              << "  created     " << req->created << " (the pipeline's clock)\n"
              << "  manifest    " << doc_text(req->manifest) << "\n"
              << "  previous    "
              << (req->previous ? doc_text(*req->previous)
                                : std::string("none: the pipeline claims a first release"))
              << "\n"
              << "  policy      "
              << (req->policy_sha256 ? "sha256:" + *req->policy_sha256 : std::string("not named"))
              << "\n";
    return kOk;
}

}  // namespace

void add_request_create_command(CLI::App& parent, int& exit_code) {
    auto a = std::make_shared<RequestArgs>();
    CLI::App* create = parent.add_subcommand(
        "create", "Pack a manifest, its previous release and the policy digest into a request");
    create->add_option("MANIFEST", a->manifest, "Release manifest to be signed")->required();
    create->add_option("--previous", a->previous,
                       "The release this one replaces (the workstation checks it against its "
                       "ledger)");
    create->add_option("--policy", a->policy,
                       "Trust policy the workstation must sign under (its digest is recorded)");
    create->add_option("--pipeline", a->pipeline,
                       "Who makes the request, e.g. a CI job URL (default: USER@HOST)");
    create->add_option("-o,--output", a->output, "Request file to write (never overwritten)")
        ->required();
    create->footer(
        "Exit 1 when the manifest is not newer than --previous, 3 for invalid input or "
        "an existing output file.");
    create->callback([a, &exit_code] { exit_code = run_create(*a); });
}

void add_request_show_command(CLI::App& parent, int& exit_code) {
    auto s = std::make_shared<RequestArgs>();
    CLI::App* show = parent.add_subcommand("show", "Check and decode a signing request");
    show->add_option("REQUEST", s->request, "Signing request file")->required();
    show->add_flag("--json", s->json, "The decoded request as JSON, manifests included");
    show->footer("Exit 3 when the request fails REQUEST-FORMAT.md's verification algorithm.");
    show->callback([s, &exit_code] { exit_code = run_show(*s); });
}

}  // namespace otasign::cli
