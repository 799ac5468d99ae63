// Warnings about elements nothing refers to.
#include "sema.hpp"

namespace nacl::sema {

void Sema::warn_unused() {
    // With errors, "unused" is mostly a consequence of them: stay quiet.
    if (diags_.has_errors()) return;
    for (Element* e : order_) {
        if (!e->valid || e->in_cycle || e->uses > 0) continue;
        if (e->kind == ElementKind::Constant) {
            auto& d = diags_.warning(e->name_span, quoted(e->name) + " is never used");
            add_help(d, "remove it, or refer to it by name");
        } else if (e->kind == ElementKind::Function) {
            std::string kind =
                ir_.functions[e->ir_index].kind == ir::FunctionKind::Filter ? "Filter " : "Nat ";
            auto& d = diags_.warning(e->name_span, kind + quoted(e->name) + " is never used");
            add_note(d, "it is on no chain and no function calls it");
        }
    }
}

} // namespace nacl::sema
