#include "usage_errors.hpp"

#include <regex>
#include <vector>

#include "core/words.hpp"

namespace otasign::cli {
namespace {

CLI::App* deepest_command(CLI::App& app) {
    CLI::App* current = &app;
    for (auto subs = current->get_subcommands(); !subs.empty(); subs = current->get_subcommands())
        current = subs.front();
    return current;
}

// By type, not get_name(): a subcommand's ExtrasError carries the subcommand's name there.
template <class T>
bool is_a(const CLI::ParseError& error) {
    return dynamic_cast<const T*>(&error) != nullptr;
}

std::vector<std::string> command_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        names.push_back(sub->get_name());
    return names;
}

// The first argument the command did not take: an unknown option, a command that does not
// exist, or one argument too many. Empty when every argument was taken.
std::string first_leftover(CLI::App& app, const CLI::App& command, const std::string& path,
                           const std::string& text) {
    std::vector<std::string> left = app.remaining(true);
    // A subcommand's ExtrasError leaves no trace in remaining(); its text lists the arguments,
    // last first ("...not expected: p.json --policy").
    static const std::string extras_prefix = "not expected: ";
    if (std::size_t at = text.find(extras_prefix); left.empty() && at != std::string::npos) {
        std::string list = text.substr(at + extras_prefix.size());
        for (std::size_t pos = 0; pos <= list.size();) {
            std::size_t space = list.find(' ', pos);
            if (space == std::string::npos) space = list.size();
            left.insert(left.begin(), list.substr(pos, space - pos));
            pos = space + 1;
        }
    }
    if (left.empty()) return {};
    const std::string& arg = left.front();
    if (arg.size() > 1 && arg.front() == '-')
        return path + ": unknown option " + arg.substr(0, arg.find('='));
    const std::vector<std::string> names = command_names(command);
    if (!names.empty() && command.get_subcommands().empty())
        return path + ": '" + arg + "' is not a command";
    return path + ": unexpected argument " + arg;
}

std::string words(CLI::App& app, const CLI::App& command, const std::string& path,
                  const CLI::ParseError& error);

}  // namespace

std::string command_path(CLI::App& app) {
    std::string path = "otasign";
    CLI::App* current = &app;
    for (auto subs = current->get_subcommands(); !subs.empty(); subs = current->get_subcommands()) {
        current = subs.front();
        path += " " + current->get_name();
    }
    return path;
}

UsageText usage_message(CLI::App& app, const CLI::ParseError& error) {
    const std::string path = command_path(app);
    const CLI::App& command = *deepest_command(app);
    const std::vector<std::string> names = command_names(command);
    std::string hint = "run '" + path + " --help'";
    if (!names.empty() && command.get_subcommands().empty())
        hint = "the commands of " + path + " are " + one_of(names) + "; " + hint;
    return {words(app, command, path, error), hint};
}

namespace {
std::string words(CLI::App& app, const CLI::App& command, const std::string& path,
                  const CLI::ParseError& error) {
    // CLI11 writes a positional's multiplicity into its name: "FILES(1x)".
    static const std::regex multiplicity(R"(\(\d+x\))");
    const std::string text = std::regex_replace(std::string(error.what()), multiplicity, "");
    std::smatch m;
    // An unknown option or command is the real mistake even when CLI11 noticed a missing
    // argument first ("sign --bogus" lacks MANIFEST only because --bogus was not one).
    if (is_a<CLI::RequiredError>(error) || is_a<CLI::ExtrasError>(error)) {
        if (std::string leftover = first_leftover(app, command, path, text); !leftover.empty())
            return leftover;
    }
    if (is_a<CLI::RequiredError>(error)) {
        if (text == "A subcommand is required") return path + ": no command given";
        static const std::regex required(R"(^(\S+) is required$)");
        if (std::regex_match(text, m, required)) return path + ": " + m[1].str() + " is missing";
    }
    if (is_a<CLI::ArgumentMismatch>(error)) {
        static const std::regex no_value(R"(^(\S+): \d+ required \S+ missing$)");
        if (std::regex_match(text, m, no_value)) return path + ": " + m[1].str() + " needs a value";
    }
    if (is_a<CLI::ValidationError>(error)) {
        // CLI::IsMember: "--touch: maybe not in {auto,always,never}"
        static const std::regex member(R"(^(\S+): (.*) not in \{(.*)\}$)");
        if (std::regex_match(text, m, member)) {
            std::vector<std::string> allowed;
            const std::string list = m[3].str();
            for (std::size_t pos = 0; pos <= list.size();) {
                std::size_t comma = list.find(',', pos);
                if (comma == std::string::npos) comma = list.size();
                allowed.push_back(list.substr(pos, comma - pos));
                pos = comma + 1;
            }
            return path + ": " + m[1].str() + " '" + m[2].str() + "' is not allowed; use " +
                   one_of(allowed);
        }
        // CLI::Range: "--days: Value 0 not in range 1 to 36500"
        static const std::regex range(R"(^(\S+): Value (.*) not in range (\S+) to (\S+)$)");
        if (std::regex_match(text, m, range))
            return path + ": " + m[1].str() + " " + m[2].str() + " is outside " + m[3].str() +
                   ".." + m[4].str();
    }
    if (is_a<CLI::ExcludesError>(error)) {
        static const std::regex excludes(R"(^(\S+) excludes (\S+)$)");
        if (std::regex_match(text, m, excludes))
            return path + ": " + m[1].str() + " and " + m[2].str() + " cannot be used together";
    }
    if (is_a<CLI::RequiresError>(error)) {
        static const std::regex requires_(R"(^(\S+) requires (\S+)$)");
        if (std::regex_match(text, m, requires_))
            return path + ": " + m[1].str() + " goes with " + m[2].str();
    }
    if (is_a<CLI::ConversionError>(error)) {
        static const std::regex conversion(R"(^Could not convert: (\S+) = (.*)$)");
        if (std::regex_match(text, m, conversion))
            return path + ": " + m[1].str() + " '" + m[2].str() + "' is not a valid value";
    }
    return path + ": " + text;
}
}  // namespace

}  // namespace otasign::cli
