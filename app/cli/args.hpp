#pragma once
// Command-line options of crossbarlab-cli: `--name value` pairs and flags, checked against the
// options each command accepts so a typo is an error, not a silent default.
#include "core/common/param_error.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cbl::cli {

class Args {
  public:
    Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
         const std::set<std::string>& flags);
    bool flag(const std::string& name) const { return flags_.count(name) > 0; }
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string value(const std::string& name, const std::string& fallback = "") const;
    const std::vector<std::string>& all(const std::string& name) const;
    /// Integer option in [lo, hi]; the message names the option and the range.
    long long integer(const std::string& name, long long fallback, long long lo,
                      long long hi) const;
    std::vector<double> numbers(const std::string& name) const; ///< comma-separated list

  private:
    std::map<std::string, std::vector<std::string>> values_;
    std::set<std::string> flags_;
};

} // namespace cbl::cli
