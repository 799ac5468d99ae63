#include <halite/os/cmdline.hpp>

namespace os {

namespace {
bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
} // namespace

Cmdline Cmdline::parse(std::string_view text) {
    Cmdline c;
    c.raw_ = std::string(text);
    std::string token;
    bool in_token = false;
    bool quoted = false;
    for (char ch : text) {
        if (ch == '"') {
            quoted = !quoted;
            in_token = true; // `""` is an empty token
            continue;
        }
        if (!quoted && blank(ch)) {
            if (in_token) c.args_.push_back(std::move(token));
            token.clear();
            in_token = false;
            continue;
        }
        token.push_back(ch);
        in_token = true;
    }
    if (in_token) c.args_.push_back(std::move(token)); // an unclosed quote runs to the end
    return c;
}

namespace {
// The value of `token` when it is `key=value`.
std::optional<std::string_view> value_of(std::string_view token, std::string_view key) {
    if (token.size() <= key.size() || token[key.size()] != '=' || token.substr(0, key.size()) != key)
        return std::nullopt;
    return token.substr(key.size() + 1);
}
} // namespace

std::optional<std::string_view> Cmdline::get(std::string_view key) const {
    std::optional<std::string_view> found;
    for (const auto& arg : args_) {
        if (auto v = value_of(arg, key)) found = v;
    }
    return found;
}

std::vector<std::string_view> Cmdline::get_all(std::string_view key) const {
    std::vector<std::string_view> values;
    for (const auto& arg : args_) {
        if (auto v = value_of(arg, key)) values.push_back(*v);
    }
    return values;
}

bool Cmdline::has(std::string_view flag) const {
    for (const auto& arg : args_) {
        if (arg == flag || value_of(arg, flag)) return true;
    }
    return false;
}

} // namespace os
