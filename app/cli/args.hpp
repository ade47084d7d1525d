#pragma once
// Command-line options of crossbarlab-cli: `--name value` pairs and flags, checked against the
// options each command accepts so a typo is an error, not a silent default. Each command declares
// its options once, as a table of Option; the check, the "this command accepts" message and the
// command's --help all come from that table, so the help cannot drift from what is accepted.
#include "core/common/param_error.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cbl::cli {

/// A whole-number option: its range and, when it has one, its default.
struct Whole {
    long long lo = 0, hi = 0;
    std::optional<long long> fallback;
};

struct Option {
    std::string name;     ///< "--devices"
    std::string value;    ///< placeholder of the value ("N", "FILE.h5"); empty: a flag
    std::string meaning;  ///< one line, with the unit
    std::string fallback; ///< the default as the help shows it; empty: none
    std::string range;    ///< the values allowed as the help shows them ("1 .. 256"); empty: any
    std::optional<Whole> whole;
    bool is_flag() const { return value.empty(); }
};

Option flag(std::string name, std::string meaning);
Option valued(std::string name, std::string value, std::string meaning, std::string fallback = "");
/// A whole number in [lo, hi]; without `fallback` the help shows `fallback_text` as the default.
Option whole(std::string name, std::string meaning, long long lo, long long hi,
             std::optional<long long> fallback, std::string fallback_text = "");

/// The option lines of a command's --help: name, value, meaning, range, default; long meanings
/// wrap under themselves.
std::string help_text(const std::vector<Option>& options);

class Args {
  public:
    /// `--help` (or `-h`) is accepted by every command; it sets help().
    Args(const std::vector<std::string>& argv, const std::vector<Option>& options);
    bool help() const { return help_; }
    bool flag(const std::string& name) const { return flags_.count(name) > 0; }
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string value(const std::string& name, const std::string& fallback = "") const;
    const std::vector<std::string>& all(const std::string& name) const;
    /// A whole-number option with the range and default of its table entry.
    long long integer(const std::string& name) const;
    /// Integer option in [lo, hi] (bounds that depend on other options); the message names the
    /// option and the range.
    long long integer(const std::string& name, long long fallback, long long lo,
                      long long hi) const;
    std::vector<double> numbers(const std::string& name) const; ///< comma-separated list

  private:
    std::map<std::string, Option> options_;
    std::map<std::string, std::vector<std::string>> values_;
    std::set<std::string> flags_;
    bool help_ = false;
};

} // namespace cbl::cli
