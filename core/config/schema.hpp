#pragma once
// The parameter schema: every config field once, as the user writes it, with its type, default,
// range, unit, meaning, live flag and when it applies. JSON parsing and validation of the typed
// configs, `--set` messages, the live-parameter list, the GUI's parameter panel and the table in
// resources/presets/README.md all derive from it (the table itself: core/config/fields.hpp).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cbl {

enum class FieldKind {
    boolean,
    integer,
    real,
    choice,   ///< one of `choices`
    text,     ///< free text (names, descriptions, a dataset folder)
    name,     ///< a file name inside a resource folder: no path separators
    reals,    ///< list of reals, each in range
    integers, ///< list of integers, each in range
};

struct FieldSpec {
    std::string path; ///< as the user writes it: "device.g_max_uS"
    FieldKind kind = FieldKind::real;
    double lo = 0, hi = 0;     ///< numbers and list elements: lo <= value <= hi
    bool lo_open = false;      ///< lo < value instead
    std::optional<double> off; ///< a value allowed outside the range, e.g. 0 = off
    std::string off_meaning;   ///< what `off` means, e.g. "full precision"
    std::vector<std::string> choices;
    std::string unit;    ///< ASCII, as in the field names: uS, s, ns, V, bits
    std::string label;   ///< short human name
    std::string meaning; ///< one sentence: what it does physically (tooltip)
    bool live = false;   ///< may change while training runs (else structural: reset)
    bool panel = true;   ///< shown in the GUI's parameter panel
    /// Conditions on other fields ("scheme.type=time", "scheme.quantize_bits!=0"), all must hold.
    std::vector<std::string> when;
    std::string family; ///< device.* fields: the device family having this field
    nlohmann::json default_value;

    /// Empty when `value` is allowed, else the one-line refusal naming the path and the range.
    std::string refusal(const nlohmann::json& value) const;
    /// "0 .. 1000 uS", "0 < value <= 100", "0 (off) or 2 .. 16 bits", "sgd, momentum, adam".
    std::string allowed() const;
    bool is_integer() const { return kind == FieldKind::integer || kind == FieldKind::integers; }
};

/// Every field, device fields once per family (grouped: top level, network, training, dataset,
/// scheme, tile, device per family).
const std::vector<FieldSpec>& parameter_schema();
/// The field at `path`; device.* fields of `family`. nullptr when there is none.
const FieldSpec* find_field(const std::string& path, const std::string& family = "pcm");
/// Whether the field matters for this config (its `when` conditions on the config's JSON).
bool field_applies(const FieldSpec& f, const nlohmann::json& config);
/// The markdown table of resources/presets/README.md.
std::string schema_markdown();

} // namespace cbl
