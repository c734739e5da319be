// otasign token unblock-pin | change-pin: the PIV PIN's own life cycle. Secrets come from
// fd:N / file:PATH or the terminal, never from argv or the environment. The retry counters are
// read (GET METADATA) before anything is sent, so a blocked PUK or an exhausted PIN is refused
// without costing a try.

#include <iostream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "piv/device.hpp"
#include "piv_cli.hpp"

namespace otasign::cli {
namespace {

struct PinArgs {
    std::string reader, puk_source, pin_source, new_pin_source;
    bool allow_final_try = false;
};

std::string tries(const std::optional<int>& n) {
    return n ? std::to_string(*n) : std::string("an unknown number of");
}

Status unblock(const PinArgs& a) {
    auto ui = piv_cli::make_ui();
    OTASIGN_ASSIGN_OR_RETURN(piv::PivDevice dev, piv::PivDevice::open(a.reader));
    OTASIGN_ASSIGN_OR_RETURN(piv::TokenStatus st, dev.status());
    if (st.puk_retries && *st.puk_retries == 0)
        return make_error(ErrorCode::PinLocked,
                          "the PUK of card " + std::to_string(st.serial) + " is blocked too",
                          "only a reset of the PIV applet (which erases its keys) helps now");
    if (st.puk_retries && *st.puk_retries == 1 && !a.allow_final_try)
        return make_error(ErrorCode::PinFinalTry,
                          "the PUK of card " + std::to_string(st.serial) +
                              " has one try left; otasign will not use it unless told to",
                          "make sure of the PUK, then pass --allow-final-puk-try");
    OTASIGN_ASSIGN_OR_RETURN(SecretBuffer puk, piv_cli::obtain_secret(a.puk_source, *ui, "PUK: "));
    OTASIGN_ASSIGN_OR_RETURN(SecretBuffer pin,
                             piv_cli::obtain_new_secret(a.new_pin_source, *ui, "PIN"));
    OTASIGN_TRY(dev.unblock_pin(puk, pin));
    auto after = dev.credential_metadata(0x80);
    std::cout << "PIN of card " << st.serial << " unblocked and set; "
              << tries(after.ok() ? after->retries_remaining : std::nullopt) << " tries left\n";
    return ok_status();
}

Status change(const PinArgs& a) {
    auto ui = piv_cli::make_ui();
    OTASIGN_ASSIGN_OR_RETURN(piv::PivDevice dev, piv::PivDevice::open(a.reader));
    OTASIGN_ASSIGN_OR_RETURN(piv::TokenStatus st, dev.status());
    if (st.pin_retries && *st.pin_retries == 0)
        return make_error(ErrorCode::PinLocked,
                          "the PIN of card " + std::to_string(st.serial) + " is blocked",
                          "unblock it with the PUK: 'otasign token unblock-pin'");
    if (st.pin_retries && *st.pin_retries == 1 && !a.allow_final_try)
        return make_error(ErrorCode::PinFinalTry,
                          "the PIN of card " + std::to_string(st.serial) +
                              " has one try left; otasign will not use it unless told to",
                          "make sure of the PIN, then pass --allow-final-pin-try");
    OTASIGN_ASSIGN_OR_RETURN(SecretBuffer pin,
                             piv_cli::obtain_secret(a.pin_source, *ui, "current PIN: "));
    OTASIGN_ASSIGN_OR_RETURN(SecretBuffer fresh,
                             piv_cli::obtain_new_secret(a.new_pin_source, *ui, "PIN"));
    OTASIGN_TRY(dev.change_reference(0x80, pin, fresh));
    std::cout << "PIN of card " << st.serial << " changed\n";
    return ok_status();
}

}  // namespace

void add_token_pin_commands(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto a = std::make_shared<PinArgs>();

    CLI::App* unblock_cmd = group->add_subcommand(
        "unblock-pin", "Unblock a blocked PIV PIN with the PUK and set a new PIN");
    unblock_cmd->add_option("--reader", a->reader,
                            "Reader name (substring); default: the first YubiKey");
    unblock_cmd->add_option("--puk-source", a->puk_source,
                            "fd:N or file:PATH (default: ask on the terminal)");
    unblock_cmd->add_option("--new-pin-source", a->new_pin_source,
                            "fd:N or file:PATH (default: typed twice on the terminal)");
    unblock_cmd->add_flag("--allow-final-puk-try", a->allow_final_try,
                          "Use the PUK even when one try is left (a wrong one blocks it for good)");
    unblock_cmd->footer(
        "A wrong PUK costs one PUK try and is never retried. Exit 4 for a wrong or blocked PUK.\n"
        "Example:\n  otasign token unblock-pin --puk-source file:/run/puk --new-pin-source fd:3 "
        "3<new-pin");
    unblock_cmd->callback([a, &exit_code] {
        if (auto st = unblock(*a); !st) exit_code = report(st.error());
    });

    CLI::App* change_cmd = group->add_subcommand("change-pin", "Change the PIV PIN");
    change_cmd->add_option("--reader", a->reader,
                           "Reader name (substring); default: the first YubiKey");
    change_cmd->add_option("--pin-source", a->pin_source,
                           "Current PIN: fd:N or file:PATH (default: ask)");
    change_cmd->add_option("--new-pin-source", a->new_pin_source,
                           "fd:N or file:PATH (default: typed twice on the terminal)");
    change_cmd->add_flag("--allow-final-pin-try", a->allow_final_try,
                         "Use the PIN even when one try is left");
    change_cmd->footer(
        "A wrong current PIN costs one try and is never retried. Exit 4 for a wrong or blocked "
        "PIN.\n"
        "Example:\n  otasign token change-pin --pin-source file:/run/pin --new-pin-source "
        "file:/run/new-pin");
    change_cmd->callback([a, &exit_code] {
        if (auto st = change(*a); !st) exit_code = report(st.error());
    });
}

}  // namespace otasign::cli
