// `otasign canonicalize` and `otasign digest`: the RFC 8785 bytes that otasign signs, so an
// operator or CI job can reproduce them with nothing but this tool.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/page_buffer.hpp"
#include "exit_codes.hpp"
#include "json/canonical.hpp"
#include "json/strict.hpp"
#include "options.hpp"

namespace otasign::cli {
namespace {

struct JsonOptions {
    std::string input;
    std::string output;
    std::size_t max_depth = json::Limits{}.max_depth;
    std::uint64_t max_bytes = json::Limits{}.max_bytes;
};

json::Limits limits_of(const JsonOptions& opts) {
    json::Limits limits;
    limits.max_depth = opts.max_depth;
    limits.max_bytes = opts.max_bytes;
    return limits;
}

std::string source_of(const JsonOptions& opts) { return input_name(opts.input); }

// Reads the input and streams its canonical bytes to `sink`: only the input and the strict
// reader's member index are held, never a second copy of the document.
Status stream_canonical(const JsonOptions& opts, const json::ByteSink& sink) {
    const json::Limits limits = limits_of(opts);
    OTASIGN_ASSIGN_OR_RETURN(core::PageBuffer bytes,
                             core::read_file_pages(opts.input, limits.max_bytes));
    return json::canonicalize_strict(bytes.view(), source_of(opts), limits, sink);
}

Status write_stdout(std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
        return make_error(ErrorCode::Io, "cannot write to standard output");
    return ok_status();
}

Status flush_stdout() {
    if (std::fflush(stdout) != 0)
        return make_error(ErrorCode::Io, "cannot write to standard output");
    return ok_status();
}

// canonicalize: to standard output, or to -o OUT through an AtomicFile that is created only
// once the input has been accepted (canonicalize_strict writes nothing before), so an invalid
// input reports its own error and leaves OUT as it was.
Status run_canonicalize(const JsonOptions& opts) {
    if (opts.output.empty()) {
        OTASIGN_TRY(stream_canonical(opts, write_stdout));
        return flush_stdout();
    }
    std::optional<AtomicFile> file;
    OTASIGN_TRY(stream_canonical(opts, [&](std::string_view piece) -> Status {
        if (!file) {
            OTASIGN_ASSIGN_OR_RETURN(AtomicFile created, AtomicFile::create(opts.output));
            file.emplace(std::move(created));
        }
        return file->write(piece);
    }));
    if (!file)
        return make_error(ErrorCode::Internal, "canonical form of a valid document is empty");
    return file->commit(Overwrite::yes);
}

Status run_digest(const JsonOptions& opts) {
    OTASIGN_ASSIGN_OR_RETURN(Hasher hasher, Hasher::create(HashAlg::sha256));
    OTASIGN_TRY(stream_canonical(
        opts, [&](std::string_view piece) { return hasher.update(piece.data(), piece.size()); }));
    OTASIGN_ASSIGN_OR_RETURN(auto digest, hasher.finish());
    OTASIGN_TRY(write_stdout("sha256:" + to_hex(digest) + "\n"));
    return flush_stdout();
}

void add_limit_options(CLI::App* cmd, JsonOptions& opts) {
    cmd->add_option("--max-depth", opts.max_depth, "Reject nesting deeper than N arrays/objects")
        ->capture_default_str()
        ->check(non_negative_integer())
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-bytes", opts.max_bytes, "Reject input larger than N bytes")
        ->capture_default_str()
        ->check(non_negative_integer())
        ->check(CLI::PositiveNumber);
}

}  // namespace

void add_canonicalize_digest_commands(CLI::App& app, int& exit_code) {
    auto opts = std::make_shared<JsonOptions>();

    CLI::App* canon = app.add_subcommand(
        "canonicalize", "Read one JSON document strictly and print its RFC 8785 canonical bytes");
    canon->add_option("FILE", opts->input, "JSON file, or - for standard input")->required();
    canon->add_option("-o,--output", opts->output,
                      "Write the canonical bytes to OUT (atomically) instead of stdout");
    add_limit_options(canon, *opts);
    canon->footer(
        "Prints the canonical bytes with no trailing newline. Rejects duplicate keys, lone\n"
        "surrogates, integers beyond 2^53-1 and other non-I-JSON input with exit code 3.\n\n"
        "Example:\n  otasign canonicalize release.json -o release.canonical.json\n");
    canon->callback([opts, &exit_code] {
        Status st = run_canonicalize(*opts);
        exit_code = st ? kOk : report(st.error());
    });

    CLI::App* digest = app.add_subcommand(
        "digest", "Print the SHA-256 of a JSON document's RFC 8785 canonical bytes");
    digest->add_option("FILE", opts->input, "JSON file, or - for standard input")->required();
    add_limit_options(digest, *opts);
    digest->footer(
        "Prints sha256:<64 hex digits> and a newline; equal for any two spellings of the\n"
        "same document.\n\n"
        "Example:\n  otasign digest release.json\n");
    digest->callback([opts, &exit_code] {
        Status st = run_digest(*opts);
        exit_code = st ? kOk : report(st.error());
    });
}

}  // namespace otasign::cli
