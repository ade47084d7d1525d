#pragma once
// A technology preset: what one hardware operation costs, per component of the chip. Energy and
// time are never typed in as totals; they come out of OpCounts x these per-operation costs
// (see ledger.hpp). Presets live in resources/technology/<name>.json, every number with its
// source or derivation next to it.
#include "core/energy/op_counts.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cbl {

/// The OpCounts fields, so a preset can name the counts that drive a component.
enum class CountField : int {
    mvms,
    device_reads,
    dac_conversions,
    adc_conversions,
    adc_bit_conversions,
    digital_macs,
    activations,
    chi_reads,
    chi_writes,
    set_pulses,
    reset_pulses,
    verify_reads,
    refreshed_pairs,
    shift_adds,
    partial_sum_adds,
};

std::string to_string(CountField f);
/// Throws InputError naming `field` and the known names.
CountField count_field_from_string(const std::string& name, const std::string& field);
std::uint64_t count_of(const OpCounts& c, CountField f);

/// Value of a [bits, value] table (sorted by bits, values > 0) at `bits`: linear inside,
/// geometric with the outermost per-bit ratio outside.
double interpolate_by_bits(const std::vector<std::pair<int, double>>& table, double bits);

/// Where a component sits; seed 002 Table 1 splits every stage into these two.
enum class HardwareUnit { computational_memory, digital };
std::string to_string(HardwareUnit u);

/// One kind of operation of the chip and its cost.
struct ComponentCost {
    std::string name;
    HardwareUnit unit = HardwareUnit::digital;
    std::vector<CountField> counts; ///< summed: the number of operations of this component
    double energy_pJ = 0;           ///< per operation (at nominal_bits for an ADC table)
    /// Time one operation occupies its unit. Stage time = operations x latency_ns / lanes.
    double latency_ns = 0;
    int lanes = 1;           ///< operations processed in parallel, 1 .. 1e9
    bool overlapped = false; ///< hidden behind the rest of its stage (runs concurrently)
    /// Optional ADC resolution shape [bits, pJ]: energy per conversion = energy_pJ x
    /// table(b) / table(nominal_bits), b = adc_bit_conversions / adc_conversions of the stage
    /// (nominal_bits when the simulated converter is ideal and counts no bits).
    std::vector<std::pair<int, double>> energy_by_bits;
    int nominal_bits = 0;
    std::string source;

    /// Energy of one operation at `bits` resolution (ignored without a table).
    double energy_at_bits_pJ(double bits) const;
};

/// A design from the literature to compare against, per training image, for a network of
/// `synapses` weights; the ledger scales it linearly to the simulated network (a digital design
/// streams every weight once per stage, so its cost grows with the weight count).
struct ReferenceDesign {
    std::string name;
    double synapses = 0;
    std::array<double, 3> energy_nJ{}; ///< forward, backward, update
    std::array<double, 3> time_us{};   ///< forward, backward, update
    std::string source;
};

struct TechnologyPreset {
    std::string name;
    std::string description;
    std::vector<ComponentCost> components;
    std::vector<ReferenceDesign> references;

    /// Rejects negative, non-finite or inconsistent numbers, naming the field (InputError).
    void validate() const;
};

/// Parses a preset; a missing, negative or non-number energy/latency is an InputError naming
/// the field, e.g. "components[3] (adc).energy_pJ". `origin` prefixes the messages.
TechnologyPreset technology_from_json(const nlohmann::json& j, const std::string& origin);
/// Loads resources/technology/<name>.json (CROSSBARLAB_RESOURCES overrides the folder).
TechnologyPreset load_technology(const std::string& name);
TechnologyPreset load_technology_file(const std::string& path);
/// Names of the presets in resources/technology, sorted.
std::vector<std::string> technology_names();

/// Cost of one stage's operations.
struct StageCost {
    std::vector<double> energy_pJ; ///< per component, preset order
    std::vector<double> busy_ns;   ///< per component: operations x latency / lanes
    double energy_total_pJ = 0;
    /// Wall time: the serial components run one after the other; the overlapped ones run
    /// beside them, so the stage takes max(serial sum, overlapped sum).
    double time_ns = 0;
};

/// Costs `ops` with `tech`. Linear and positively homogeneous in the counts, so the cost of a
/// mean image is the cost of the cumulative counts divided by the number of images.
StageCost stage_cost(const TechnologyPreset& tech, const OpCounts& ops);

} // namespace cbl
