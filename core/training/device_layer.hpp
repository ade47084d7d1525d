#pragma once
// A weight layer backed by a simulated crossbar tile. Besides W x and W^T d it exposes what the
// lab shows: conductances, per-synapse pulse counts, and evaluation at a later device time.
#include "core/crossbar/tile_config.hpp"
#include "core/network/weight_layer.hpp"
#include "core/training/layer_picture.hpp"
#include "core/training/scheme_config.hpp"

namespace cbl {

struct SynapseReading {
    double g_plus_uS = 0;  ///< G+ (or the single device) [uS]
    double g_minus_uS = 0; ///< G- [uS]; 0 on the single-device mapping (see `pair`)
    /// Differential pairs; false for one device per weight read against the fixed reference,
    /// which has no G- of its own to follow
    bool pair = true;
    double weight = 0;
};

class DeviceLayer : public WeightLayer<float> {
  public:
    /// Conductance images and pulse counts for the heatmaps.
    virtual void fill_picture(LayerPicture& p) const = 0;
    /// Noise-free reading of one synapse at the current device time.
    virtual SynapseReading read_synapse(int row, int col) const = 0;
    /// Re-reads the hot parameters (read noise, drift, eps, refresh interval, ...).
    virtual void apply_hot(const SchemeConfig& scheme, const TileConfig& tile) = 0;
    /// Simulated device time per training image (hot).
    virtual void set_seconds_per_image(double seconds) = 0;
    /// Moves the device clock forward by `seconds` without programming (inference after
    /// training, seed 002 Fig. 3E) and sets global drift compensation on or off.
    virtual void age(double seconds, bool drift_compensation) = 0;
    /// Starts a new epoch's per-synapse pulse count.
    virtual void clear_epoch_pulses() = 0;
};

/// Starts a new count of pulses per synapse in every device layer of `net`: at each epoch's end,
/// and at each episode's end of a deep-RL run.
template <typename Net>
void clear_epoch_pulses(Net& net) {
    for (int k = 0; k < net.weight_count(); ++k)
        if (auto* d = dynamic_cast<DeviceLayer*>(&net.weight_layer(k))) d->clear_epoch_pulses();
}

/// What the heatmaps show of a weight layer: its weights, and a device layer's conductances,
/// pulses and chi (supervised networks and the DQN's Q-network alike).
template <typename Scalar>
LayerPicture picture_of(const WeightLayer<Scalar>& layer) {
    LayerPicture p;
    p.weights = layer.weights().template cast<float>();
    if (const auto* d = dynamic_cast<const DeviceLayer*>(&layer)) d->fill_picture(p);
    return p;
}

} // namespace cbl
