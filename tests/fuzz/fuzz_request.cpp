// Signing requests on arbitrary bytes: read_request accepts or refuses with an error; what it
// accepts carries manifests whose canonical bytes hash to their digests, and made again from
// what was read, reads back to the same manifests.

#include "airgap/request.hpp"
#include "core/digest.hpp"
#include "fuzz.hpp"

using namespace otasign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto req = airgap::read_request(fuzz::bytes(data, size), "fuzz.req");
    if (!req.ok()) return 0;
    if (sha256_hex(req->manifest.canonical) != req->manifest.sha256_hex)
        fuzz::broken("an accepted request's manifest does not hash to its digest");
    if (req->previous && req->previous->sha256_hex == req->manifest.sha256_hex)
        fuzz::broken("an accepted request's previous is its manifest");
    airgap::RequestInputs in;
    in.manifest = &req->manifest;
    in.pipeline_identity = req->pipeline_identity;
    in.pipeline_host = req->pipeline_host;
    in.policy_sha256 = req->policy_sha256;
    auto made = airgap::make_request(in);
    if (!made.ok()) fuzz::broken("an accepted request cannot be made again");
    auto again = airgap::read_request(*made, "made.req");
    if (!again.ok() || again->manifest.canonical != req->manifest.canonical)
        fuzz::broken("a request made again does not read back to the same manifest");
    return 0;
}
