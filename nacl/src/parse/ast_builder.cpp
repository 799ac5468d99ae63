#include "ast_builder.hpp"

#include "literals.hpp"
#include "syntax_errors.hpp"

namespace nacl::syntax {

using P = naclg::NaClParser;

namespace {

// The generated accessors (ctx->value(), ctx->IDENT()...) test every child
// with dynamic_cast; on a large file that is a large part of the time. Where
// the grammar fixes the shape, children are picked by position instead.
template <typename T>
T* child(antlr4::ParserRuleContext* ctx, size_t i) {
    return static_cast<T*>(ctx->children[i]);
}

bool is_rule(antlr4::tree::ParseTree* tree, size_t rule) {
    auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(tree);
    return ctx && ctx->getRuleIndex() == rule;
}

} // namespace

Span rule_span(antlr4::ParserRuleContext* ctx) {
    Span begin = token_span(ctx->getStart());
    Span end = ctx->getStop() ? token_span(ctx->getStop()) : begin;
    return Span::cover(begin, end);
}

ast::Ident ident(const antlr4::Token* token) {
    return {token->getText(), token_span(token)};
}

ast::Program AstBuilder::build(P::ProgramContext* program) {
    ast::Program out;
    for (auto* element : program->element()) {
        if (auto* typed = dynamic_cast<P::TypedElementContext*>(element)) {
            out.typed.push_back(
                {ident(typed->typeName), ident(typed->name), value(typed->value()), rule_span(typed)});
        } else if (auto* fn = dynamic_cast<P::FunctionElementContext*>(element)) {
            out.functions.push_back(
                {{ident(fn->kind), ident(fn->subtype)}, ident(fn->name), block(fn->block()), rule_span(fn)});
        } else if (auto* assign = dynamic_cast<P::AssignmentElementContext*>(element)) {
            out.assignments.push_back({path(assign->path()), value(assign->value()), rule_span(assign)});
        }
    }
    return out;
}

std::vector<ast::Ident> AstBuilder::path(P::PathContext* ctx) {
    std::vector<ast::Ident> out;
    // IDENT ('.' IDENT)*: names at even positions.
    out.reserve((ctx->children.size() + 1) / 2);
    for (size_t i = 0; i < ctx->children.size(); i += 2)
        out.push_back(ident(child<antlr4::tree::TerminalNode>(ctx, i)->getSymbol()));
    return out;
}

ast::Value AstBuilder::value(P::ValueContext* ctx) {
    // Dispatch on the first token (the grammar makes it decide), not on
    // dynamic_cast: this runs for every value of a large file.
    size_t first = ctx->getStart()->getType();
    if (first == P::LBRACE) {
        auto* object = static_cast<P::ObjectValueContext*>(ctx);
        ast::Value v;
        v.kind = ast::Value::Kind::Object;
        v.span = rule_span(object);
        // '{' pair (',' pair)* ','? '}'
        for (size_t i = 1; i + 1 < object->children.size(); i += 2) {
            auto* pair = child<P::PairContext>(object, i);
            v.members.push_back(
                {ident(pair->key), std::make_unique<ast::Value>(value(child<P::ValueContext>(pair, 2)))});
        }
        return v;
    }
    if (first == P::LBRACK) {
        auto* list = static_cast<P::ListValueContext*>(ctx);
        ast::Value v;
        v.kind = ast::Value::Kind::List;
        v.span = rule_span(list);
        // '[' value (',' value)* ','? ']'
        for (size_t i = 1; i + 1 < list->children.size(); i += 2)
            v.items.push_back(value(child<P::ValueContext>(list, i)));
        return v;
    }
    auto* a = static_cast<P::AtomValueContext*>(ctx);
    if (a->high) return range(a);
    return atom(a->low);
}

ast::Value AstBuilder::range(P::AtomValueContext* ctx) {
    ast::Value v;
    v.kind = ast::Value::Kind::Range;
    v.span = rule_span(ctx);
    ast::Value low = atom(ctx->low), high = atom(ctx->high);
    auto is_bound = [](const ast::Value& b) {
        return b.kind == ast::Value::Kind::Integer || (b.kind == ast::Value::Kind::Address && !b.address.v6);
    };
    if (!is_bound(low) || !is_bound(high) || low.kind != high.kind) {
        auto& d = diags_.error(v.span, "a range needs two numbers or two IPv4 addresses");
        add_help(d, "write `1024-65535` or `10.0.0.10-10.0.0.20`; for IPv6 use a prefix");
    } else if (low.kind == ast::Value::Kind::Integer ? low.number > high.number
                                                     : low.address.v4() > high.address.v4()) {
        std::string text = ctx->low->getText() + "-" + ctx->high->getText();
        auto& d = diags_.error(v.span, "the range `" + text + "` is empty");
        add_note(d, "the first bound must not be greater than the second");
    }
    v.items.push_back(std::move(low));
    v.items.push_back(std::move(high));
    return v;
}

ast::Value AstBuilder::atom(P::AtomContext* ctx) {
    ast::Value v;
    v.span = rule_span(ctx);
    switch (ctx->getStart()->getType()) {
    case P::IPV4:
    case P::IPV6: {
        auto* a = static_cast<P::AddressAtomContext*>(ctx);
        Span at = token_span(a->address);
        bool v6 = a->address->getType() == P::IPV6;
        v.address = v6 ? decode_ipv6(a->address->getText(), at, diags_)
                       : decode_ipv4(a->address->getText(), at, diags_);
        v.kind = ast::Value::Kind::Address;
        if (a->length) {
            v.kind = ast::Value::Kind::Prefix;
            v.number = decode_integer(a->length->getText(), token_span(a->length), diags_);
            uint64_t limit = v6 ? 128 : 32;
            if (v.number > limit) {
                diags_.error(token_span(a->length), "a prefix length of an IPv" +
                                                        std::string(v6 ? "6" : "4") +
                                                        " address must be at most " + std::to_string(limit));
                v.number = limit;
            }
        }
        break;
    }
    case P::INT:
        v.kind = ast::Value::Kind::Integer;
        v.number = decode_integer(ctx->getStart()->getText(), v.span, diags_);
        break;
    case P::STRING:
        v.kind = ast::Value::Kind::String;
        v.text = decode_string(ctx->getStart()->getText(), v.span, diags_);
        break;
    case P::TRUE:
    case P::FALSE:
        v.kind = ast::Value::Kind::Bool;
        v.number = ctx->getStart()->getType() == P::TRUE;
        break;
    case P::IDENT:
        v.kind = ast::Value::Kind::Name;
        v.path = path(child<P::PathContext>(ctx, 0));
        break;
    default: {
        auto& d = diags_.error(v.span, "`" + ctx->getText() + "` is not an IPv4 address");
        add_note(d, "an IPv4 address has four numbers between 0 and 255, separated by dots");
        v.kind = ast::Value::Kind::Address;
    }
    }
    return v;
}

ast::Block AstBuilder::block(P::BlockContext* ctx) {
    ast::Block out;
    out.span = rule_span(ctx);
    // '{' statement* '}'
    out.statements.reserve(ctx->children.size() - 2);
    for (size_t i = 1; i + 1 < ctx->children.size(); ++i)
        out.statements.push_back(statement(child<P::StatementContext>(ctx, i)));
    return out;
}

ast::Branch AstBuilder::branch(antlr4::ParserRuleContext* whole, antlr4::tree::TerminalNode* close_paren,
                               P::ConditionContext* cond, P::BlockContext* body) {
    ast::Branch b;
    b.span = Span::cover(token_span(whole->getStart()), token_span(close_paren->getSymbol()));
    b.condition = condition(cond);
    b.body = block(body);
    return b;
}

ast::Statement AstBuilder::statement(P::StatementContext* ctx) {
    ast::Statement s;
    s.span = rule_span(ctx);
    auto* second =
        ctx->children.size() > 1 ? dynamic_cast<antlr4::tree::TerminalNode*>(ctx->children[1]) : nullptr;
    bool nested = second && second->getSymbol()->getType() == P::DCOLON;
    if (ctx->getStart()->getType() == P::IF) {
        auto* i = static_cast<P::IfStatementContext*>(ctx);
        s.kind = ast::Statement::Kind::If;
        // IF '(' condition ')' block elseIf* elseBlock?
        s.branches.push_back(branch(i, child<antlr4::tree::TerminalNode>(i, 3),
                                    child<P::ConditionContext>(i, 2), child<P::BlockContext>(i, 4)));
        for (size_t k = 5; k < i->children.size(); ++k) {
            if (is_rule(i->children[k], P::RuleElseIf)) {
                // ELSE IF '(' condition ')' block
                auto* e = child<P::ElseIfContext>(i, k);
                s.branches.push_back(branch(e, child<antlr4::tree::TerminalNode>(e, 4),
                                            child<P::ConditionContext>(e, 3), child<P::BlockContext>(e, 5)));
            } else {
                auto* e = child<P::ElseBlockContext>(i, k);
                s.else_body = std::make_unique<ast::Block>(block(child<P::BlockContext>(e, 1)));
            }
        }
    } else if (nested) {
        auto* n = static_cast<P::NestedFunctionContext*>(ctx);
        s.kind = ast::Statement::Kind::Nested;
        s.head = {ident(n->kind), ident(n->subtype)};
        s.body = std::make_unique<ast::Block>(block(child<P::BlockContext>(n, 3)));
    } else {
        auto* a = static_cast<P::ActionStatementContext*>(ctx);
        s.kind = ast::Statement::Kind::Action;
        s.name = ident(a->name);
        s.has_parens = a->open != nullptr;
        // name ('(' (value (',' value)* ','?)? ')')?
        for (size_t k = 2; k + 1 < a->children.size(); k += 2)
            s.args.push_back(value(child<P::ValueContext>(a, k)));
    }
    return s;
}

ast::Condition AstBuilder::condition(P::ConditionContext* ctx) {
    // andCondition (OR andCondition)*
    if (ctx->children.size() == 1) return and_condition(child<P::AndConditionContext>(ctx, 0));
    ast::Condition c;
    c.kind = ast::Condition::Kind::Or;
    c.span = rule_span(ctx);
    for (size_t i = 0; i < ctx->children.size(); i += 2)
        c.operands.push_back(and_condition(child<P::AndConditionContext>(ctx, i)));
    return c;
}

ast::Condition AstBuilder::and_condition(P::AndConditionContext* ctx) {
    // notCondition (AND notCondition)*
    if (ctx->children.size() == 1) return not_condition(child<P::NotConditionContext>(ctx, 0));
    ast::Condition c;
    c.kind = ast::Condition::Kind::And;
    c.span = rule_span(ctx);
    for (size_t i = 0; i < ctx->children.size(); i += 2)
        c.operands.push_back(not_condition(child<P::NotConditionContext>(ctx, i)));
    return c;
}

ast::Condition AstBuilder::not_condition(P::NotConditionContext* ctx) {
    size_t first = ctx->getStart()->getType();
    if (first == P::NOT) {
        auto* n = static_cast<P::NegationContext*>(ctx);
        ast::Condition c;
        c.kind = ast::Condition::Kind::Not;
        c.span = rule_span(n);
        c.operands.push_back(not_condition(child<P::NotConditionContext>(n, 1)));
        return c;
    }
    if (first == P::LPAREN) return condition(child<P::ConditionContext>(ctx, 1));
    auto* cmp = static_cast<P::ComparisonContext*>(ctx);
    ast::Condition c;
    c.kind = ast::Condition::Kind::Compare;
    c.span = rule_span(cmp);
    c.op_span = token_span(cmp->op);
    switch (cmp->op->getType()) {
    case P::EQ:
        c.op = ast::CompareOp::Eq;
        break;
    case P::NE:
        c.op = ast::CompareOp::Ne;
        break;
    case P::LT:
        c.op = ast::CompareOp::Lt;
        break;
    case P::GT:
        c.op = ast::CompareOp::Gt;
        break;
    case P::LE:
        c.op = ast::CompareOp::Le;
        break;
    case P::GE:
        c.op = ast::CompareOp::Ge;
        break;
    default:
        c.op = ast::CompareOp::In;
        break;
    }
    c.lhs = std::make_unique<ast::Value>(value(cmp->lhs));
    c.rhs = std::make_unique<ast::Value>(value(cmp->rhs));
    return c;
}

} // namespace nacl::syntax
