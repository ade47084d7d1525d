#include "app/cli/args.hpp"

#include <charconv>
#include <sstream>

namespace cbl::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
           const std::set<std::string>& flags) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (flags.count(a)) {
            flags_.insert(a);
        } else if (valued.count(a)) {
            if (i + 1 >= argv.size()) throw InputError(a + " needs a value");
            values_[a].push_back(argv[++i]);
        } else {
            std::string known;
            for (const auto& k : valued)
                known += " " + k;
            for (const auto& k : flags)
                known += " " + k;
            throw InputError("unknown option " + a + "; this command accepts:" + known);
        }
    }
}

std::string Args::value(const std::string& name, const std::string& fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& name) const {
    static const std::vector<std::string> none;
    const auto it = values_.find(name);
    return it == values_.end() ? none : it->second;
}

long long Args::integer(const std::string& name, long long fallback, long long lo,
                        long long hi) const {
    if (!has(name)) return fallback;
    const std::string v = value(name);
    long long out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size())
        throw InputError(name + " " + v + ": expected a whole number in " + std::to_string(lo) +
                         " .. " + std::to_string(hi));
    require_range(name, static_cast<double>(out), static_cast<double>(lo), static_cast<double>(hi));
    return out;
}

std::vector<double> Args::numbers(const std::string& name) const {
    std::vector<double> out;
    std::stringstream ss(value(name));
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            std::size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw InputError(name + ": \"" + item + "\" is not a number");
        }
    }
    return out;
}

} // namespace cbl::cli
