#pragma once
// Command groups register themselves: each cmd_*.cpp defines a static CommandGroup whose
// function adds its subcommands to the app. A subcommand's callback stores its exit code.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace otasign::cli {

using AddCommands = std::function<void(CLI::App& app, int& exit_code)>;

struct CommandGroup {
    CommandGroup(int order, AddCommands add);
};

struct RegisteredGroup {
    int order;
    AddCommands add;
};
std::vector<RegisteredGroup>& command_groups();

// The subcommand `name` of `parent`, created on first use, so that two files can both add
// commands under one group (e.g. `key export` and `key generate`).
inline CLI::App* subcommand_group(CLI::App& parent, const std::string& name,
                                  const std::string& description) {
    for (CLI::App* existing : parent.get_subcommands([&](CLI::App* a) { return a->get_name() == name; }))
        return existing;
    CLI::App* group = parent.add_subcommand(name, description);
    group->require_subcommand(1);
    return group;
}

}  // namespace otasign::cli
