#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace cbl {

/// Reads a JSON file (comments allowed); a syntax error is the one line
/// "FILE: not valid JSON at line L, column C", never the JSON library's text.
nlohmann::json read_json_file(const std::string& path);
/// Parses JSON text (comments allowed) that `what` names (a file, a session attribute); a syntax
/// error is the one line "WHAT: not valid JSON at line L, column C".
nlohmann::json parse_json_text(const std::string& text, const std::string& what);

} // namespace cbl
