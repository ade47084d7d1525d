#pragma once
// Parameter sweeps (issue 19): a grid of config overrides times a list of seeds, each point a
// full training run whose config and summary are kept in one HDF5 file. The file is rewritten
// atomically after every finished point, so a killed sweep resumes where it stopped: points
// already in the file are not run again.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cbl {

/// One swept field and its values, from "KEY=v1,v2,..." or "KEY=start:stop:count[:log]".
struct GridAxis {
    std::string key;                 ///< dotted config path, as --set takes it
    std::vector<std::string> values; ///< as --set would take them ("0.1", "true", "sgd")
};

/// Parses one --grid argument; a range gives `count` evenly spaced values (geometrically with
/// ":log"). Throws InputError naming the argument for anything malformed or empty.
GridAxis parse_grid_axis(const std::string& spec);
/// "1-5", "1,3,7" or "2": the training seeds of every grid point.
std::vector<std::uint64_t> parse_seeds(const std::string& spec);

struct SweepPoint {
    std::vector<std::string> overrides; ///< "key=value", one per axis, then training.seed
    nlohmann::json config;              ///< the full, validated experiment config
    nlohmann::json summary;             ///< the run's summary (CLI.md); null until it ran
};

/// The Cartesian product of the axes (the first axis slowest) times the seeds, each applied to
/// `base` and validated as a preset is, before anything runs: a bad key or value is refused with
/// the point's overrides named.
std::vector<SweepPoint> expand_grid(const nlohmann::json& base, const std::vector<GridAxis>& axes,
                                    const std::vector<std::uint64_t>& seeds);

/// Reads a sweep file; its points must be those of `points` (same configs, same order), else
/// the file belongs to another sweep and is refused. Copies the stored summaries into `points`.
void resume_sweep(const std::string& path, std::vector<SweepPoint>& points);
/// Writes every point, finished or not, atomically.
void save_sweep(const std::string& path, const std::vector<SweepPoint>& points);

/// Runs every point without a summary, several at once on the TBB pool (a point's result does
/// not depend on scheduling); `run` trains one config and returns its summary; `finished` is
/// called (serialised) after each point, with the number done so far.
void run_sweep(std::vector<SweepPoint>& points,
               const std::function<nlohmann::json(const nlohmann::json& config)>& run,
               const std::function<void(std::size_t done, std::size_t total)>& finished);

} // namespace cbl
