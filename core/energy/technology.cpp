#include "core/energy/technology.hpp"

#include "core/common/param_error.hpp"
#include "core/config/json_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace cbl {

namespace {

struct FieldName {
    CountField field;
    const char* name;
    std::uint64_t OpCounts::*member;
};

constexpr std::array<FieldName, 15> count_fields{{
    {CountField::mvms, "mvms", &OpCounts::mvms},
    {CountField::device_reads, "device_reads", &OpCounts::device_reads},
    {CountField::dac_conversions, "dac_conversions", &OpCounts::dac_conversions},
    {CountField::adc_conversions, "adc_conversions", &OpCounts::adc_conversions},
    {CountField::adc_bit_conversions, "adc_bit_conversions", &OpCounts::adc_bit_conversions},
    {CountField::digital_macs, "digital_macs", &OpCounts::digital_macs},
    {CountField::activations, "activations", &OpCounts::activations},
    {CountField::chi_reads, "chi_reads", &OpCounts::chi_reads},
    {CountField::chi_writes, "chi_writes", &OpCounts::chi_writes},
    {CountField::set_pulses, "set_pulses", &OpCounts::set_pulses},
    {CountField::reset_pulses, "reset_pulses", &OpCounts::reset_pulses},
    {CountField::verify_reads, "verify_reads", &OpCounts::verify_reads},
    {CountField::refreshed_pairs, "refreshed_pairs", &OpCounts::refreshed_pairs},
    {CountField::shift_adds, "shift_adds", &OpCounts::shift_adds},
    {CountField::partial_sum_adds, "partial_sum_adds", &OpCounts::partial_sum_adds},
}};

// Largest per-operation values accepted: far above any physical component, small enough to
// catch a unit slip (fJ typed as pJ x 1e6).
constexpr double max_energy_pJ = 1e9;
constexpr double max_latency_ns = 1e9;

/// A required number: missing, null or a string is rejected with the field named.
double required_number(const nlohmann::json& obj, const char* key, const std::string& path) {
    const auto it = obj.find(key);
    if (it == obj.end()) throw InputError(path + "." + key + " is missing");
    if (!it->is_number())
        throw InputError(path + "." + key + ": expected a number, got " + it->dump());
    return it->get<double>();
}

std::string read_string(const nlohmann::json& obj, const char* key, const std::string& path,
                        bool required) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        if (required) throw InputError(path + "." + key + " is missing");
        return {};
    }
    if (!it->is_string())
        throw InputError(path + "." + key + ": expected a string, got " + it->dump());
    return it->get<std::string>();
}

void reject_unknown(const nlohmann::json& obj, const std::string& path,
                    const std::set<std::string>& known) {
    for (const auto& [key, value] : obj.items())
        if (!known.count(key) && key != "comment" && key != "source")
            throw InputError(path + "." + key + " is not a known field");
}

std::array<double, 3> read_stage_triple(const nlohmann::json& obj, const char* key,
                                        const std::string& path) {
    const auto it = obj.find(key);
    if (it == obj.end()) throw InputError(path + "." + key + " is missing");
    if (!it->is_object()) throw InputError(path + "." + key + " must be a JSON object");
    const std::string p = path + "." + key;
    reject_unknown(*it, p, {"forward", "backward", "update"});
    return {required_number(*it, "forward", p), required_number(*it, "backward", p),
            required_number(*it, "update", p)};
}

ComponentCost component_from_json(const nlohmann::json& c, const std::string& path0) {
    if (!c.is_object()) throw InputError(path0 + " must be a JSON object");
    ComponentCost k;
    k.name = read_string(c, "name", path0, true);
    const std::string path = path0 + " (" + k.name + ")";
    reject_unknown(c, path,
                   {"name", "unit", "counts", "energy_pJ", "latency_ns", "lanes", "overlapped",
                    "energy_by_bits", "nominal_bits"});
    const std::string unit = read_string(c, "unit", path, true);
    if (unit == "computational_memory")
        k.unit = HardwareUnit::computational_memory;
    else if (unit == "digital")
        k.unit = HardwareUnit::digital;
    else
        throw InputError(path + ".unit = \"" + unit +
                         "\" is not known; allowed: computational_memory, digital");
    const auto counts = c.find("counts");
    if (counts == c.end() || !counts->is_array() || counts->empty())
        throw InputError(path + ".counts must be a non-empty array of count names");
    for (std::size_t i = 0; i < counts->size(); ++i) {
        const std::string field = path + ".counts[" + std::to_string(i) + "]";
        if (!(*counts)[i].is_string()) throw InputError(field + ": expected a count name");
        k.counts.push_back(count_field_from_string((*counts)[i].get<std::string>(), field));
    }
    k.energy_pJ = required_number(c, "energy_pJ", path);
    k.latency_ns = required_number(c, "latency_ns", path);
    if (c.contains("lanes")) {
        const double lanes = required_number(c, "lanes", path);
        require_range(path + ".lanes", lanes, 1, 1e9);
        if (lanes != std::floor(lanes)) throw InputError(path + ".lanes must be a whole number");
        k.lanes = int(lanes);
    }
    if (c.contains("overlapped")) {
        if (!c["overlapped"].is_boolean())
            throw InputError(path + ".overlapped: expected true or false");
        k.overlapped = c["overlapped"].get<bool>();
    }
    if (c.contains("energy_by_bits")) {
        const auto& t = c["energy_by_bits"];
        const std::string tp = path + ".energy_by_bits";
        if (!t.is_object() || t.empty())
            throw InputError(tp + " must be an object {\"bits\": pJ, ...}");
        for (const auto& [bits, pJ] : t.items()) {
            int b = 0;
            try {
                std::size_t used = 0;
                b = std::stoi(bits, &used);
                if (used != bits.size()) throw std::invalid_argument(bits);
            } catch (const std::exception&) {
                throw InputError(tp + ": key \"" + bits + "\" is not a whole number of bits");
            }
            k.energy_by_bits.emplace_back(b, required_number(t, bits.c_str(), tp));
        }
        std::sort(k.energy_by_bits.begin(), k.energy_by_bits.end());
        k.nominal_bits = int(required_number(c, "nominal_bits", path));
    }
    k.source = read_string(c, "source", path, true);
    return k;
}

ReferenceDesign reference_from_json(const nlohmann::json& r, const std::string& path0) {
    if (!r.is_object()) throw InputError(path0 + " must be a JSON object");
    ReferenceDesign d;
    d.name = read_string(r, "name", path0, true);
    const std::string path = path0 + " (" + d.name + ")";
    reject_unknown(r, path, {"name", "synapses", "energy_nJ", "time_us"});
    d.synapses = required_number(r, "synapses", path);
    d.energy_nJ = read_stage_triple(r, "energy_nJ", path);
    d.time_us = read_stage_triple(r, "time_us", path);
    d.source = read_string(r, "source", path, true);
    return d;
}

std::string technology_dir() {
    if (const char* env = std::getenv("CROSSBARLAB_RESOURCES"))
        return (fs::path(env) / "technology").string();
    return (fs::path(CROSSBARLAB_RESOURCE_DIR) / "technology").string();
}

} // namespace

std::string to_string(CountField f) {
    return count_fields[static_cast<int>(f)].name;
}

CountField count_field_from_string(const std::string& name, const std::string& field) {
    std::string known;
    for (const auto& f : count_fields) {
        if (name == f.name) return f.field;
        known += (known.empty() ? "" : ", ") + std::string(f.name);
    }
    throw InputError(field + " = \"" + name + "\" is not a count; allowed: " + known);
}

std::uint64_t count_of(const OpCounts& c, CountField f) {
    return c.*(count_fields[static_cast<int>(f)].member);
}

std::string to_string(HardwareUnit u) {
    return u == HardwareUnit::computational_memory ? "computational_memory" : "digital";
}

double interpolate_by_bits(const std::vector<std::pair<int, double>>& table, double bits) {
    // Piecewise-linear in bits inside the table; beyond its ends the value keeps the per-bit
    // ratio of the two outermost entries (SAR energy and area grow geometrically at high
    // resolution, reference README section 4: 9b 1.97 -> 10b 2.38 pJ).
    const auto per_bit = [](const std::pair<int, double>& a, const std::pair<int, double>& b) {
        return std::pow(b.second / a.second, 1.0 / double(b.first - a.first));
    };
    const auto& t = table;
    if (t.size() == 1) return t.front().second;
    if (bits <= t.front().first)
        return t[0].second * std::pow(per_bit(t[0], t[1]), bits - t[0].first);
    if (bits >= t.back().first)
        return t.back().second *
               std::pow(per_bit(t[t.size() - 2], t.back()), bits - t.back().first);
    for (std::size_t i = 1; i < t.size(); ++i)
        if (bits <= t[i].first) {
            const double w = (bits - t[i - 1].first) / double(t[i].first - t[i - 1].first);
            return t[i - 1].second + w * (t[i].second - t[i - 1].second);
        }
    return t.back().second;
}

double ComponentCost::energy_at_bits_pJ(double bits) const {
    if (energy_by_bits.empty()) return energy_pJ;
    return energy_pJ * interpolate_by_bits(energy_by_bits, bits) /
           interpolate_by_bits(energy_by_bits, nominal_bits);
}

void TechnologyPreset::validate() const {
    if (components.empty()) throw InputError(name + ": components must not be empty");
    std::set<std::string> names;
    for (std::size_t i = 0; i < components.size(); ++i) {
        const ComponentCost& c = components[i];
        const std::string p = name + ": components[" + std::to_string(i) + "] (" + c.name + ")";
        if (!names.insert(c.name).second) throw InputError(p + ".name is used twice");
        require_range(p + ".energy_pJ", c.energy_pJ, 0, max_energy_pJ, "pJ");
        require_range(p + ".latency_ns", c.latency_ns, 0, max_latency_ns, "ns");
        require_range(p + ".lanes", c.lanes, 1, 1e9);
        if (c.counts.empty()) throw InputError(p + ".counts must not be empty");
        if (!c.energy_by_bits.empty()) {
            require_range(p + ".nominal_bits", c.nominal_bits, 1, 32, "bits");
            for (const auto& [bits, pJ] : c.energy_by_bits) {
                const std::string f = p + ".energy_by_bits[" + std::to_string(bits) + "]";
                require_range(f + " bits", bits, 1, 32, "bits");
                require_above(f, pJ, 0, max_energy_pJ, "pJ");
            }
        }
    }
    for (std::size_t i = 0; i < references.size(); ++i) {
        const ReferenceDesign& r = references[i];
        const std::string p = name + ": references[" + std::to_string(i) + "] (" + r.name + ")";
        require_above(p + ".synapses", r.synapses, 0, 1e15);
        for (int s = 0; s < 3; ++s) {
            require_range(p + ".energy_nJ." + stage_names[s], r.energy_nJ[s], 0, 1e15, "nJ");
            require_range(p + ".time_us." + stage_names[s], r.time_us[s], 0, 1e15, "us");
        }
    }
}

TechnologyPreset technology_from_json(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object()) throw InputError(origin + " must be a JSON object");
    TechnologyPreset t;
    t.name = read_string(j, "name", origin, true);
    reject_unknown(j, origin, {"name", "description", "components", "references"});
    t.description = read_string(j, "description", origin, false);
    const auto comps = j.find("components");
    if (comps == j.end() || !comps->is_array())
        throw InputError(origin + ".components must be an array");
    for (std::size_t i = 0; i < comps->size(); ++i)
        t.components.push_back(
            component_from_json((*comps)[i], origin + ".components[" + std::to_string(i) + "]"));
    if (const auto refs = j.find("references"); refs != j.end()) {
        if (!refs->is_array()) throw InputError(origin + ".references must be an array");
        for (std::size_t i = 0; i < refs->size(); ++i)
            t.references.push_back(
                reference_from_json((*refs)[i], origin + ".references[" + std::to_string(i) + "]"));
    }
    t.validate();
    return t;
}

TechnologyPreset load_technology_file(const std::string& path) {
    return technology_from_json(read_json_file(path), path);
}

TechnologyPreset load_technology(const std::string& name) {
    const fs::path file = fs::path(technology_dir()) / (name + ".json");
    if (!fs::is_regular_file(file)) {
        std::string known;
        for (const auto& n : technology_names())
            known += (known.empty() ? "" : ", ") + n;
        throw InputError("technology = \"" + name + "\" is not a preset; allowed: " + known);
    }
    return load_technology_file(file.string());
}

std::vector<std::string> technology_names() {
    std::vector<std::string> names;
    const fs::path dir = technology_dir();
    if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

StageCost stage_cost(const TechnologyPreset& tech, const OpCounts& ops) {
    StageCost s;
    s.energy_pJ.resize(tech.components.size());
    s.busy_ns.resize(tech.components.size());
    double serial_ns = 0, overlapped_ns = 0;
    for (std::size_t i = 0; i < tech.components.size(); ++i) {
        const ComponentCost& c = tech.components[i];
        double n = 0;
        for (const CountField f : c.counts)
            n += double(count_of(ops, f));
        double per_op_pJ = c.energy_pJ;
        if (!c.energy_by_bits.empty()) {
            // Mean resolution of the stage's conversions; an ideal simulated converter counts
            // no bits and is costed at the preset's nominal resolution.
            const double bits = ops.adc_conversions > 0 && ops.adc_bit_conversions > 0
                                    ? double(ops.adc_bit_conversions) / double(ops.adc_conversions)
                                    : double(c.nominal_bits);
            per_op_pJ = c.energy_at_bits_pJ(bits);
        }
        s.energy_pJ[i] = n * per_op_pJ;
        s.busy_ns[i] = n * c.latency_ns / c.lanes;
        s.energy_total_pJ += s.energy_pJ[i];
        (c.overlapped ? overlapped_ns : serial_ns) += s.busy_ns[i];
    }
    s.time_ns = std::max(serial_ns, overlapped_ns);
    return s;
}

} // namespace cbl
