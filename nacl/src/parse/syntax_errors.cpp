#include "syntax_errors.hpp"

#include "NaClParser.h"

namespace nacl::syntax {

using P = naclg::NaClParser;

Span token_span(const antlr4::Token* token) {
    auto begin = static_cast<uint32_t>(token->getStartIndex());
    if (token->getType() == antlr4::Token::EOF) return {begin, begin};
    return {begin, static_cast<uint32_t>(token->getStopIndex()) + 1};
}

namespace {

std::string quote(std::string text) {
    if (text.size() > 30) text = text.substr(0, 27) + "...";
    return "`" + text + "`";
}

std::string quoted_text(const std::string& text) {
    return quote(text);
}

std::string describe_found(antlr4::Token* token) {
    switch (token->getType()) {
    case antlr4::Token::EOF:
        return "the end of the file";
    case P::STRING:
        return "a string";
    default:
        return quote(token->getText());
    }
}

bool has(const antlr4::misc::IntervalSet& set, size_t type) {
    return set.contains(static_cast<ssize_t>(type));
}

bool has_any(const antlr4::misc::IntervalSet& set, std::initializer_list<size_t> types) {
    for (size_t t : types)
        if (has(set, t)) return true;
    return false;
}

// What the parser would have accepted, as phrases a reader understands.
std::vector<std::string> describe_expected(const antlr4::misc::IntervalSet& expected, size_t rule) {
    std::vector<std::string> phrases;
    bool value = has_any(expected, {P::INT, P::IPV4, P::STRING, P::LBRACK});
    bool statement = has(expected, P::IF) && has(expected, P::IDENT);
    if (rule == P::RuleProgram && has(expected, P::IDENT))
        phrases.push_back("a definition (`Type name value`, `name: value` or `Kind::Subtype name { ... }`)");
    else if (statement)
        phrases.push_back("a statement");
    else if (value)
        phrases.push_back(has(expected, P::NOT) || has(expected, P::LPAREN) ? "a condition" : "a value");
    else if (has(expected, P::IDENT))
        phrases.push_back("a name");
    if (has_any(expected, {P::EQ, P::NE, P::LT, P::GT, P::LE, P::GE, P::IN}))
        phrases.push_back("a comparison operator (==, !=, <, >, <=, >=, in)");
    // Punctuation that closes or separates; `.`, `-` and `/` only continue a
    // value and are listed only when nothing else fits.
    static const std::pair<size_t, const char*> punctuation[] = {
        {P::COLON, "`:`"},  {P::DCOLON, "`::`"}, {P::COMMA, "`,`"},  {P::LBRACE, "`{`"},
        {P::RBRACE, "`}`"}, {P::RBRACK, "`]`"},  {P::LPAREN, "`(`"}, {P::RPAREN, "`)`"},
        {P::AND, "`and`"},  {P::OR, "`or`"},     {P::ELSE, "`else`"}};
    for (auto [type, text] : punctuation) {
        if (!has(expected, type)) continue;
        if ((type == P::LPAREN || type == P::LBRACE) && (value || statement)) continue;
        if (type == P::ELSE && statement) continue;
        if ((type == P::AND || type == P::OR)) continue; // implied by "after the condition"
        phrases.push_back(text);
    }
    if (phrases.empty()) {
        if (has(expected, P::DOT)) phrases.push_back("`.`");
        if (has(expected, P::DASH)) phrases.push_back("`-`");
        if (has(expected, P::SLASH)) phrases.push_back("`/`");
        if (has(expected, antlr4::Token::EOF)) phrases.push_back("the end of the file");
    }
    return phrases;
}

std::string join_alternatives(const std::vector<std::string>& phrases) {
    std::string out;
    for (size_t i = 0; i < phrases.size(); ++i) {
        if (i > 0) out += i + 1 == phrases.size() ? " or " : ", ";
        out += phrases[i];
    }
    return out;
}

} // namespace

antlr4::Token* RecoveryStrategy::singleTokenDeletion(antlr4::Parser* recognizer) {
    size_t type = recognizer->getCurrentToken()->getType();
    if (type == P::RBRACE || type == P::RBRACK || type == P::RPAREN) return nullptr;
    return DefaultErrorStrategy::singleTokenDeletion(recognizer);
}

void SyntaxErrorListener::syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t,
                                      size_t, const std::string& message, std::exception_ptr) {
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (!parser || !offending) {
        diags_.error({}, "syntax error: " + message);
        return;
    }
    // After an error, ANTLR's recovery often trips again inside the same
    // element. Report the next error only once a new top-level element may
    // have started (a name outside any brackets), so each report is real.
    size_t index = offending->getTokenIndex();
    if (suppressed_.count(index)) return;
    if (last_error_) {
        bool new_element = false;
        for (size_t i = *last_error_ + 1; i <= index && i < depth_before_.size(); ++i) {
            auto* t = parser->getTokenStream()->get(i);
            if (depth_before_[i] == 0 && t->getType() == P::IDENT) new_element = true;
        }
        if (!new_element) return;
    }
    last_error_ = index;

    antlr4::Token* previous = nullptr;
    if (offending->getTokenIndex() > 0)
        previous = parser->getTokenStream()->get(offending->getTokenIndex() - 1);

    size_t rule = parser->getContext() ? parser->getContext()->getRuleIndex() : size_t(P::RuleProgram);
    std::string text = "expected " + join_alternatives(describe_expected(parser->getExpectedTokens(), rule));
    if (previous) text += " after " + quote(previous->getText());
    text += ", found " + describe_found(offending);

    Span span = token_span(offending);
    // At the end of the file, point just after the last token instead of at
    // an empty line below it.
    if (offending->getType() == antlr4::Token::EOF && previous) {
        Span after = token_span(previous);
        span = {after.end, after.end + 1};
    }
    // `Filter f { ... }` reads as a typed element whose object is not an
    // object, `elif (...)` as a call with odd arguments: say what was meant.
    for (auto* ctx = parser->getContext(); ctx; ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent)) {
        if (auto* action = dynamic_cast<P::ActionStatementContext*>(ctx); action && action->name) {
            std::string name = action->name->getText();
            if (name == "elif" || name == "elsif" || name == "elseif") {
                auto& d =
                    diags_.error(token_span(action->name), quoted_text(name) + " is not a keyword of NaCl");
                add_help(d, "write `else if (...) { ... }`");
                return;
            }
        }
        auto* typed = dynamic_cast<P::TypedElementContext*>(ctx);
        if (!typed || !typed->typeName) continue;
        std::string type = typed->typeName->getText();
        for (auto& c : type)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (type == "filter" || type == "nat") {
            auto& d = diags_.error(token_span(typed->typeName),
                                   "a function needs a subtype: `" + typed->typeName->getText() + "::IP " +
                                       (typed->name ? typed->name->getText() : "name") + " { ... }`");
            add_note(d, "the subtypes are IP, TCP, UDP and ICMP");
            return;
        }
    }
    diags_.error(span, text);
}

} // namespace nacl::syntax
