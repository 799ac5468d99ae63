#pragma once
// Reads the members of a typed object: unknown keys (with "did you mean"),
// keys given twice, and the key's name for messages.

#include "sema.hpp"

namespace nacl::sema {

class ObjectReader {
public:
    // `owner` names the object in messages, e.g. "Iface `eth0`".
    ObjectReader(Sema& sema, const ast::Value& object, std::string owner, std::vector<std::string> keys);

    const ast::Value* get(std::string_view key) const;
    Span key_span(std::string_view key) const;
    // "`netmask` of Iface `eth0`"
    std::string what(std::string_view key) const { return quoted(key) + " of " + owner_; }
    const std::string& owner() const { return owner_; }
    // Members whose key is not one of `keys` (for Gateway route names).
    std::vector<const ast::Member*> others() const { return others_; }
    void report_unknown(const std::vector<std::string>& hints_for) const;
    // An unknown key is most likely a misspelling of `key`: a missing `key`
    // is then not worth a second error.
    bool misspelt(std::string_view key) const;

private:
    Sema& sema_;
    const ast::Value& object_;
    std::string owner_;
    std::vector<std::string> keys_;
    std::vector<const ast::Member*> others_;
};

} // namespace nacl::sema
