#include "core/config/json_file.hpp"

#include "core/common/param_error.hpp"

#include <algorithm>
#include <fstream>

namespace cbl {

nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open for reading");
    return parse_json_text(std::string{std::istreambuf_iterator<char>(in), {}}, path);
}

nlohmann::json parse_json_text(const std::string& text, const std::string& what) {
    try {
        return nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte is 1-based, just past the offending character.
        const std::size_t at = std::min<std::size_t>(e.byte ? e.byte - 1 : 0, text.size());
        const auto line = 1 + std::count(text.begin(), text.begin() + at, '\n');
        const auto nl = text.rfind('\n', at ? at - 1 : 0);
        const std::size_t column = nl == std::string::npos || at == 0 ? at + 1 : at - nl;
        throw InputError(what + ": not valid JSON at line " + std::to_string(line) + ", column " +
                         std::to_string(column));
    } catch (const nlohmann::json::exception&) {
        // Only a number beyond double's range gets here (out_of_range.406).
        throw InputError(what + ": not valid JSON: a number is too large for a double");
    }
}

} // namespace cbl
