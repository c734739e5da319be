// verify_release: the release gate of `otasign verify`, called in-process, as a device updater
// or a CI tool would. Build it against an installed libsign:
//
//   c++ -std=c++20 verify_release.cpp $(pkg-config --cflags --libs otasign) -o verify_release
//
// Usage: verify_release MANIFEST BUNDLE POLICY [NOW]
// NOW is an RFC 3339 UTC time (default: the clock). Exit 0 verified, 1 not verified, 3 the
// inputs cannot be read. Each check is printed as "status name: detail".

#include <cstdio>
#include <ctime>
#include <string>

#include "core/atomic_file.hpp"
#include "envelope/bundle.hpp"
#include "manifest/manifest.hpp"
#include "policy/policy.hpp"
#include "policy/release.hpp"

namespace {

int fail_input(const otasign::Error& e) {
    std::fprintf(stderr, "verify_release: error: %s\n", e.detail.c_str());
    return 3;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace otasign;
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: verify_release MANIFEST BUNDLE POLICY [NOW]\n");
        return 2;
    }
    const std::string manifest_path = argv[1], bundle_path = argv[2], policy_path = argv[3];

    auto manifest_bytes = read_file(manifest_path);
    if (!manifest_bytes) return fail_input(manifest_bytes.error());
    auto manifest = manifest::load_manifest(*manifest_bytes, manifest_path);
    if (!manifest) return fail_input(manifest.error());

    auto bundle_bytes = read_file(bundle_path, envelope::kMaxBundleBytes + 1);
    if (!bundle_bytes) return fail_input(bundle_bytes.error());
    auto bundle = envelope::parse_bundle(*bundle_bytes, bundle_path);
    if (!bundle) return fail_input(bundle.error());

    auto policy_bytes = read_file(policy_path);
    if (!policy_bytes) return fail_input(policy_bytes.error());
    auto policy = policy::parse_policy(*policy_bytes, policy_path);
    if (!policy) return fail_input(policy.error());

    policy::ReleaseInputs in;
    in.manifest = &*manifest;
    in.bundle = &*bundle;
    in.bundle_source = bundle_path;
    in.policy = &*policy;
    in.role = policy::Role::manifest;
    if (argc == 5) {
        auto now = manifest::parse_rfc3339_utc(argv[4]);
        if (!now) return fail_input(now.error());
        in.now = *now;
    } else {
        in.now = manifest::timestamp_from_unix(static_cast<std::int64_t>(std::time(nullptr)));
    }

    auto report = policy::verify_release(in);
    if (!report) return fail_input(report.error());
    for (const auto& check : report->checks)
        std::printf("%-7s %s: %s\n", policy::check_status_name(check.status), check.name.c_str(),
                    check.detail.c_str());
    std::printf("%s\n", report->ok() ? "verified" : "not verified");
    return report->ok() ? 0 : 1;
}
