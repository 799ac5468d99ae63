#pragma once
// Parse tree -> AST. Runs only on a parse tree without syntax errors.

#include "nacl/ast.hpp"
#include "nacl/diagnostics.hpp"

#include "NaClParser.h"

namespace nacl::syntax {

class AstBuilder {
public:
    explicit AstBuilder(Diagnostics& diags) : diags_(diags) {}

    ast::Program build(naclg::NaClParser::ProgramContext* program);
    ast::Block block(naclg::NaClParser::BlockContext* ctx);
    ast::Statement statement(naclg::NaClParser::StatementContext* ctx);
    ast::Condition condition(naclg::NaClParser::ConditionContext* ctx);

private:
    ast::Value value(naclg::NaClParser::ValueContext* ctx);
    ast::Value atom(naclg::NaClParser::AtomContext* ctx);
    ast::Value range(naclg::NaClParser::AtomValueContext* ctx);
    std::vector<ast::Ident> path(naclg::NaClParser::PathContext* ctx);
    ast::Condition and_condition(naclg::NaClParser::AndConditionContext* ctx);
    ast::Condition not_condition(naclg::NaClParser::NotConditionContext* ctx);
    ast::Branch branch(antlr4::ParserRuleContext* whole, antlr4::tree::TerminalNode* close_paren,
                       naclg::NaClParser::ConditionContext* condition, naclg::NaClParser::BlockContext* body);

    Diagnostics& diags_;
};

Span rule_span(antlr4::ParserRuleContext* ctx);
ast::Ident ident(const antlr4::Token* token);

} // namespace nacl::syntax
