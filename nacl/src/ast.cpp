#include "nacl/ast.hpp"

namespace nacl::ast {

Value Value::clone() const {
    Value v;
    v.kind = kind;
    v.span = span;
    v.number = number;
    v.address = address;
    v.text = text;
    v.path = path;
    for (auto& item : items)
        v.items.push_back(item.clone());
    for (auto& m : members)
        v.members.push_back({m.key, std::make_unique<Value>(m.value->clone())});
    return v;
}

std::string Value::dotted() const {
    std::string out;
    for (auto& part : path) {
        if (!out.empty()) out += '.';
        out += part.text;
    }
    return out;
}

} // namespace nacl::ast
