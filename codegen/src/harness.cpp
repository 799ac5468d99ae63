#include "codegen/harness.hpp"

#include "codegen/toolchain.hpp"
#include "harness_sources.hpp"

#include <fstream>
#include <sstream>

namespace codegen {

std::array<uint64_t, nacl::ir::kFieldCount> harness_fields(const nacl::ir::Program& program,
                                                           const nacl::ir::Packet& packet) {
    std::array<uint64_t, nacl::ir::kFieldCount> out = packet.fields;
    auto index = [&](const std::string& name) -> uint64_t {
        for (size_t i = 0; i < program.interfaces.size(); ++i)
            if (!name.empty() && program.interfaces[i].name == name) return i;
        return 0xff;
    };
    out[size_t(nacl::ir::Field::Iif)] = index(packet.iif);
    out[size_t(nacl::ir::Field::Oif)] = index(packet.oif);
    return out;
}

std::optional<Harness> Harness::compile(const std::string& cpp, const std::filesystem::path& lib_dir,
                                        const std::filesystem::path& work, std::string& error) {
    auto flags = read_flags_file(lib_dir / "linux.flags", error);
    if (!flags) return std::nullopt;
    std::string classifier;
    for (auto& lib : flags->all("lib"))
        if (std::filesystem::path(lib).filename() == "libhalite_classifier.a") classifier = lib;
    if (classifier.empty()) {
        error = flags->path.string() +
                " lists no libhalite_classifier.a (appliances/classifier.cmake registers it)";
        return std::nullopt;
    }
    if (!write_file(work / "appliance.cpp", cpp) ||
        !write_file(work / "harness_packet.hpp", harness_harness_packet) ||
        !write_file(work / "rule_packet_host.cpp", harness_rule_packet_host) ||
        !write_file(work / "harness_main.cpp", harness_harness_main)) {
        error = "cannot write into " + work.string();
        return std::nullopt;
    }
    std::vector<std::string> argv{flags->one("cxx")};
    for (auto& f : flags->all("cxxflag"))
        argv.push_back(f);
    argv.push_back("-O1");
    argv.push_back("-DHALITE_CHAINS_ONLY");
    argv.push_back("-I" + work.string());
    for (auto& i : flags->all("include"))
        argv.push_back("-I" + i);
    for (auto* src : {"appliance.cpp", "rule_packet_host.cpp", "harness_main.cpp"})
        argv.push_back((work / src).string());
    argv.push_back(classifier);
    for (auto& f : flags->all("ldflag"))
        if (f.rfind("-fsanitize", 0) == 0) argv.push_back(f);
    Harness h;
    h.executable_ = work / "harness";
    h.work_ = work;
    argv.push_back("-o");
    argv.push_back(h.executable_.string());
    std::string log;
    if (run_tool(argv, "", "", log) != 0) {
        error = "compiling the generated C++ for the host failed:\n" + log;
        return std::nullopt;
    }
    return h;
}

std::optional<std::vector<HarnessOutput>> Harness::run(const std::vector<HarnessInput>& inputs,
                                                       std::string& error) const {
    std::string text;
    for (auto& in : inputs) {
        text += (in.chain ? "c" : "f") + std::to_string(in.index);
        for (uint64_t f : in.fields)
            text += " " + std::to_string(f);
        text += "\n";
    }
    auto input = work_ / "packets.txt", output = work_ / "decisions.txt";
    if (!write_file(input, text)) {
        error = "cannot write " + input.string();
        return std::nullopt;
    }
    std::string log;
    int status = run_tool({executable_.string()}, input.string(), output.string(), log);
    if (status != 0) {
        error = "the test harness failed (exit " + std::to_string(status) + "):\n" + log;
        return std::nullopt;
    }
    std::ifstream in(output);
    std::vector<HarnessOutput> out;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        int verdict = 0;
        HarnessOutput o;
        fields >> verdict >> o.rule;
        o.verdict = static_cast<uint8_t>(verdict);
        std::getline(fields, o.effects);
        out.push_back(std::move(o));
    }
    if (out.size() != inputs.size()) {
        error = "the test harness answered " + std::to_string(out.size()) + " of " +
                std::to_string(inputs.size()) + " packets";
        return std::nullopt;
    }
    return out;
}

} // namespace codegen
