#pragma once
// The energy ledger: accumulates what the simulated hardware did (StageCounts) and, with a
// technology preset, turns it into energy [nJ] and time [us] per stage and component, per image
// (mean) and cumulative. Seed 002 Table 1 folds the distributed weight refresh into the weight
// update; so does `update` here, and `refresh` is shown on its own as well.
//
// Live use: copying a ledger copies the counts and a shared pointer to the preset; report()
// costs ~100 multiply-adds, so the engine can price every snapshot (20 a second).
#include "core/energy/op_counts.hpp"
#include "core/energy/technology.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cbl {

/// Report columns: the three Table 1 stages (update includes refresh), refresh alone, total.
inline constexpr int column_count = 5;
inline constexpr std::array<const char*, column_count> column_names{"forward", "backward", "update",
                                                                    "refresh", "total"};
using Columns = std::array<double, column_count>;

struct ComponentSummary {
    std::string name;
    HardwareUnit unit = HardwareUnit::digital;
    Columns energy_nJ{}; ///< per image
    Columns busy_us{};   ///< per image: time the component is busy (may overlap others)
};

struct ReferenceComparison {
    std::string name;
    Columns energy_nJ{}; ///< per image, scaled to the simulated network (refresh column 0)
    Columns time_us{};
    double energy_ratio = 0; ///< reference energy / simulated energy, total ("x N lower")
    double speedup = 0;      ///< reference time / simulated time, total ("x N faster")
    std::string source;
};

/// The ledger's report: what the CLI prints as JSON (to_json) and what the GUI draws.
struct EnergyReport {
    std::string technology;
    std::uint64_t images = 0;
    double synapses = 0;
    Columns energy_nJ_per_image{};
    Columns time_us_per_image{};
    Columns energy_nJ_cumulative{};
    Columns time_us_cumulative{};
    Columns memory_energy_nJ_per_image{};  ///< computational-memory unit (Table 1's first rows)
    Columns digital_energy_nJ_per_image{}; ///< digital unit
    /// Busy time of each unit's non-overlapped components (Table 1's per-unit times).
    Columns memory_busy_us_per_image{};
    Columns digital_busy_us_per_image{};
    std::vector<ComponentSummary> components;
    std::vector<ReferenceComparison> references;
    double images_per_second = 0; ///< modelled hardware throughput, 1 / total time per image
};

class EnergyLedger {
  public:
    /// `synapses` = weights of the simulated network (198,760 for 785-250-10); the reference
    /// designs are scaled to it. Throws InputError for a null preset or synapses <= 0.
    EnergyLedger(std::shared_ptr<const TechnologyPreset> tech, double synapses);

    /// Adds the counts of `images` training images (all layers summed).
    void add(const StageCounts& counts, std::uint64_t images);
    /// Adds per-layer counts (e.g. EpochMetrics::counts) of `images` training images.
    void add(const std::vector<StageCounts>& per_layer, std::uint64_t images);
    void clear();

    std::uint64_t images() const { return images_; }
    const StageCounts& counts() const { return counts_; }
    const TechnologyPreset& technology() const { return *tech_; }

    EnergyReport report() const;

  private:
    std::shared_ptr<const TechnologyPreset> tech_;
    double synapses_;
    StageCounts counts_{};
    std::uint64_t images_ = 0;
};

/// {"technology", "images", "synapses", "energy_nJ_per_image": {forward, backward, update,
///  refresh, total}, "time_us_per_image": {...}, "energy_nJ_cumulative", "time_us_cumulative",
///  "units": {"computational_memory": {"energy_nJ_per_image", "busy_us_per_image"},
///  "digital": {...}}, "components": [{"name", "unit",
///  "energy_nJ_per_image": {...}, "busy_us_per_image": {...}}], "references": [{"name",
///  "energy_nJ_per_image", "time_us_per_image", "energy_ratio", "speedup", "source"}],
///  "energy_ratio_vs": {name: ratio}, "images_per_second", "note"}
nlohmann::json to_json(const EnergyReport& r);

/// `train --json`'s `energy_ratio` (CLI.md): {"vs_dadiannao", "vs_gpu"}, how many times less
/// energy than each of TIME's two comparisons (seed 000: DaDianNao, a GPU) the same counted work
/// takes; null unless the technology preset lists both reference designs.
nlohmann::json time_energy_ratio_json(const EnergyReport& r);

} // namespace cbl
