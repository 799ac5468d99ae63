#include "object_reader.hpp"

#include <algorithm>

namespace nacl::sema {

ObjectReader::ObjectReader(Sema& sema, const ast::Value& object, std::string owner,
                           std::vector<std::string> keys)
    : sema_(sema), object_(object), owner_(std::move(owner)), keys_(std::move(keys)) {
    for (size_t i = 0; i < object_.members.size(); ++i) {
        const ast::Member& m = object_.members[i];
        for (size_t j = 0; j < i; ++j) {
            if (object_.members[j].key.text == m.key.text) {
                auto& d = sema_.diags_.error(m.key.span, quoted(m.key.text) + " is set twice in " + owner_);
                add_note(d, "first set here", object_.members[j].key.span);
                break;
            }
        }
        if (std::find(keys_.begin(), keys_.end(), m.key.text) == keys_.end()) others_.push_back(&m);
    }
}

void ObjectReader::report_unknown(const std::vector<std::string>& extra) const {
    for (const ast::Member* m : others_) {
        auto& d = sema_.diags_.error(m->key.span, "unknown key " + quoted(m->key.text) + " in " + owner_);
        if (auto best = closest_match(m->key.text, keys_)) add_help(d, "did you mean " + quoted(*best) + "?");
        std::string list;
        for (auto& k : keys_)
            list += (list.empty() ? "" : ", ") + k;
        for (auto& k : extra)
            list += (list.empty() ? "" : ", ") + k;
        add_note(d, "valid keys: " + list);
    }
}

bool ObjectReader::misspelt(std::string_view key) const {
    for (const ast::Member* m : others_)
        if (closest_match(m->key.text, keys_) == std::string(key)) return true;
    return false;
}

const ast::Value* ObjectReader::get(std::string_view key) const {
    for (auto& m : object_.members)
        if (m.key.text == key) return m.value.get();
    return nullptr;
}

Span ObjectReader::key_span(std::string_view key) const {
    for (auto& m : object_.members)
        if (m.key.text == key) return m.key.span;
    return object_.span;
}

} // namespace nacl::sema
