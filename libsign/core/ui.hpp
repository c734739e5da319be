#pragma once
// The operator interface libsign talks through (after age's plugin UI): libsign never touches
// the terminal. The CLI implements it on /dev/tty; tests script it.

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/secret.hpp"

namespace otasign {

class OperatorUi {
  public:
    virtual ~OperatorUi() = default;
    // Informational text for the operator (summary, diff, token details).
    virtual void display(std::string_view text) = 0;
    // A warning for the operator (few PIN tries left), which the CLI words in its own style.
    virtual void warn(std::string_view text) { display("warning: " + std::string(text)); }
    // Asks for a secret without echo. Errors: Declined when the operator aborts.
    virtual Result<SecretBuffer> request_secret(std::string_view prompt) = 0;
    // Asks for a line of text (echoed). Errors: Declined when the operator aborts.
    virtual Result<std::string> request_value(std::string_view prompt) = 0;
    // Tells the operator a hardware wait began (e.g. "Touch the key now"); called before the
    // blocking call. wait_done() follows when it returns, whatever the outcome.
    virtual void wait_begin(std::string_view message) = 0;
    virtual void wait_done() = 0;
};

}  // namespace otasign
