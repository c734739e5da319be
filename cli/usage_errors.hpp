#pragma once
// Command-line mistakes in otasign's words: CLI11 throws ParseErrors whose texts ("A subcommand
// is required", "FILES(1x)", "1 required TEXT missing") are its own; these say what is wrong
// with which command, in the `otasign: error:` style.

#include <CLI/CLI.hpp>
#include <string>

namespace otasign::cli {

// "otasign policy add-key": the commands parsed so far, for messages and the --help hint.
std::string command_path(CLI::App& app);

struct UsageText {
    std::string error;  // what is wrong, after "otasign: error: "
    std::string hint;   // what to do, after "otasign: hint: "
};

// What is wrong with the command line, and where to read how it goes.
UsageText usage_message(CLI::App& app, const CLI::ParseError& error);

}  // namespace otasign::cli
