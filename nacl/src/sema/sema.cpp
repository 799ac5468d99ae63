#include "nacl/sema.hpp"

#include "sema.hpp"

namespace nacl {

namespace sema {

Sema::Sema(ast::Program& program, const SourceFile& file, Diagnostics& diags)
    : program_(program), file_(file), diags_(diags) {
    ir_.file = file.name();
}

std::optional<ir::Program> Sema::run() {
    collect();
    apply_member_assignments();
    find_reference_cycles();
    build_interfaces();
    check_nics();
    build_gateway();
    build_conntrack();
    build_load_balancers();
    build_syslog();
    build_timers();
    build_functions();
    build_chains();
    warn_unused();
    if (diags_.has_errors()) return std::nullopt;
    return std::move(ir_);
}

} // namespace sema

std::optional<ir::Program> analyse(ast::Program program, const SourceFile& file, Diagnostics& diags) {
    return sema::Sema(program, file, diags).run();
}

} // namespace nacl
