#pragma once
// A network layer whose weights live on crossbar tiles, trained by one of the update schemes of
// update_scheme.hpp. Forward and backward products are crossbar reads (seed 002 Fig. 1B); the
// layer's digital unit quantizes the update path (section 3) and hands the desired change to the
// scheme, which turns it into pulses. The layer maps the weight matrix onto its tiles (a grid of
// crossbar arrays per device pair), schedules refreshes and shows pictures and traces.
#include "core/crossbar/tile_grid.hpp"
#include "core/training/device_layer.hpp"
#include "core/training/update_scheme.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace cbl {

class CrossbarLayer final : public DeviceLayer, private SynapseArray {
  public:
    CrossbarLayer(int rows, int cols, const TileConfig& tile, const SchemeConfig& scheme,
                  double seconds_per_image, std::uint64_t seed, std::uint32_t layer);
    CrossbarLayer(const CrossbarLayer& o);

    int outputs() const override { return tiles_.front().rows(); }
    int inputs() const override { return tiles_.front().cols(); }
    /// The arrays of pair `pair` (a one-pair synapse: pair 0).
    const TileGrid& grid(int pair = 0) const { return tiles_[std::size_t(pair)]; }
    void forward(const Vec& x, Vec& z, StepContext& ctx) override;
    void backward(const Vec& d, Vec& out, StepContext& ctx) override;
    void backward_many(const Matrix& D, Matrix& Out, StepContext& ctx) override;
    void forward_batch(const Matrix& x, Matrix& z, std::uint64_t eval_step) const override;
    void commit_rank1(const Vec& x, const Vec& delta, float scale, StepContext& ctx) override;
    void commit(const Matrix& dW, StepContext& ctx) override;
    void end_of_image(StepContext& ctx) override;
    std::unique_ptr<WeightLayer<float>> clone() const override;
    void save_state(const std::string& prefix, StateArrays& out) const override;
    void load_state(const std::string& prefix, const StateArrays& in) override;
    Matrix weights() const override;
    void shift_initial(int r, int c, double value) override;

    void fill_picture(LayerPicture& p) const override;
    SynapseReading read_synapse(int row, int col) const override;
    void apply_hot(const SchemeConfig& scheme, const TileConfig& tile) override;
    void set_seconds_per_image(double seconds) override;
    void age(double seconds, bool drift_compensation) override;
    void clear_epoch_pulses() override { pulses_epoch_.setZero(); }

    const UpdateScheme& scheme() const { return *scheme_; }

  private:
    // SynapseArray: what the scheme programs.
    int rows() const override { return outputs(); }
    int cols() const override { return inputs(); }
    int program(int r, int c, int pulses, StepContext& ctx, int train) override;
    void prefetch(int r, int c) const override;
    float weight(int r, int c) const override;
    double nominal_pulse_weight(int r, int c, bool up) const override;
    bool rows_program_concurrently() const override { return tiles_.size() == 1; }

    void count_pulses(int r, int c, int pulses);
    /// Seed 002 section 3: signed n-bit values with one shared scale and stochastic rounding.
    void quantize(const Vec& v, Vec& q, std::uint64_t step, std::uint32_t which);
    /// The grid that reads the matrix: the one pair's, or the pairs' sum.
    TileGrid& reads() { return sum_.empty() ? tiles_.front() : sum_.front(); }
    const TileGrid& reads() const { return sum_.empty() ? tiles_.front() : sum_.front(); }
    /// With several pairs, the sum brought up to date after the pairs changed: every member that
    /// changes them ends with it, so reads and inference copies always see the current sum.
    void sync_sum();

    /// One grid of arrays per pair of a multi-memristive synapse (tile.pairs_per_weight;
    /// usually one), each with beta / N; pair i keys its random streams by layer + i * 4096
    /// (the generator keeps 16 bits of a layer number).
    std::vector<TileGrid> tiles_;
    /// With several pairs, the grid that reads them together (TileGrid::summed_reader); empty
    /// for one pair.
    std::vector<TileGrid> sum_;
    std::uint32_t arbiter_ = 0; ///< pulses sent so far, selects the next pair
    double beta_scale_;         ///< this layer's beta and eps over the configured ones
    SchemeConfig config_;       ///< the scheme with this layer's eps
    std::unique_ptr<UpdateScheme> scheme_;
    bool single_;      ///< single-device mapping
    bool reset_only_;  ///< a single device depressed by one RESET (PCM, seed 002 A.2.4)
    bool fixed_scale_; ///< update path: fixed full-scale ranges (else each vector's largest)
    bool nearest_;     ///< update path: round to nearest (else stochastically)
    double seconds_per_image_;
    std::uint64_t seed_;
    std::uint32_t layer_;
    Eigen::Matrix<std::uint16_t, Eigen::Dynamic, Eigen::Dynamic> pulses_epoch_;
    Vec xq_, dq_;         ///< quantized update-path vectors (scratch)
    std::vector<int> nz_; ///< rows with a non-zero (quantized) error this image (scratch)
    std::vector<std::uint32_t> words_; ///< random words of the stochastic rounding (scratch)
    std::vector<std::uint64_t> keys_;  ///< read-noise keys of the positions (scratch)

    /// Copies of the arrays for inference reads (forward_batch). Evaluation reads the arrays as
    /// training would but must not touch training's read caches, so it reads a copy; a copy stays
    /// good until the arrays change (every member that can change them drops the copies; the
    /// scheme's program() calls come only through commit, commit_rank1 and end_of_image), so a
    /// sequence model, which reads once per character, copies the layer once per evaluation,
    /// not once per step.
    /// Concurrent readers (Network::evaluate's chunks) take a copy each.
    class ReaderCopies {
      public:
        using Copy = std::unique_ptr<TileGrid>;
        Copy take(const TileGrid& grid) const;
        void give_back(Copy copy) const;
        void drop() { free_.clear(); }

      private:
        mutable std::mutex lock_;
        mutable std::vector<Copy> free_;
    };
    ReaderCopies readers_;
};

} // namespace cbl
