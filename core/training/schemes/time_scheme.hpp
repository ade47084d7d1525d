#pragma once
// "time": seed 000's training-in-memory on RRAM. The update is tuned into the array by the write
// circuits, with one of three write schemes (seed 000, "variability-free tuning"):
//  - verify:   classic write-and-verify, one pulse then a read back, until within the band;
//  - gradual:  one open-loop train of nominal-size pulses (eps), no verify;
//  - tolerant: one read, then one train sized from this device's step at the conductance read
//              on the nominal curve, rounded stochastically; no verify loop (TIME's full text
//              is not reachable here: README, "Tuning", says what this assumes).
// Changes below half a programming granule cannot be resolved and are not written.
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

    /// Writes the change dw into synapse (r, c) with the configured write scheme.
    void write(int r, int c, float dw, SynapseArray& a, StepContext& ctx) const;

  private:
    bool single_;
    std::uint64_t seed_;
    std::uint32_t layer_;
    double eps_ = 0;
    double eps_up_ = 0, eps_down_ = 0; ///< nominal granule of a potentiating / depressing pulse
    float threshold_ = 0;              ///< half the smaller granule: smaller dW are not written
    double tolerance_ = 0;
    int max_iterations_ = 0;
    Write write_ = Write::tolerant;
    std::vector<int> active_; ///< columns with a change write() acts on (scratch)
    Vec dw_;                  ///< this image's dW of one column (scratch)
};

} // namespace cbl
