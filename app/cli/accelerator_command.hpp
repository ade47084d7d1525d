#pragma once
// crossbarlab-cli accelerator: seed 001 on a trained network (issue 17). The analytical twin,
// `seed001` (core/energy/rram_cnn.*), stays: it costs the same design from layer shapes and
// data statistics in microseconds; this command runs the network's tensors through it.
#include "app/cli/args.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cbl {

class Experiment;

/// Where the trained network comes from (a session, or a preset trained first), given the
/// --set overrides that are not accelerator.* fields.
using TrainedNetwork =
    std::function<std::unique_ptr<Experiment>(const cli::Args&, const std::vector<std::string>&)>;

/// The command's options after `network` (the options `TrainedNetwork` reads).
std::vector<cli::Option> accelerator_options(std::vector<cli::Option> network);
int cmd_accelerator(const cli::Args& a, const TrainedNetwork& network);

} // namespace cbl
