#include "core/energy/ledger.hpp"

#include "core/common/param_error.hpp"

namespace cbl {

namespace {

constexpr double pJ_per_nJ = 1e3;
constexpr double ns_per_us = 1e3;

nlohmann::json columns_json(const Columns& c) {
    nlohmann::json j = nlohmann::json::object();
    for (int i = 0; i < column_count; ++i)
        j[column_names[i]] = c[i];
    return j;
}

Columns divided(const Columns& c, double d) {
    Columns r{};
    if (d > 0)
        for (int i = 0; i < column_count; ++i)
            r[i] = c[i] / d;
    return r;
}

} // namespace

EnergyLedger::EnergyLedger(std::shared_ptr<const TechnologyPreset> tech, double synapses)
    : tech_(std::move(tech)), synapses_(synapses) {
    if (!tech_) throw InputError("energy ledger: no technology preset");
    require_above("energy ledger synapses", synapses_, 0, 1e15);
}

void EnergyLedger::add(const StageCounts& counts, std::uint64_t images) {
    counts_ += counts;
    images_ += images;
}

void EnergyLedger::add(const std::vector<StageCounts>& per_layer, std::uint64_t images) {
    for (const StageCounts& c : per_layer)
        counts_ += c;
    images_ += images;
}

void EnergyLedger::clear() {
    counts_ = {};
    images_ = 0;
}

EnergyReport EnergyLedger::report() const {
    const TechnologyPreset& t = *tech_;
    EnergyReport s;
    s.technology = t.name;
    s.images = images_;
    s.synapses = synapses_;

    // Cumulative costs. The update column is costed on update + refresh counts together, so
    // refresh work that runs beside the digital unit stays hidden there as in Table 1.
    OpCounts update_with_refresh = counts_[Stage::update];
    update_with_refresh += counts_[Stage::refresh];
    const std::array<StageCost, 4> cost{
        stage_cost(t, counts_[Stage::forward]), stage_cost(t, counts_[Stage::backward]),
        stage_cost(t, update_with_refresh), stage_cost(t, counts_[Stage::refresh])};

    const std::size_t nc = t.components.size();
    s.components.resize(nc);
    for (std::size_t k = 0; k < nc; ++k) {
        ComponentSummary& c = s.components[k];
        c.name = t.components[k].name;
        c.unit = t.components[k].unit;
        for (int col = 0; col < 4; ++col) {
            c.energy_nJ[col] = cost[col].energy_pJ[k] / pJ_per_nJ;
            c.busy_us[col] = cost[col].busy_ns[k] / ns_per_us;
        }
        c.energy_nJ[4] = c.energy_nJ[0] + c.energy_nJ[1] + c.energy_nJ[2];
        c.busy_us[4] = c.busy_us[0] + c.busy_us[1] + c.busy_us[2];
        const bool memory = c.unit == HardwareUnit::computational_memory;
        Columns& unit_energy =
            memory ? s.memory_energy_nJ_per_image : s.digital_energy_nJ_per_image;
        Columns& unit_busy = memory ? s.memory_busy_us_per_image : s.digital_busy_us_per_image;
        for (int col = 0; col < column_count; ++col) {
            unit_energy[col] += c.energy_nJ[col];
            if (!t.components[k].overlapped) unit_busy[col] += c.busy_us[col];
        }
    }
    for (int col = 0; col < 4; ++col) {
        s.energy_nJ_cumulative[col] = cost[col].energy_total_pJ / pJ_per_nJ;
        s.time_us_cumulative[col] = cost[col].time_ns / ns_per_us;
    }
    s.energy_nJ_cumulative[4] =
        s.energy_nJ_cumulative[0] + s.energy_nJ_cumulative[1] + s.energy_nJ_cumulative[2];
    s.time_us_cumulative[4] =
        s.time_us_cumulative[0] + s.time_us_cumulative[1] + s.time_us_cumulative[2];

    const double n = double(images_);
    s.energy_nJ_per_image = divided(s.energy_nJ_cumulative, n);
    s.time_us_per_image = divided(s.time_us_cumulative, n);
    s.memory_energy_nJ_per_image = divided(s.memory_energy_nJ_per_image, n);
    s.digital_energy_nJ_per_image = divided(s.digital_energy_nJ_per_image, n);
    s.memory_busy_us_per_image = divided(s.memory_busy_us_per_image, n);
    s.digital_busy_us_per_image = divided(s.digital_busy_us_per_image, n);
    for (ComponentSummary& c : s.components) {
        c.energy_nJ = divided(c.energy_nJ, n);
        c.busy_us = divided(c.busy_us, n);
    }
    if (s.time_us_per_image[4] > 0) s.images_per_second = 1e6 / s.time_us_per_image[4];

    for (const ReferenceDesign& r : t.references) {
        ReferenceComparison c;
        c.name = r.name;
        c.source = r.source;
        const double scale = synapses_ / r.synapses;
        for (int col = 0; col < 3; ++col) {
            c.energy_nJ[col] = r.energy_nJ[col] * scale;
            c.time_us[col] = r.time_us[col] * scale;
            c.energy_nJ[4] += c.energy_nJ[col];
            c.time_us[4] += c.time_us[col];
        }
        if (s.energy_nJ_per_image[4] > 0)
            c.energy_ratio = c.energy_nJ[4] / s.energy_nJ_per_image[4];
        if (s.time_us_per_image[4] > 0) c.speedup = c.time_us[4] / s.time_us_per_image[4];
        s.references.push_back(std::move(c));
    }
    return s;
}

nlohmann::json to_json(const EnergyReport& s) {
    nlohmann::json j;
    j["technology"] = s.technology;
    j["images"] = s.images;
    j["synapses"] = s.synapses;
    j["energy_nJ_per_image"] = columns_json(s.energy_nJ_per_image);
    j["time_us_per_image"] = columns_json(s.time_us_per_image);
    j["energy_nJ_cumulative"] = columns_json(s.energy_nJ_cumulative);
    j["time_us_cumulative"] = columns_json(s.time_us_cumulative);
    j["units"] = {{"computational_memory",
                   {{"energy_nJ_per_image", columns_json(s.memory_energy_nJ_per_image)},
                    {"busy_us_per_image", columns_json(s.memory_busy_us_per_image)}}},
                  {"digital",
                   {{"energy_nJ_per_image", columns_json(s.digital_energy_nJ_per_image)},
                    {"busy_us_per_image", columns_json(s.digital_busy_us_per_image)}}}};
    j["components"] = nlohmann::json::array();
    for (const ComponentSummary& c : s.components)
        j["components"].push_back({{"name", c.name},
                                   {"unit", to_string(c.unit)},
                                   {"energy_nJ_per_image", columns_json(c.energy_nJ)},
                                   {"busy_us_per_image", columns_json(c.busy_us)}});
    j["references"] = nlohmann::json::array();
    j["energy_ratio_vs"] = nlohmann::json::object();
    for (const ReferenceComparison& r : s.references) {
        j["references"].push_back({{"name", r.name},
                                   {"energy_nJ_per_image", columns_json(r.energy_nJ)},
                                   {"time_us_per_image", columns_json(r.time_us)},
                                   {"energy_ratio", r.energy_ratio},
                                   {"speedup", r.speedup},
                                   {"source", r.source}});
        j["energy_ratio_vs"][r.name] = r.energy_ratio;
    }
    j["images_per_second"] = s.images_per_second;
    j["note"] = "update includes refresh (seed 002 Table 1 folds the distributed refresh into the "
                "weight update); refresh is also shown alone. Reference designs are scaled "
                "linearly to the simulated number of synapses.";
    return j;
}

nlohmann::json time_energy_ratio_json(const EnergyReport& r) {
    nlohmann::json ratio = nlohmann::json::object();
    for (const ReferenceComparison& c : r.references) {
        if (c.name == "DaDianNao") ratio["vs_dadiannao"] = c.energy_ratio;
        if (c.name == "GPU") ratio["vs_gpu"] = c.energy_ratio;
    }
    return ratio.size() == 2 ? ratio : nlohmann::json();
}

} // namespace cbl
