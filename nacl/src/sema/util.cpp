#include "sema.hpp"

#include <cctype>

namespace nacl::sema {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string quoted(std::string_view s) {
    return "`" + std::string(s) + "`";
}

std::string element_kind_name(ElementKind kind) {
    switch (kind) {
    case ElementKind::Constant:
        return "constant";
    case ElementKind::Iface:
        return "Iface";
    case ElementKind::Gateway:
        return "Gateway";
    case ElementKind::Conntrack:
        return "Conntrack";
    case ElementKind::LoadBalancer:
        return "Load_balancer";
    case ElementKind::Syslog:
        return "Syslog";
    case ElementKind::Timer:
        return "Timer";
    case ElementKind::Function:
        return "function";
    }
    return "element";
}

} // namespace nacl::sema
