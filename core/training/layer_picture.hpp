#pragma once
// What the heatmaps show of one weight layer (carried by the experiment's snapshots).
#include <Eigen/Core>

namespace cbl {

struct LayerPicture {
    Eigen::MatrixXf weights;      ///< W (outputs x inputs), noise-free read [weight units]
    Eigen::MatrixXf g_plus_uS;    ///< crossbar layers: G+ (or the single device) [uS]; else empty
    Eigen::MatrixXf g_minus_uS;   ///< differential pairs: G- [uS]; else empty
    Eigen::MatrixXf pulses_epoch; ///< crossbar layers: programming pulses per synapse this epoch
    /// mca layers: the accumulator chi in granules, chi / eps (eps_up above zero, eps_down below
    /// on the single mapping), so a transfer fires at +-1; else empty
    Eigen::MatrixXf chi_eps;
    double beta_per_uS = 0; ///< weight units per uS (W = beta (G+ - G-)); 0 for FP layers
    /// Device pairs per weight (a multi-memristive synapse): G+ and G- are then their sums
    int pairs_per_weight = 1;
    /// LSTM gate matrices: rows per gate, the gates i, f, g, o stacked in that order; else 0
    int gate_rows = 0;
};

} // namespace cbl
