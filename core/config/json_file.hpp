#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace cbl {

/// Reads a JSON file (comments allowed); a syntax error is the one line
/// "FILE: not valid JSON at line L, column C", never the JSON library's text.
nlohmann::json read_json_file(const std::string& path);

} // namespace cbl
