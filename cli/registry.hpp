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

}  // namespace otasign::cli
