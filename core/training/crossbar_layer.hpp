#pragma once
// A network layer whose weights live on a crossbar tile, trained by one of the update schemes
// of scheme_config.hpp. Forward and backward products are crossbar reads (seed 002 Fig. 1B);
// the digital unit turns dW into pulses.
#include "core/crossbar/crossbar_tile.hpp"
#include "core/training/device_layer.hpp"
#include "core/training/scheme_config.hpp"

#include <cstdint>
#include <vector>

namespace cbl {

/// mca: the chi entries a transfer acts on, chi >= up (potentiate) or chi <= -down (depress);
/// a single device has its own granules for the two directions.
struct TransferBand {
    float up = -1, down = -1; ///< -1: not set
    bool holds(float chi) const { return chi >= up || chi <= -down; }
    bool operator==(const TransferBand&) const = default;
};

class CrossbarLayer final : public DeviceLayer {
  public:
    CrossbarLayer(int rows, int cols, const TileConfig& tile, const SchemeConfig& scheme,
                  double seconds_per_image, std::uint64_t seed, std::uint32_t layer);

    int outputs() const override { return tiles_.front().rows(); }
    int inputs() const override { return tiles_.front().cols(); }
    void forward(const Vec& x, Vec& z, StepContext& ctx) override;
    void backward(const Vec& d, Vec& out, StepContext& ctx) override;
    void forward_batch(const Matrix& x, Matrix& z, std::uint64_t eval_step) const override;
    void commit_rank1(const Vec& x, const Vec& delta, float scale, StepContext& ctx) override;
    void commit(const Matrix& dW, StepContext& ctx) override;
    void end_of_image(StepContext& ctx) override;
    std::unique_ptr<WeightLayer<float>> clone() const override;
    void save_state(const std::string& prefix, StateArrays& out) const override;
    void load_state(const std::string& prefix, const StateArrays& in) override;
    Matrix weights() const override;

    void fill_picture(LayerPicture& p) const override;
    SynapseReading read_synapse(int row, int col) const override;
    void apply_hot(const SchemeConfig& scheme, const TileConfig& tile) override;
    void age(double seconds, bool drift_compensation) override;
    void clear_epoch_pulses() override { pulses_epoch_.setZero(); }

    /// mca: the accumulator, outputs x inputs.
    Eigen::MatrixXf chi() const { return chi_.leftCols(inputs()); }

  private:
    /// Hands the desired change dW(r, c) of one synapse to the scheme.
    void transfer(int r, int c, float dw, StepContext& ctx);
    /// Sends p pulses to synapse (r, c) (p > 0: potentiate) and takes them off chi (mca).
    void apply_pulses(int r, int c, int p, StepContext& ctx);
    /// direct with stochastic rounding: the pulses of column c from dw_ (vectorised draws).
    void round_column_stochastic(int c, StepContext& ctx);
    double eps_for(bool up) const;
    bool direct_stochastic() const {
        return kind_ == Kind::direct && scheme_.direct_rounding == "stochastic";
    }
    void count_pulses(int r, int c, int pulses);
    /// Seed 002 section 3: signed n-bit values with one shared scale and stochastic rounding.
    void quantize(const Vec& v, Vec& q, std::uint64_t step, std::uint32_t which);
    void write_time(int r, int c, float dw, StepContext& ctx);
    /// mca: recounts over_ for `band` (after chi changed outside commit_rank1).
    void count_over(TransferBand band);
    /// Programs p pulses into synapse (r, c): with several pairs, Boybat's arbiter deals them
    /// out round-robin, each pair's share in one train.
    void program_pairs(int r, int c, int p, std::uint64_t step, OpCounts& ops);
    /// W(r, c): the sum over the pairs.
    float weight(int r, int c) const;
    /// y = sum over the pairs of read(tile, y_part): the pairs' output currents add.
    template <typename Read>
    void read_sum(Eigen::Ref<Vec> y, Read&& read) const;

    /// One tile per pair of a multi-memristive synapse (tile.pairs_per_weight; usually one),
    /// each with beta / N; pair i keys its random streams by layer + i * 4096 (the generator
    /// keeps 16 bits of a layer number).
    std::vector<CrossbarTile> tiles_;
    std::uint32_t arbiter_ = 0; ///< pulses sent so far, selects the next pair
    SchemeConfig scheme_;
    /// scheme_.type, which a layer keeps for life, as a value: it is asked per transfer.
    enum class Kind { mca, direct, time };
    static Kind kind_of(const std::string& type);
    Kind kind_;
    double seconds_per_image_;
    std::uint64_t seed_;
    std::uint32_t layer_;
    /// mca: accumulated, not yet transferred weight update [weight units]; row-major with the
    /// columns padded to a multiple of 16 (zeros), so an error row updates contiguous memory.
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> chi_;
    Eigen::Matrix<std::uint16_t, Eigen::Dynamic, Eigen::Dynamic> pulses_epoch_;
    Vec xq_, dq_;         ///< quantized update-path vectors (scratch)
    Vec dw_;              ///< direct: this image's dW of one column (scratch)
    std::vector<int> nz_; ///< rows with a non-zero (quantized) error this image (scratch)
    std::vector<std::uint32_t> words_;  ///< random words of the stochastic rounding (scratch)
    Eigen::VectorXf s_;                 ///< mca: scale * x per (padded) column (scratch)
    std::vector<std::uint16_t> active_; ///< mca: driven columns, one bit each (scratch)
    std::vector<int> hits_;             ///< mca: columns of one row to transfer (scratch)
    // mca: per output row, the entries in over_band_ (transfers that left a remainder, e.g. a
    // single device's one-RESET rule): such a row is visited even when its error is zero.
    // over_band_.up < 0: stale, recount before use.
    std::vector<std::int32_t> over_;
    TransferBand over_band_;
};

} // namespace cbl
