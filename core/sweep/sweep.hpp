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

/// Every point of a sweep file, finished or not.
std::vector<SweepPoint> load_sweep(const std::string& path);
/// Copies the summaries of `from` into the points of `into` that have none; the two must hold
/// the same points (same configs, same order), else `from` (named `name`) belongs to another
/// sweep and is refused.
void merge_sweep(std::vector<SweepPoint>& into, const std::vector<SweepPoint>& from,
                 const std::string& name);
/// merge_sweep of the file at `path`: a rerun continues where the file stopped.
void resume_sweep(const std::string& path, std::vector<SweepPoint>& points);
/// Writes every point, finished or not, atomically.
void save_sweep(const std::string& path, const std::vector<SweepPoint>& points);

/// Shard `index` of `count` (1-based, "--shard 2/4"): only every count-th point, from the
/// index-th, keeps its place to run; the others are marked done for this process (their
/// summaries stay null, `sweep merge` joins the shards' files).
struct Shard {
    std::size_t index = 1, count = 1;
    bool owns(std::size_t point) const { return point % count == index - 1; }
};
Shard parse_shard(const std::string& spec);

/// The points of `shard` that have no summary yet, in order.
std::vector<std::size_t> points_to_run(const std::vector<SweepPoint>& points, const Shard& shard);

/// Runs the points `todo` names, several at once on the TBB pool (a point's result does not
/// depend on scheduling); `run` trains one config and returns its summary; `finished` is called
/// (serialised) after each point.
void run_sweep(std::vector<SweepPoint>& points, const std::vector<std::size_t>& todo,
               const std::function<nlohmann::json(const nlohmann::json& config)>& run,
               const std::function<void()>& finished);

} // namespace cbl
