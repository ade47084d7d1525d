#pragma once
// Validation of user-supplied parameters: every rejection names the field and the allowed range,
// so the GUI and the CLI can show one clear line (DEVELOPERS.md, "Bad input").
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace cbl {

/// A bad parameter, dataset or file. what() is a one-line message for the user.
class InputError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

inline std::string format_number(double v) {
    std::ostringstream s;
    s.precision(15); // 268435456 and 0.999999 as written, not 2.68435e+08
    s << v;
    return s.str();
}

/// Requires lo <= value <= hi (and finite). `unit` is shown after the numbers, e.g. "uS".
inline void require_range(const std::string& field, double value, double lo, double hi,
                          const std::string& unit = "") {
    const std::string u = unit.empty() ? "" : " " + unit;
    if (!std::isfinite(value) || value < lo || value > hi)
        throw InputError(field + " = " + format_number(value) + u + " is out of range; allowed " +
                         format_number(lo) + u + " .. " + format_number(hi) + u);
}

/// Requires lo < value <= hi (strictly positive lower bound, e.g. a time constant).
inline void require_above(const std::string& field, double value, double lo, double hi,
                          const std::string& unit = "") {
    const std::string u = unit.empty() ? "" : " " + unit;
    if (!std::isfinite(value) || value <= lo || value > hi)
        throw InputError(field + " = " + format_number(value) + u + " is out of range; allowed " +
                         format_number(lo) + u + " < value <= " + format_number(hi) + u);
}

/// Requires a < b for a pair of bounds such as g_min_uS < g_max_uS.
inline void require_less(const std::string& field_a, double a, const std::string& field_b,
                         double b) {
    if (!(a < b))
        throw InputError(field_a + " = " + format_number(a) + " must be below " + field_b + " = " +
                         format_number(b));
}

} // namespace cbl
