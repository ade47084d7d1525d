#include "app/cli/args.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>

namespace cbl::cli {

namespace {
const Option help_option = flag("--help", "print this help and exit (also -h)");
} // namespace

Option flag(std::string name, std::string meaning) {
    return {std::move(name), "", std::move(meaning), "", "", std::nullopt};
}

Option valued(std::string name, std::string value, std::string meaning, std::string fallback) {
    return {std::move(name), std::move(value), std::move(meaning), std::move(fallback), "",
            std::nullopt};
}

Option whole(std::string name, std::string meaning, long long lo, long long hi,
             std::optional<long long> fallback, std::string fallback_text) {
    if (fallback) fallback_text = std::to_string(*fallback);
    return {std::move(name),
            "N",
            std::move(meaning),
            std::move(fallback_text),
            std::to_string(lo) + " .. " + std::to_string(hi),
            Whole{lo, hi, fallback}};
}

std::string help_text(const std::vector<Option>& options) {
    constexpr std::size_t columns = 100;
    std::vector<Option> all = options;
    all.push_back(help_option);
    const auto head = [](const Option& o) { return o.is_flag() ? o.name : o.name + " " + o.value; };
    std::size_t indent = 0;
    for (const Option& o : all)
        indent = std::max(indent, head(o).size() + 4);
    std::string out;
    for (const Option& o : all) {
        // Words of the meaning, then the range and the default, each kept on one line.
        std::vector<std::string> pieces;
        std::istringstream words(o.meaning);
        for (std::string w; words >> w;)
            pieces.push_back(w);
        if (!o.range.empty()) pieces.back() += ";", pieces.push_back(o.range);
        if (!o.fallback.empty()) pieces.push_back("(default " + o.fallback + ")");
        std::string line = "  " + head(o);
        line.resize(indent, ' ');
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            if (i > 0 && line.size() + 1 + pieces[i].size() > columns) {
                out += line + "\n";
                line.assign(indent - 1, ' ');
            }
            line += (i > 0 ? " " : "") + pieces[i];
        }
        out += line + "\n";
    }
    return out;
}

Args::Args(const std::vector<std::string>& argv, const std::vector<Option>& options) {
    for (const Option& o : options)
        options_.emplace(o.name, o);
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        const auto it = options_.find(a);
        if (a == help_option.name || a == "-h") {
            help_ = true;
        } else if (it != options_.end() && it->second.is_flag()) {
            flags_.insert(a);
        } else if (it != options_.end()) {
            if (i + 1 >= argv.size()) throw InputError(a + " needs a value");
            values_[a].push_back(argv[++i]);
        } else {
            std::string known;
            for (const Option& o : options)
                known += " " + o.name;
            throw InputError("unknown option " + a + "; this command accepts:" + known + " " +
                             help_option.name);
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

long long Args::integer(const std::string& name) const {
    const auto it = options_.find(name);
    if (it == options_.end() || !it->second.whole)
        throw std::logic_error(name + " is no whole-number option of this command");
    const Whole& w = *it->second.whole;
    if (!has(name) && !w.fallback) throw std::logic_error(name + " has no default");
    return integer(name, w.fallback.value_or(0), w.lo, w.hi);
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
