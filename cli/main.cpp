// otasign: offline signing of OTA release manifests. main only parses flags and maps results
// to exit codes; the work is in libsign.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "terminal_text.hpp"
#include "usage_errors.hpp"

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
    app.footer(
        "Exit codes: 0 ok, 1 verification or policy failure, 2 usage, 3 invalid input,\n"
        "4 token or device error, 5 operator declined or aborted, 6 internal or I/O error.");

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
        const UsageText text = usage_message(app, e);
        std::cerr << "otasign: error: " << terminal_safe(text.error) << '\n'
                  << "otasign: hint: " << terminal_safe(text.hint) << '\n';
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
