#pragma once
// The IR as JSON (schema: nacl/docs/ir-schema.md). Keys are written in a fixed
// order, so the same IR always gives the same bytes.

#include "nacl/ir.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace nacl::ir {

nlohmann::ordered_json to_json(const Program& program);
// Pretty-printed (two spaces), with a final newline.
std::string to_json_text(const Program& program);

} // namespace nacl::ir
