// otasign sign: read the manifest once, show the operator what they approve, sign exactly those
// canonical bytes on the token, and record the evidence. Nothing is written unless the fresh
// signature verified; the bundle and the evidence log change together or not at all.

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>

#include "airgap/ledger.hpp"
#include "airgap/request.hpp"
#include "airgap_cli.hpp"
#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "envelope/commit_journal.hpp"
#include "exit_codes.hpp"
#include "json/canonical.hpp"
#include "manifest/diff.hpp"
#include "manifest/manifest.hpp"
#include "pkcs11/key.hpp"
#include "pkcs11/signer.hpp"
#include "policy/policy.hpp"
#include "review_screen.hpp"
#include "sign_request.hpp"
#include "signing/commit.hpp"
#include "signing/plan.hpp"
#include "terminal_text.hpp"
#include "tty_ui.hpp"

namespace otasign::cli {
namespace {
namespace fs = std::filesystem;

struct SignArgs {
    std::string manifest, key_uri, policy, previous, signature, pin_source, operator_name, approve,
        evidence_log, module;
    std::string request, response, ledger;  // sign --request REQ [--response OUT] [--ledger DIR]
    std::vector<std::string> accept_risks;  // --accept-risk CODE, repeatable
    bool allow_final_pin_try = false;
    bool full = false;  // --full: list unchanged lines instead of folding them
    std::string touch = "auto";
};

std::string utc_now_text() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "";
    return buf;
}

// Every value from outside (file names, manifest strings) is escaped field by field, so none
// can break a line or move the cursor; the screen as a whole is escaped again when shown.
std::string release_summary(const SignArgs& a, const manifest::LoadedManifest& m,
                            const manifest::LoadedManifest* prev, const std::string& ledger_lines) {
    const auto& r = m.manifest.release;
    std::string out = "Release to sign\n";
    out += "  file        " +
           terminal_safe(a.request.empty() ? a.manifest : a.request + ", signing request") + " (" +
           std::to_string(m.canonical.size()) + " canonical bytes)\n";
    out += "  release     " + terminal_safe(r.id) + "  version " + terminal_safe(r.version) +
           "  build " + terminal_safe(r.build) + "\n";
    out += "  channel     " + std::string(manifest::channel_name(r.channel)) + "\n";
    out += "  rollback    index " + std::to_string(m.manifest.rollback_index) + "\n";
    out += "  valid       " + m.manifest.created.text + " .. " + m.manifest.expires.text + "\n";
    out += "  rollout     " + std::to_string(m.manifest.rollout.percentage) + "%\n";
    out += "  artifacts   " + std::to_string(m.manifest.artifacts.size()) + "\n";
    out +=
        prev ? "  previous    " + terminal_safe(a.previous) + " (sha256:" + prev->sha256_hex + ")\n"
             : std::string("  previous    none given: first release, everything below is new\n");
    return out + ledger_lines;
}

std::string join_codes(const std::vector<std::string>& codes) {
    std::string out;
    for (const auto& c : codes) out += (out.empty() ? "" : ", ") + c;
    return out;
}

std::string trimmed(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
    return s;
}

// Cuts a line to `width` bytes at a UTF-8 boundary, marking the cut with "...".
std::string fit(std::string line, std::size_t width) {
    if (line.size() <= width) return line;
    std::size_t n = width - 3;
    while (n > 0 && (static_cast<unsigned char>(line[n]) & 0xC0) == 0x80) --n;
    return line.substr(0, n) + "...";
}

// The last thing above the approval prompt, so that it is on screen when the operator answers:
// what is released to whom, and every risk with its severity, each line within 79 columns.
std::string approval_recap(const manifest::LoadedManifest& m, const manifest::Diff& d) {
    const auto& r = m.manifest.release;
    std::string out = "\nAPPROVAL RECAP\n";
    out += fit("  release   " + terminal_safe(r.id) + "  version " + terminal_safe(r.version), 79) +
           "\n";
    out += "  channel   " + std::string(manifest::channel_name(r.channel)) + "  rollback index " +
           std::to_string(m.manifest.rollback_index) + "\n";
    std::string rollout =
        "  rollout   " + std::to_string(m.manifest.rollout.percentage) + "% from " +
        (m.manifest.rollout.start ? m.manifest.rollout.start->text : m.manifest.created.text);
    if (!m.manifest.rollout.waves.empty())
        rollout += ", " + std::to_string(m.manifest.rollout.waves.size()) + " waves";
    out += rollout + "\n";
    std::size_t high = 0;
    for (const auto& risk : d.risks) high += risk.severity == manifest::Severity::high;
    out += "  risks     " + std::to_string(d.risks.size()) + " (" + std::to_string(high) +
           " high: typed one by one below)\n";
    for (const auto& risk : d.risks) {
        const bool is_high = risk.severity == manifest::Severity::high;
        // Folded, not cut: every word of every risk stays on screen.
        out += fold_lines(std::string(is_high ? "  HIGH    " : "  medium  ") + risk.code + ": " +
                              terminal_safe(risk.reason),
                          kScreenWidth, 10) +
               "\n";
    }
    return out;
}

// How the operator approved, and the interface the rest of the sign talks to them through.
struct Approved {
    std::unique_ptr<OperatorUi> ui;
    envelope::ApprovalMethod method = envelope::ApprovalMethod::terminal_digest_suffix;
};

// The operator's approval of exactly `shown`. With --approve: the digest it names and every high
// risk named with --accept-risk; else on the terminal: the review read, the digest's last 8 hex
// digits typed, then each high risk's code. Errors: Declined ("...; nothing was signed"), and
// TtyUi::open's when there is no terminal.
Result<Approved> get_approval(const SignArgs& a, const std::optional<std::string>& approve_hex,
                              const std::string& shown, const manifest::LoadedManifest& loaded,
                              const std::vector<std::string>& high_risks) {
    Approved out;
    if (approve_hex) {
        out.ui = std::make_unique<StderrUi>();
        out.ui->display(shown);
        if (*approve_hex != loaded.sha256_hex)
            return make_error(ErrorCode::Declined,
                              "--approve names sha256:" + *approve_hex + " but " + a.manifest +
                                  " has canonical digest sha256:" + loaded.sha256_hex +
                                  "; nothing was signed",
                              "review the manifest again; approve exactly the digest shown");
        std::vector<std::string> missing;
        for (const auto& code : high_risks)
            if (std::find(a.accept_risks.begin(), a.accept_risks.end(), code) ==
                a.accept_risks.end())
                missing.push_back(code);
        if (!missing.empty())
            return make_error(
                ErrorCode::Declined,
                "not approved: " +
                    std::string(missing.size() == 1 ? "the high risk " : "the high risks ") +
                    join_codes(missing) + (missing.size() == 1 ? " was" : " were") +
                    " not accepted; nothing was signed",
                "review them, then name each with --accept-risk CODE next to --approve");
        out.method = envelope::ApprovalMethod::approve_flag;
        return out;
    }
    OTASIGN_ASSIGN_OR_RETURN(auto tty, TtyUi::open());
    if (auto seen = show_review(*tty, shown, use_colour()); !seen)
        return make_error(ErrorCode::Declined,
                          "not approved: " + seen.error().detail + "; nothing was signed");
    out.ui = std::move(tty);
    std::string suffix = loaded.sha256_hex.substr(56);
    auto answer = out.ui->request_value("To approve, type the LAST 8 hex digits of the digest: ");
    if (!answer)
        return make_error(ErrorCode::Declined,
                          "not approved: " + answer.error().detail + "; nothing was signed");
    std::string typed = trimmed(*answer);
    for (auto& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (typed != suffix)
        return make_error(ErrorCode::Declined,
                          "not approved (the answer was not " + suffix + "); nothing was signed");
    // Each high risk is accepted on its own, by typing its code.
    for (const auto& code : high_risks) {
        auto typed_code = out.ui->request_value("Accept high risk " + code + ": ");
        if (!typed_code)
            return make_error(ErrorCode::Declined, "not approved: " + typed_code.error().detail +
                                                       "; nothing was signed");
        if (trimmed(*typed_code) != code)
            return make_error(ErrorCode::Declined, "not approved (the high risk " + code +
                                                       " was not accepted); nothing was signed");
    }
    out.method = envelope::ApprovalMethod::terminal_digest_suffix;
    return out;
}

int run_sign(const SignArgs& args) {
    // 1. Inputs, read once: from the manifest file, or all from one signing request.
    SignArgs a = args;
    std::optional<SignRequestMode> rq;
    std::optional<manifest::LoadedManifest> loaded;
    std::optional<manifest::LoadedManifest> previous;
    if (!a.request.empty()) {
        auto r = open_sign_request(a.request, a.response);
        if (!r) return report(r.error());
        rq = std::move(r).value();
        loaded = rq->request.manifest;
        previous = rq->request.previous;
        // The evidence names the ledger's copy of the manifest and the response it went to.
        auto dir = ledger_dir(a.ledger);
        if (!dir) return report(dir.error());
        a.manifest = airgap::ledger_manifest_path(*dir, loaded->sha256_hex).string();
        a.previous = previous ? "the request's previous release" : "";
    } else {
        if (a.manifest.empty())
            return report(make_error(ErrorCode::Usage, "otasign sign: MANIFEST is missing",
                                     "run 'otasign sign --help'"));
        auto bytes = read_file(a.manifest);
        if (!bytes) return report(bytes.error());
        auto m = manifest::load_manifest(*bytes, a.manifest);
        if (!m)
            return report(
                name_wrong_kind(m.error(), *bytes, a.manifest, json::DocumentKind::manifest));
        loaded = std::move(m).value();
    }
    const manifest::Timestamp now =
        manifest::timestamp_from_unix(static_cast<std::int64_t>(std::time(nullptr)));
    // An expired manifest, or one with less than a day left, is never signed (before the key).
    if (auto v = manifest::check_remaining_validity(loaded->manifest, now, a.manifest); !v)
        return report(v.error());
    if (!rq && !a.previous.empty()) {
        auto pb = read_file(a.previous);
        if (!pb) return report(pb.error());
        auto p = manifest::load_manifest(*pb, a.previous);
        if (!p)
            return report(
                name_wrong_kind(p.error(), *pb, a.previous, json::DocumentKind::manifest));
        previous = std::move(p).value();
    }
    std::optional<policy::Policy> pol;
    std::optional<std::string> policy_bytes;
    if (!a.policy.empty()) {
        auto pb = read_file(a.policy);
        if (!pb) return report(pb.error());
        auto p = policy::parse_policy(*pb, a.policy);
        if (!p)
            return report(name_wrong_kind(p.error(), *pb, a.policy, json::DocumentKind::policy));
        pol = std::move(p).value();
        policy_bytes = std::move(pb).value();
    }
    // Every sign is judged against the workstation's ledger (schemas/REQUEST-FORMAT.md section
    // 3), and records what it signed there. The ledger (and a request's policy) judge before the
    // key and the review: the ledger's last release in the channel becomes the base of the diff.
    auto opened_ledger = open_sign_ledger(a.ledger);
    if (!opened_ledger) return report(opened_ledger.error());
    SignLedger lg = std::move(opened_ledger).value();
    lg.claim_required = rq.has_value();
    if (rq)
        if (auto st = airgap::check_request_policy(
                rq->request, policy_bytes ? &*policy_bytes : nullptr, a.policy);
            !st)
            return report(st.error());
    // What the pipeline or the operator says the previous release is, before the ledger's base
    // takes its place.
    const std::optional<manifest::LoadedManifest> claimed = previous;
    auto lc = ledger_verdict(lg, *loaded, claimed ? &*claimed : nullptr, previous);
    if (!lc) return report(lc.error());
    std::string ledger_lines = (rq ? request_line(*rq) : std::string()) + std::move(lc).value();
    if (rq || lg.check.base) a.previous = lg.previous_label;
    std::optional<pkcs11::PinSource> pin_source;
    if (!a.pin_source.empty()) {
        auto ps = pkcs11::PinSource::parse(a.pin_source);
        if (!ps) return report(ps.error());
        // Before the review: a PIN file others can read is refused now, not after approval.
        if (auto usable = ps->check(); !usable) return report(usable.error());
        pin_source = std::move(ps).value();
    }
    std::string operator_name = a.operator_name;
    if (operator_name.empty()) {
        const char* user = std::getenv("USER");
        if (user) operator_name = user;
    }
    if (operator_name.empty()) {
        // No $USER (a bare root shell, a service): the account the process runs as.
        if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_name)
            operator_name = pw->pw_name;
    }
    if (operator_name.empty())
        return report(make_error(ErrorCode::Usage,
                                 "cannot tell who the operator is (no $USER, no account name)",
                                 "pass --operator NAME"));
    std::optional<std::string> approve_hex;
    if (!a.approve.empty()) {
        std::string v = a.approve;
        for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (v.rfind("sha256:", 0) != 0 || v.size() != 7 + 64 ||
            v.find_first_not_of("0123456789abcdef", 7) != std::string::npos)
            return report(make_error(ErrorCode::Usage,
                                     "--approve wants sha256: followed by 64 hex digits",
                                     "print the digest with 'otasign digest " + a.manifest + "'"));
        approve_hex = v.substr(7);
    }

    // The review's risks, known before the key: a named risk the review does not raise is a
    // usage error, so no blanket acceptance can be scripted.
    manifest::DiffOptions dopts;
    if (pol && pol->max_expiry_days)
        dopts.max_expiry_days = static_cast<int>(*pol->max_expiry_days);
    dopts.now = now;
    manifest::Diff d =
        manifest::diff(previous ? &previous->manifest : nullptr, loaded->manifest, dopts);
    if (lg.check.mismatch) d.risks.insert(d.risks.begin(), *lg.check.mismatch);
    const std::vector<std::string> high_risks = manifest::high_risk_codes(d);
    if (!a.accept_risks.empty() && !approve_hex)
        return report(make_error(ErrorCode::Usage, "--accept-risk goes with --approve",
                                 "on a terminal the operator types each high risk's code"));
    for (const auto& code : a.accept_risks)
        if (std::find(high_risks.begin(), high_risks.end(), code) == high_risks.end())
            return report(make_error(
                ErrorCode::Usage,
                "--accept-risk " + code + ": this review raises no high risk with that code",
                high_risks.empty() ? "it raises no high risk at all; drop --accept-risk"
                                   : "the high risks it raises: " + join_codes(high_risks)));

    // 2. The key, opened once for the whole command (no login yet), the facts of the PIV card
    // that holds it (slot, policies, attestation, exact PIN retry count: read before any PIN is
    // sent), and the refusals that need no operator (libsign/signing/plan.hpp).
    signing::PlanInputs inputs;
    inputs.manifest = &*loaded;
    inputs.previous = previous ? &*previous : nullptr;
    inputs.policy = pol ? &*pol : nullptr;
    inputs.policy_source = a.policy;
    inputs.key_uri = a.key_uri;
    inputs.module_path = a.module;
    inputs.allow_final_pin_try =
        a.allow_final_pin_try ? pkcs11::AllowFinalPinTry::yes : pkcs11::AllowFinalPinTry::no;
    inputs.touch = a.touch == "always"  ? signing::TouchChoice::always
                   : a.touch == "never" ? signing::TouchChoice::never
                                        : signing::TouchChoice::ask_key;
    auto plan = signing::plan_signing(inputs);
    if (!plan) return report(plan.error());
    const std::string& key_id = plan->public_key.key_id;
    // An imported key has no attestation (its origin says so); a card that could not give one
    // for a generated key is said, since the evidence then carries none.
    if (plan->piv && plan->piv->attestation_unread &&
        plan->piv->attestation_unread->code != ErrorCode::TokenNotFound)
        warn("card " + std::to_string(plan->piv->evidence.serial) +
             ": the key's attestation could not be read (" + plan->piv->attestation_unread->detail +
             "); the evidence carries none");

    fs::path bundle_path = rq                    ? rq->response
                           : a.signature.empty() ? fs::path(a.manifest + ".sig")
                                                 : fs::path(a.signature);
    fs::path log_path = rq ? airgap::ledger_log_path(lg.dir)
                        : a.evidence_log.empty()
                            ? fs::path(a.manifest).parent_path() / "evidence.log.jsonl"
                            : fs::path(a.evidence_log);
    // The ledger, the log and the bundle locked in that order and read under the locks, an
    // interrupted earlier write completed first; the locks are held until all are renamed.
    signing::CommitEvents events;
    events.waiting_for_lock = [](const fs::path& lock_path, const fs::path& target) {
        std::cerr << "otasign: waiting for " << terminal_safe(lock_path.string())
                  << ": another otasign sign is writing " << terminal_safe(target.string()) << "\n";
    };
    events.recovered = [](const envelope::RecoveryReport& r, const fs::path& journal) {
        for (const auto& f : r.completed)
            std::cerr << "otasign: completed the interrupted write of " << terminal_safe(f)
                      << " recorded in " << terminal_safe(journal.string()) << "\n";
        for (const auto& f : r.leftover_temps)
            std::cerr << "otasign: removed the temporary file " << terminal_safe(f)
                      << " left by an interrupted write\n";
    };
    events.bundle_unreadable = [](const Error& e, std::string_view bytes, const std::string& path) {
        return name_wrong_kind(e, bytes, path, json::DocumentKind::bundle);
    };
    auto prepared =
        signing::prepare_commit({bundle_path, log_path, {airgap::ledger_log_path(lg.dir)}},
                                loaded->sha256_hex, plan->public_key, events);
    if (!prepared) return report(prepared.error());
    // Under the lock, the ledger must be as it was reviewed against, and this key must not have
    // signed this manifest here already.
    auto ledger_now = recheck_ledger(lg, *loaded, claimed ? &*claimed : nullptr, key_id);
    if (!ledger_now) return report(ledger_now.error());
    if (auto st = signing::check_bundle_logged(*prepared); !st) return report(st.error());

    // 3. What the operator is shown: summary, diff, digest. These exact bytes are digested into
    // the statement.
    std::string shown = release_summary(a, *loaded, previous ? &*previous : nullptr, ledger_lines);
    shown += "\n" + std::string(previous ? "Changes since the previous release\n"
                                         : "Full content (first release)\n");
    shown += manifest::render_text(d, manifest::Color::never,
                                   a.full ? manifest::Unchanged::list : manifest::Unchanged::fold);
    shown += "\nCanonical digest (RFC 8785, SHA-256):\n  sha256:" + loaded->sha256_hex + "\n";
    shown += approval_recap(*loaded, d);
    // The digest covers exactly what is displayed: the escaped text folded to 79 columns
    // (display() escapes and folds again, which changes nothing in text already so).
    shown = fold_lines(terminal_safe_text(shown), kScreenWidth);
    std::string shown_diff_json = json::canonicalize(manifest::to_json(d));

    // 4. Approval.
    auto approved = get_approval(a, approve_hex, shown, *loaded, high_risks);
    if (!approved) return report(approved.error());
    std::unique_ptr<OperatorUi> ui = std::move(approved->ui);
    const envelope::ApprovalMethod method = approved->method;
    std::string approved_at = utc_now_text();

    // 5. Token and key, as they stand now.
    auto state = signing::read_token_state(*plan);
    if (!state) return report(state.error());
    {
        const pkcs11::TokenInfo& token = state->token;
        const pkcs11::PinStatus& pin = state->pin;
        std::string t = "Token   '" + terminal_safe(token.label) + "' (" +
                        terminal_safe(token.manufacturer) + " " + terminal_safe(token.model) +
                        ", serial " + terminal_safe(token.serial) + ")\n";
        t += "Key     '" + terminal_safe(plan->key.info().label) + "' " +
             plan->key.info().key_type + ", key id " + key_id + "\n";
        // The token's PIN state, before any PIN is asked for (not a verdict on a PIN).
        t += std::string("PIN     not entered yet; the token reports ") +
             pkcs11::pin_state_name(pin.state) +
             (pin.retries_left ? ", " + std::to_string(*pin.retries_left) +
                                     (*pin.retries_left == 1 ? " retry left" : " retries left")
                               : ", no retry count") +
             "\n";
        ui->display(t);
    }

    // 6-7. Statement, PIN, touch, signature (verified before it is returned).
    signing::Approval approval{shown,       shown_diff_json, operator_name, method,
                               approved_at, host_name(),     high_risks};
    envelope::Statement st =
        signing::build_statement(*plan, *state, *loaded, previous ? &*previous : nullptr, approval,
                                 signing::next_position(*prepared, a.manifest));
    auto entry = signing::sign_statement(*plan, *state, st, pin_source, *ui);
    if (!entry) return report(entry.error());

    // 8. Write both files, or neither. From here on Ctrl-C (whose handler exits at once) must not
    // land between the two renames; the signals stay blocked until the process ends. The CLI
    // blocks them, not libsign: the handlers are the CLI's.
    sigset_t commit_signals;
    sigemptyset(&commit_signals);
    for (int sig : {SIGINT, SIGQUIT, SIGTERM, SIGHUP}) sigaddset(&commit_signals, sig);
    sigprocmask(SIG_BLOCK, &commit_signals, nullptr);
    // The ledger keeps the canonical bytes of what it signed, written with the log or not at all.
    std::vector<envelope::PlannedWrite> ledger_writes;
    if (auto w = airgap::manifest_write(*ledger_now, *loaded))
        ledger_writes.push_back(std::move(*w));
    auto done = signing::commit_signature(*prepared, *entry, std::move(ledger_writes));
    if (!done) return report(done.error());
    ui->display("Signed " + terminal_safe(a.manifest) + " (sha256:" + loaded->sha256_hex + ")\n" +
                "Signature bundle  " + terminal_safe(bundle_path.string()) + " (" +
                plural(done->signatures, "signature") + ")\n" + "Evidence          " +
                terminal_safe(log_path.string()) + " entry " + std::to_string(done->log_entry) +
                "\n");
    std::cout << terminal_safe(bundle_path.string()) << "\n";
    return kOk;
}

}  // namespace

void add_sign_command(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<SignArgs>();
    CLI::App* cmd = app.add_subcommand(
        "sign", "Review, approve and sign a manifest with a PKCS#11 key (detached bundle)");
    auto* manifest_opt =
        cmd->add_option("MANIFEST", a->manifest, "Release manifest (JSON), read once");
    auto* request_opt = cmd->add_option(
        "--request", a->request,
        "Signing request (instead of MANIFEST): reviewed against the workstation's ledger");
    request_opt->excludes(manifest_opt);
    cmd->add_option("--response", a->response,
                    "With --request: the response bundle to write (default: REQUEST.response.sig)")
        ->needs(request_opt);
    cmd->add_option("--ledger", a->ledger,
                    "The workstation ledger: refuses regressions, gives the diff's base, records "
                    "what is signed (default: $XDG_DATA_HOME/otasign)");
    cmd->add_option("--key", a->key_uri,
                    "PKCS#11 URI of the signing key, e.g. 'pkcs11:token=T;object=L'")
        ->required();
    cmd->add_option(
        "--policy", a->policy,
        "Trust policy: refuse keys outside the manifest role; maxExpiryDays for the diff");
    cmd->add_option(
        "--previous", a->previous,
        "Previous release manifest: the diff is shown against it and its digest signed");
    cmd->add_option(
        "--signature", a->signature,
        "Signature bundle (default: MANIFEST.sig); an existing one gets a co-signature");
    cmd->add_option("--pin-source", a->pin_source, "fd:N or file:PATH (never the PIN itself)");
    cmd->add_option(
        "--operator", a->operator_name,
        "Operator name recorded in the evidence (default: $USER, else the account name)");
    cmd->add_option(
        "--approve", a->approve,
        "Approve without a terminal exactly the manifest with this canonical digest (sha256:HEX)");
    cmd->add_option("--evidence-log", a->evidence_log,
                    "Evidence log (default: evidence.log.jsonl beside the manifest)");
    for (const char* o : {"--previous", "--signature", "--evidence-log"}) request_opt->excludes(o);
    cmd->add_option("--accept-risk", a->accept_risks,
                    "With --approve: accept this high risk of the review (repeatable; every "
                    "high risk must be named, and only those)");
    cmd->add_flag("--full", a->full,
                  "List the unchanged lines of the diff too (folded to a count by default)");
    cmd->add_flag("--allow-final-pin-try", a->allow_final_pin_try,
                  "Use the PIN even when one try is left");
    cmd->add_option("--module", a->module,
                    "PKCS#11 module path (default: the URI's module-path, else p11-kit's proxy)");
    cmd->add_option("--touch", a->touch,
                    "Whether the key needs a touch: auto (ask the key), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->footer(
        "Without --approve a terminal is required: the operator sees the summary, the diff and the "
        "digest,\n"
        "types the digest's last 8 hex digits, then each high risk's code, then the PIN (no "
        "echo).\n"
        "With --approve, every high risk must be named with --accept-risk. Exit 5 when not "
        "approved, 4 "
        "for\n"
        "token errors (wrong PIN), 1 for policy refusals (key not in the manifest role, bundle of "
        "another\n"
        "manifest, same key twice), 3 for invalid input.\n"
        "Example:\n  otasign sign release-2.json --previous release-1.json --policy policy.json "
        "\\\n"
        "      --key "
        "'pkcs11:token=YubiKey%20PIV;object=Private%20key%20for%20Digital%20Signature'");
    cmd->callback([a, &exit_code] { exit_code = run_sign(*a); });
}

}  // namespace otasign::cli
