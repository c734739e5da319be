// otasign: offline signing of OTA release manifests. main only parses flags and maps results
// to exit codes; the work is in libsign.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <iostream>

#include "exit_codes.hpp"
#include "registry.hpp"
#include "terminal_text.hpp"
#include "usage_errors.hpp"

namespace otasign::cli {

std::vector<RegisteredGroup>& command_groups() {
    static std::vector<RegisteredGroup> groups;
    return groups;
}

CommandGroup::CommandGroup(int order, AddCommands add) {
    command_groups().push_back({order, std::move(add)});
}

}  // namespace otasign::cli

int main(int argc, char** argv) {
    using namespace otasign::cli;
    CLI::App app{"otasign: offline signing and verification of OTA release manifests"};
    app.name("otasign");
    app.set_version_flag("--version", std::string("otasign ") + OTASIGN_VERSION);
    app.require_subcommand(1);
    app.footer(
        "Exit codes: 0 ok, 1 verification or policy failure, 2 usage, 3 invalid input,\n"
        "4 token or device error, 5 operator declined or aborted, 6 internal or I/O error.");

    int exit_code = kOk;
    auto& groups = command_groups();
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.order < b.order; });
    for (auto& group : groups) group.add(app, exit_code);

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
