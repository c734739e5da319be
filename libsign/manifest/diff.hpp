#pragma once
// The semantic diff an operator reviews before signing: risk highlights first (each with a
// stable code, a severity and a reason), then every change grouped by section. The text form
// and the JSON form carry the same content; the text form is stable (snapshot-tested).
// Risk codes and the text layout are specified in schemas/MANIFEST-FORMAT.md, "Diff".

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "manifest/manifest.hpp"

namespace otasign::manifest {

struct DiffOptions {
    int max_rollout_step = 25;  // percentage points one release may add to the rollout
    int max_expiry_days = 90;   // longest validity window, expires - created
    Timestamp now;  // expiry is judged against this; the caller reads the clock (libsign does not)
};

enum class Severity { high, medium };
const char* severity_name(Severity severity) noexcept;

struct Risk {
    std::string code;  // e.g. "rollback-index-decreased" (MANIFEST-FORMAT.md lists them all)
    Severity severity = Severity::high;
    std::string reason;
};

enum class ChangeKind { added, removed, changed, unchanged };
const char* change_kind_name(ChangeKind kind) noexcept;

struct Change {
    ChangeKind kind = ChangeKind::unchanged;
    std::string field;      // "version", "models", "system.img", ...
    std::string old_value;  // empty for added
    std::string new_value;  // empty for removed
};

struct Section {
    std::string name;  // release, rollbackIndex, validity, rollout, eligibility, artifacts
    std::vector<Change> changes;
};

struct Diff {
    bool first_release = false;  // no previous manifest: everything is "added"
    std::vector<Risk> risks;
    std::vector<Section> sections;
};

// The least validity a manifest must have left when it is signed: one day. A manifest that is
// expired, or expires sooner, would reach devices already refused or about to be
// (MANIFEST-FORMAT.md, "Signing refusals"). It does not depend on the policy's maxExpiryDays, which
// bounds the window from the other side.
inline constexpr std::int64_t kMinRemainingValiditySeconds = 86400;

// Refuses (PolicyViolation) a manifest whose `expires` is less than `min_seconds` after `now`.
Status check_remaining_validity(const Manifest& next, const Timestamp& now, std::string_view name,
                                std::int64_t min_seconds = kMinRemainingValiditySeconds);

// The codes of the diff's high risks, each once, in the diff's order: what the operator must
// accept one by one before signing.
std::vector<std::string> high_risk_codes(const Diff& diff);

// Compares `next` with the release before it (`previous`, null for a first release).
Diff diff(const Manifest* previous, const Manifest& next, const DiffOptions& options);

enum class Color { never, always };

// Whether unchanged lines ("= field: value") are listed or folded into one line per section
// ("= N unchanged (--full lists them)").
enum class Unchanged { list, fold };

// The stable text form; with Color::always, ANSI colour codes mark risks and changes.
std::string render_text(const Diff& diff, Color color, Unchanged unchanged = Unchanged::list);

// The same content as data: {firstRelease, risks:[{code,severity,reason}],
// sections:[{name, changes:[{kind, field, old?, new?}]}]}.
nlohmann::json to_json(const Diff& diff);

}  // namespace otasign::manifest
