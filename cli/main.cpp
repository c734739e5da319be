// otasign: offline signing of OTA release manifests. main only parses flags and maps results
// to exit codes; the work is in libsign.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <regex>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "terminal_text.hpp"

namespace {

// "otasign sign": the commands parsed so far, for messages and the --help hint.
std::string command_path(CLI::App& app) {
    std::string path = "otasign";
    CLI::App* current = &app;
    for (auto subs = current->get_subcommands(); !subs.empty(); subs = current->get_subcommands()) {
        current = subs.front();
        path += " " + current->get_name();
    }
    return path;
}

// CLI11's own sentences in otasign's words: what is missing or unexpected, for which command.
std::string usage_message(const std::string& path, const std::string& what) {
    static const std::regex multiplicity(R"(\(\d+x\))");
    const std::string text = std::regex_replace(what, multiplicity, "");
    if (text == "A subcommand is required") return path + ": no command given";
    std::smatch m;
    static const std::regex required(R"(^(\S+) is required$)");
    if (std::regex_match(text, m, required)) return path + ": " + m[1].str() + " is missing";
    static const std::regex extras(R"(^The following arguments? (?:was|were) not expected: (.*)$)");
    if (std::regex_match(text, m, extras)) return path + ": unexpected argument " + m[1].str();
    return path + ": " + text;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace otasign::cli;
    const bool full = edition() == Edition::full;
    CLI::App app{full ? "otasign: offline signing and verification of OTA release manifests"
                      : "otasign (verify edition): verification of OTA release manifests"};
    app.name("otasign");
    app.set_version_flag(
        "--version", std::string("otasign ") + OTASIGN_VERSION + (full ? "" : " (verify edition)"));
    app.require_subcommand(1);
    // Every command below this one with its options, for one page per group (cli/man-pages.sh).
    app.set_help_all_flag("--help-all", "Print help for every command below this one");
    app.footer("Exit codes: 0 ok, 1 verification or policy failure, 2 usage, 3 invalid input,\n"
               "4 token or device error, 5 operator declined or aborted, 6 internal error.");

    int exit_code = kOk;
    add_commands(app, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        const std::string path = command_path(app);
        std::cerr << "otasign: error: " << terminal_safe(usage_message(path, e.what())) << '\n'
                  << "otasign: hint: run '" << path << " --help'\n";
        return kUsage;
    } catch (const std::bad_alloc&) {
        std::cerr << "otasign: error: out of memory\n";
        return kInternal;
    } catch (const std::exception& e) {
        std::cerr << "otasign: error: internal error: " << e.what() << '\n';
        return kInternal;
    }
    return exit_code;
}
