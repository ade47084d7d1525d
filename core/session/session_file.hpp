#pragma once
// Session files: an experiment's config, complete state, history and event timeline in one HDF5
// file that h5py can read (layout and migration policy: docs/session-format.md). Loading the
// state into Experiment(const ExperimentState&, data) continues training bit-identically: the
// random generator is counter-based (Philox keyed by training.seed, counted by step), so the
// seed in the config and the saved step are the whole RNG state.
#include "core/experiment/state.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cbl {

/// Schema of the files this build writes; loading accepts 1..this.
inline constexpr int session_schema_version = 3;

/// How many comparison runs a session may hold beside its main run (the GUI's run list).
inline constexpr std::size_t max_comparison_runs = 4;

/// A run trained beside the main one (issue 18's side-by-side runs), kept whole so that it
/// resumes where it stopped: stored as a complete session of its own inside the file.
struct ComparisonRun {
    std::string label; ///< as the run list shows it
    int group = -1;    ///< >= 0: a seed group drawn as a band with the main run
    ExperimentState state;
};

/// A synapse whose conductance trace the GUI follows (Engine::pin_synapse).
struct PinnedSynapse {
    int layer = 0, row = 0, col = 0;
    bool operator==(const PinnedSynapse&) const = default;
};

/// How many pinned synapses a session keeps (far more than the traces chart can tell apart).
inline constexpr std::size_t max_pinned_synapses = 64;

/// What the GUI shows beside the experiment that a reopened session brings back (issue 18, item
/// 7): the pinned synapses (their traces start again at the reopening: the past points are not
/// kept) and the heatmap's held colour scale, which only grows while held.
struct SessionGui {
    std::vector<PinnedSynapse> pins;
    bool hold_colour_scale = true;
    int heatmap_layer = 0;  ///< the layer the held ranges below belong to
    double g_max_uS = 0;    ///< top of the held conductance scale [uS]; 0 = none held yet
    double w_max = 0;       ///< held weight scale +-w_max [1]
    double chi_max_eps = 0; ///< held chi scale +-chi_max_eps [granules]
    bool operator==(const SessionGui&) const = default;
};

/// What a session file says about itself (root attributes), and the runs it keeps beside the
/// main one.
struct SessionInfo {
    std::string app_version = CROSSBARLAB_VERSION; ///< CrossbarLab version that wrote the file
    std::string created; ///< UTC time of writing, ISO 8601 ("2026-11-22T08:00:44Z"); empty = now
    std::string dataset; ///< one line describing the data (DataSplit::description)
    std::vector<ComparisonRun>
        comparisons; ///< at most max_comparison_runs, in the run list's order
    /// The GUI's pins and colour hold; none in sessions of the CLI and of older builds.
    std::optional<SessionGui> gui;
};

/// Writes `state` to `path` atomically (temporary file beside it, fsync, rename): an interrupted
/// or failed save leaves any previous file intact. Throws InputError naming the path.
void save_session(const std::string& path, const ExperimentState& state, const SessionInfo& info);

/// Reads and validates a whole session; on any problem (not HDF5, truncated, corrupt, missing
/// or mistyped data, newer schema, contents that disagree with the stored config: see
/// validate_session) throws InputError "<path>: <problem>" and returns nothing partial. Older
/// schemas are upgraded on the way in. The file is read once in a child process first
/// (child_process.hpp), so a crash of HDF5 on a crafted file is a refusal here, not our end.
/// `info`, when given, receives the root attributes, the comparison runs and the GUI settings,
/// each validated.
ExperimentState load_session(const std::string& path, SessionInfo* info = nullptr);

} // namespace cbl
