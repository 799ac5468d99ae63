#pragma once
// Turns ANTLR's syntax errors ("mismatched input ... expecting ...") into
// messages that say what was expected where, in the language's own words.

#include "nacl/diagnostics.hpp"

#include <antlr4-runtime.h>

#include <optional>
#include <set>

namespace nacl::syntax {

class SyntaxErrorListener : public antlr4::BaseErrorListener {
public:
    // `depth_before[i]`: brackets open before token i. `suppressed`: tokens
    // right after a dropped lexical error, where a syntax error would only
    // repeat it.
    SyntaxErrorListener(Diagnostics& diags, std::vector<uint32_t> depth_before, std::set<size_t> suppressed)
        : diags_(diags), depth_before_(std::move(depth_before)), suppressed_(std::move(suppressed)) {}

    void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t column,
                     const std::string& message, std::exception_ptr error) override;

private:
    Diagnostics& diags_;
    std::vector<uint32_t> depth_before_;
    std::set<size_t> suppressed_;
    std::optional<size_t> last_error_; // token index of the last reported error
};

// ANTLR's recovery, except that a closing bracket is never deleted as an
// "extraneous" token: deleting it makes the parser read the next element as
// part of this one and report errors that are not there.
class RecoveryStrategy : public antlr4::DefaultErrorStrategy {
protected:
    antlr4::Token* singleTokenDeletion(antlr4::Parser* recognizer) override;
};

// Span of a token in code points.
Span token_span(const antlr4::Token* token);

} // namespace nacl::syntax
