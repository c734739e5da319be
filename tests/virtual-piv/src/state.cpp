#include "state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vpiv {

using nlohmann::json;

Bytes default_pin() { return Bytes{'1', '2', '3', '4', '5', '6', 0xff, 0xff}; }
Bytes default_puk() { return Bytes{'1', '2', '3', '4', '5', '6', '7', '8'}; }
Bytes default_mgmt_key() {
    return Bytes{1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8};
}

bool firmware_at_least(const std::uint8_t (&version)[3], int major, int minor, int patch) {
    int have[3] = {version[0], version[1], version[2]};
    int want[3] = {major, minor, patch};
    for (int i = 0; i < 3; ++i)
        if (have[i] != want[i]) return have[i] > want[i];
    return true;
}

CardState fresh_state(std::uint32_t serial, const std::uint8_t (&version)[3]) {
    CardState s;
    s.serial = serial;
    std::copy(std::begin(version), std::end(version), s.version);
    s.pin = default_pin();
    s.puk = default_puk();
    s.mgmt_key = default_mgmt_key();
    s.mgmt_algorithm = firmware_at_least(version, 5, 7, 0) ? Algorithm::aes192 : Algorithm::tdes;
    return s;
}

std::optional<CardState> load_state(const std::string& path, std::string& error) {
    std::ifstream in(path);
    if (!in) {
        error = "cannot open " + path;
        return std::nullopt;
    }
    try {
        json j = json::parse(in);
        CardState s;
        s.serial = j.at("serial").get<std::uint32_t>();
        auto version = j.at("version").get<std::vector<std::uint8_t>>();
        if (version.size() != 3) throw std::runtime_error("version must have 3 parts");
        for (int i = 0; i < 3; ++i) s.version[i] = version[static_cast<std::size_t>(i)];
        auto hex = [](const json& v) {
            auto b = from_hex(v.get<std::string>());
            if (!b) throw std::runtime_error("bad hex");
            return *b;
        };
        s.pin = hex(j.at("pin"));
        s.puk = hex(j.at("puk"));
        s.pin_tries = {j.at("pin_tries").at(0).get<std::uint8_t>(), j.at("pin_tries").at(1).get<std::uint8_t>()};
        s.puk_tries = {j.at("puk_tries").at(0).get<std::uint8_t>(), j.at("puk_tries").at(1).get<std::uint8_t>()};
        s.mgmt_key = hex(j.at("mgmt_key"));
        s.mgmt_touch = j.at("mgmt_touch").get<std::uint8_t>();
        // State files from before AES management keys hold a 3DES key.
        auto mgmt_alg = j.value("mgmt_algorithm", std::uint8_t{0x03});
        if (!is_management_algorithm(mgmt_alg) ||
            s.mgmt_key.size() != management_key_length(static_cast<Algorithm>(mgmt_alg)))
            throw std::runtime_error("bad management key algorithm or length");
        s.mgmt_algorithm = static_cast<Algorithm>(mgmt_alg);
        for (auto& [id, content] : j.at("objects").items())
            s.objects[static_cast<std::uint32_t>(std::stoul(id, nullptr, 16))] = hex(content);
        for (auto& [ref, k] : j.at("keys").items()) {
            KeySlot slot;
            slot.algorithm = static_cast<Algorithm>(k.at("algorithm").get<std::uint8_t>());
            slot.pin_policy = k.at("pin_policy").get<std::uint8_t>();
            slot.touch_policy = k.at("touch_policy").get<std::uint8_t>();
            slot.origin = static_cast<Origin>(k.at("origin").get<std::uint8_t>());
            auto key = key_from_pem(k.at("private_key").get<std::string>());
            if (!key) throw std::runtime_error("bad key in slot " + ref);
            slot.key = std::move(*key);
            s.keys[static_cast<std::uint8_t>(std::stoul(ref, nullptr, 16))] = std::move(slot);
        }
        return s;
    } catch (const std::exception& e) {
        error = path + ": " + e.what();
        return std::nullopt;
    }
}

bool save_state(const CardState& s, const std::string& path, std::string& error) {
    json j;
    j["serial"] = s.serial;
    j["version"] = {s.version[0], s.version[1], s.version[2]};
    j["pin"] = to_hex(s.pin);
    j["puk"] = to_hex(s.puk);
    j["pin_tries"] = {s.pin_tries.total, s.pin_tries.remaining};
    j["puk_tries"] = {s.puk_tries.total, s.puk_tries.remaining};
    j["mgmt_key"] = to_hex(s.mgmt_key);
    j["mgmt_touch"] = s.mgmt_touch;
    j["mgmt_algorithm"] = static_cast<int>(s.mgmt_algorithm);
    j["objects"] = json::object();
    for (const auto& [id, content] : s.objects) {
        char name[16];
        std::snprintf(name, sizeof name, "%06x", id);
        j["objects"][name] = to_hex(content);
    }
    j["keys"] = json::object();
    for (const auto& [ref, k] : s.keys) {
        char name[8];
        std::snprintf(name, sizeof name, "%02x", ref);
        j["keys"][name] = {{"algorithm", static_cast<int>(k.algorithm)},
                           {"pin_policy", k.pin_policy},
                           {"touch_policy", k.touch_policy},
                           {"origin", static_cast<int>(k.origin)},
                           {"private_key", key_to_pem(k.key.get())}};
    }
    std::string text = j.dump(1) + "\n";
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = "cannot create " + tmp;
        return false;
    }
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        error = "cannot write " + path;
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace vpiv
