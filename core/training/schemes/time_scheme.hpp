#pragma once
// "time": seed 000's training-in-memory on RRAM. The update is tuned into the array by the write
// circuits, with one of three write schemes (seed 000, "variability-free tuning"):
//  - verify:   classic write-and-verify, one pulse then a read back, until within the band;
//  - gradual:  one open-loop train of nominal-size pulses (eps), no verify;
//  - tolerant: one read, then one train sized from this device's step at the conductance read
//              on the nominal curve, rounded stochastically; no verify loop (TIME's full text
//              is not reachable here: README, "Tuning", says what this assumes).
// Changes below half a programming granule cannot be resolved and are not written.
//
// With update_location = array the digital unit forms no product at all: TIME's abstract puts
// "back-propagation and weight update inside the array, reusing the inference circuits"; its
// circuit is not reachable here, so this takes the published crossbar-compatible form of that
// update, the stochastic coincidence rule of Gokmen & Vlasov (Front. Neurosci. 10:333, 2016,
// eq. 2-3). Per sample, each input line c carries a train of BL slots, pulsing in a slot with
// probability p_c = min(1, C |x_c|), each output line r one with q_r = min(1, D |delta_r|); a
// cell gets one blind pulse (of the sign of scale x_c delta_r) per slot where both its lines
// pulse. With C D = |scale| / (BL eps) an ideal device of granule eps moves on average by
// scale delta_r x_c (unclipped). C = sqrt(|scale| / (BL eps)) as Gokmen & Vlasov; on the single
// mapping D is taken per direction (eps_up, eps_down). A negative x is driven in a second phase
// with the opposite polarity. The write schemes (verify, tolerant) play no part: no verify read.
#include "core/training/update_scheme.hpp"

namespace cbl {

class TimeScheme final : public UpdateScheme {
  public:
    enum class Write { verify, gradual, tolerant };

    /// (seed, layer) key the tolerant write's rounding draws.
    TimeScheme(const SchemeConfig& c, bool single, std::uint64_t seed, std::uint32_t layer);
    std::unique_ptr<UpdateScheme> clone() const override;
    void commit_rank1(const Vec& x, const Vec& delta, float scale, const std::vector<int>& nz,
                      SynapseArray& a, StepContext& ctx) override;
    void commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) override;
    void configure(const SchemeConfig& c) override;
    bool forms_update_in_array() const override { return in_array_; }

    /// Writes the change dw into synapse (r, c) with the configured write scheme.
    void write(int r, int c, float dw, SynapseArray& a, StepContext& ctx) const;

  private:
    /// The coincidence update of dW = scale delta x^T (update_location = array).
    void update_in_array(const Vec& x, const Vec& delta, float scale, SynapseArray& a,
                         StepContext& ctx);
    /// Line `line`'s train of `train_length_` slots, each set with probability p (bit t = slot t).
    std::uint64_t train(double p, std::uint64_t step, std::uint32_t line, std::uint32_t kind) const;

    bool single_;
    std::uint64_t seed_;
    std::uint32_t layer_;
    double eps_ = 0;
    double eps_up_ = 0, eps_down_ = 0; ///< nominal granule of a potentiating / depressing pulse
    float threshold_ = 0;              ///< half the smaller granule: smaller dW are not written
    double tolerance_ = 0;
    int max_iterations_ = 0;
    Write write_ = Write::tolerant;
    bool in_array_ = false;
    int train_length_ = 0;
    std::vector<std::uint64_t> x_train_; ///< in-array update: each input line's train (scratch)
    std::vector<std::uint64_t> d_train_; ///< each output line's train, this phase (scratch)
    /// columns with a change write() acts on, or (in-array update) with a pulse (scratch)
    std::vector<int> active_;
    Vec dw_; ///< this image's dW of one column (scratch)
};

} // namespace cbl
