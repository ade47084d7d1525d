#include "core/config/schema.hpp"

#include "core/common/param_error.hpp"
#include "core/config/fields.hpp"

#include <algorithm>
#include <cmath>

namespace cbl {
namespace {

std::string with_unit(double v, const std::string& unit) {
    return format_number(v) + (unit.empty() ? "" : " " + unit);
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : sep) + s;
    return out;
}

/// A table cell: '|' would end it.
std::string escaped(const std::string& s) {
    std::string out;
    for (char c : s)
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

struct Collector {
    std::vector<FieldSpec>& out;
    std::string prefix, family;
    template <class T>
    void operator()(const T& member, const FieldSpec& s) {
        FieldSpec f = schema::typed<T>(s, prefix);
        f.family = family;
        f.default_value = schema::to_value(member);
        out.push_back(std::move(f));
    }
};

std::vector<FieldSpec> collect() {
    std::vector<FieldSpec> out;
    ExperimentConfig c;
    Collector col{out, ""};
    schema::describe_top(col, c);
    const auto group = [&](const char* prefix, auto& part) {
        col.prefix = prefix;
        schema::describe(col, part);
    };
    group("network.", c.network);
    group("training.", c.training);
    group("training.optimizer.", c.training.optimizer);
    group("dataset.", c.dataset);
    group("rl.", c.rl);
    group("gan.", c.gan);
    group("scheme.", c.scheme);
    group("tile.", c.tile);
    group("tile.peripherals.", c.tile.peripherals);
    const std::vector<std::string> families = {"pcm", "rram", "ideal", "soft-bounds"};
    out.push_back({.path = "device.family",
                   .kind = FieldKind::choice,
                   .choices = families,
                   .label = "device family",
                   .meaning = "The device model: pcm (Nandakumar et al. 2018, seed 002), rram "
                              "(NeuroSim), ideal (linear steps), soft-bounds; each has its own "
                              "fields and defaults below",
                   .panel = false,
                   .default_value = "pcm"});
    col.prefix = "device.";
    for (const auto& f : families) {
        col.family = f;
        DeviceParams d = DeviceParams::of_family(f);
        std::visit([&](auto& m) { schema::describe(col, m); }, d.model);
    }
    return out;
}

/// The value of a dotted path in a config's JSON as text (strings bare), "" when absent.
std::string value_at(const nlohmann::json& config, const std::string& path) {
    const nlohmann::json* node = &config;
    std::size_t start = 0;
    for (;;) {
        const auto dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
        if (!node->is_object() || !node->contains(key)) return "";
        node = &(*node)[key];
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return node->is_string() ? node->get<std::string>() : node->dump();
}

} // namespace

std::string FieldSpec::allowed() const {
    if (kind == FieldKind::boolean) return "true, false";
    if (kind == FieldKind::choice) return join(choices, ", ");
    if (kind == FieldKind::text) return "text";
    if (kind == FieldKind::name) return "a name without path separators";
    const std::string range =
        format_number(lo) + (lo_open ? " < value <= " : " .. ") + with_unit(hi, unit);
    return off ? format_number(*off) + " (" + off_meaning + ") or " + range : range;
}

std::string FieldSpec::refusal(const nlohmann::json& v) const {
    const auto expected = [&](const std::string& what) {
        return path + ": expected " + what + ", got " + v.dump();
    };
    const auto number = [&](const std::string& where, const nlohmann::json& x) -> std::string {
        if (is_integer() ? !x.is_number_integer() : !x.is_number())
            return where + ": expected " + (is_integer() ? "a whole number" : "a number") + " in " +
                   allowed() + ", got " + x.dump();
        const double d = x.get<double>();
        const bool in = std::isfinite(d) && (lo_open ? d > lo : d >= lo) && d <= hi;
        if (in || (off && d == *off)) return "";
        // As written (1e-320, 4294967297), not as the double it became.
        return where + " = " + (std::isfinite(d) ? x.dump() : format_number(d)) +
               (unit.empty() ? "" : " " + unit) + " is out of range; allowed " + allowed();
    };
    switch (kind) {
    case FieldKind::boolean:
        return v.is_boolean() ? "" : expected("true or false");
    case FieldKind::integer:
    case FieldKind::real:
        return number(path, v);
    case FieldKind::choice:
        if (!v.is_string()) return expected("one of " + allowed());
        if (std::find(choices.begin(), choices.end(), v.get<std::string>()) == choices.end())
            return path + " = " + v.dump() + "; allowed: " + allowed();
        return "";
    case FieldKind::text:
        return v.is_string() ? "" : expected("text");
    case FieldKind::name: {
        if (!v.is_string()) return expected("a name");
        const std::string s = v.get<std::string>();
        if (s.empty() || s.front() == '.' || s.find_first_of("/\\") != std::string::npos)
            return path + " = " + v.dump() + " is not a preset name; give the name of a file in " +
                   "resources/" + path + " without folder or extension";
        return "";
    }
    case FieldKind::reals:
    case FieldKind::integers:
        if (!v.is_array()) return expected("a list of numbers");
        for (std::size_t i = 0; i < v.size(); ++i)
            if (auto why = number(path + "[" + std::to_string(i) + "]", v[i]); !why.empty())
                return why;
        return "";
    }
    return "";
}

const std::vector<FieldSpec>& parameter_schema() {
    static const std::vector<FieldSpec> fields = collect();
    return fields;
}

const FieldSpec* find_field(const std::string& path, const std::string& family) {
    const bool device = path.rfind("device.", 0) == 0 && path != "device.family";
    for (const FieldSpec& f : parameter_schema())
        if (f.path == path && (!device || f.family == family)) return &f;
    return nullptr;
}

bool field_applies(const FieldSpec& f, const nlohmann::json& config) {
    for (const std::string& c : f.when) {
        const auto ne = c.find("!="), eq = c.find('=');
        const bool negate = ne != std::string::npos;
        const std::string path = c.substr(0, negate ? ne : eq);
        const std::string want = c.substr(negate ? ne + 2 : eq + 1);
        if ((value_at(config, path) == want) == negate) return false;
    }
    return true;
}

std::string schema_markdown() {
    std::string md = "| field | type | default | allowed | live | applies when | meaning |\n"
                     "|---|---|---|---|---|---|---|\n";
    static const char* kinds[] = {"bool", "int",  "real",   "choice",
                                  "text", "name", "[real]", "[int]"};
    for (const FieldSpec& f : parameter_schema()) {
        std::vector<std::string> when = f.when;
        if (!f.family.empty()) when.insert(when.begin(), "device.family=" + f.family);
        const std::string def = f.default_value.is_string() ? f.default_value.get<std::string>()
                                : f.default_value.is_number_float()
                                    ? format_number(f.default_value.get<double>())
                                    : f.default_value.dump();
        md += "| `" + f.path + "` | " + kinds[int(f.kind)] + " | " +
              (def.empty() ? "" : "`" + def + "`") + " | " +
              (f.kind == FieldKind::text ? "" : f.allowed()) + " | " + (f.live ? "live" : "") +
              " | " + join(when, ", ") + " | " + escaped(f.meaning) + " |\n";
    }
    return md;
}

} // namespace cbl
