#pragma once
// A weight layer backed by a simulated crossbar tile. Besides W x and W^T d it exposes what the
// lab shows: conductances, per-synapse pulse counts, and evaluation at a later device time.
#include "core/experiment/config.hpp"
#include "core/experiment/snapshot.hpp"
#include "core/network/weight_layer.hpp"

namespace cbl {

struct SynapseReading {
    double g_plus_uS = 0;
    double g_minus_uS = 0; ///< single-device mapping: the reference conductance
    double weight = 0;
};

class DeviceLayer : public WeightLayer<float> {
  public:
    /// Conductance images and pulse counts for the heatmaps.
    virtual void fill_picture(LayerPicture& p) const = 0;
    /// Noise-free reading of one synapse at the current device time.
    virtual SynapseReading read_synapse(int row, int col) const = 0;
    /// Takes the hot parameters (read noise, drift, eps, refresh interval, ...) of validated
    /// configs.
    virtual void apply_hot(const SchemeConfig& scheme, const TileConfig& tile) = 0;
    /// Moves the device clock forward by `seconds` without programming (inference after
    /// training, seed 002 Fig. 3E) and sets global drift compensation on or off.
    virtual void age(double seconds, bool drift_compensation) = 0;
    /// Starts a new epoch's per-synapse pulse count.
    virtual void clear_epoch_pulses() = 0;
};

} // namespace cbl
