#pragma once
// Cost of the full PCM read model against a plain FP32 matrix-vector product, measured in one
// run (CLI.md `bench`: mvm_ratio_pcm_to_fp32).
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <vector>

namespace cbl {

struct MvmBenchmarkOptions {
    int rows = 250;                 ///< tile outputs (seed 002's hidden layer)
    int cols = 785;                 ///< tile inputs incl. bias
    double seconds_per_read = 0.01; ///< simulated time advanced before every PCM read, 0 .. 1e6 s
    double min_seconds = 0.3;       ///< wall time spent per measured variant, 0 < .. 60 s
    std::uint64_t seed = 1;
};

struct MvmBenchmarkResult {
    double fp32_ns_inputs = 0, pcm_ns_inputs = 0; ///< per MVM on the given input vectors
    double fp32_ns_dense = 0, pcm_ns_dense = 0;   ///< per MVM on dense random inputs
    double ratio_inputs = 0, ratio_dense = 0;     ///< PCM / FP32
    std::size_t bytes_per_synapse = 0;
    int input_count = 0;
};

/// `inputs` are cols-long vectors (e.g. dataset images with the bias appended); when empty the
/// input part is skipped. Drift and read noise are on; the tile is aged a day first so drift is
/// active in every read.
MvmBenchmarkResult run_mvm_benchmark(const std::vector<Eigen::VectorXf>& inputs,
                                     const MvmBenchmarkOptions& options = {});

nlohmann::json to_json(const MvmBenchmarkResult& r);

} // namespace cbl
