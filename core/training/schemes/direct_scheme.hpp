#pragma once
// "direct": each image's dW becomes pulses at once, without an accumulator; whatever the rounding
// drops is lost (seed 002 section 2.3: about 83 % on MNIST against the mixed-precision 98 %).
#include "core/training/update_scheme.hpp"

#include <cstdint>
#include <vector>

namespace cbl {

class DirectScheme final : public UpdateScheme {
  public:
    /// How dW / eps becomes a whole number of pulses.
    enum class Rounding {
        nearest,   ///< p = round(dW / eps)
        truncate,  ///< p = trunc(dW / eps): the MCA rule without chi
        stochastic ///< p = floor(dW / eps + u), u ~ U(0, 1): right in expectation
    };

    DirectScheme(const SchemeConfig& c, bool single, std::uint64_t seed, std::uint32_t layer);
    std::unique_ptr<UpdateScheme> clone() const override;
    void commit_rank1(const Vec& x, const Vec& delta, float scale, const std::vector<int>& nz,
                      SynapseArray& a, StepContext& ctx) override;
    void commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) override;
    void configure(const SchemeConfig& c) override;

    /// The pulses of one desired change dw with the deterministic roundings.
    int pulses(float dw) const;

  private:
    /// The pulses of column c from dw_ with stochastic rounding (vectorised draws).
    void round_column_stochastic(int c, SynapseArray& a, StepContext& ctx);

    bool single_;
    std::uint64_t seed_;
    std::uint32_t layer_;
    double eps_up_ = 0, eps_down_ = 0;
    Rounding rounding_ = Rounding::stochastic;
    Vec dw_;                           ///< this image's dW of one column (scratch)
    std::vector<std::uint32_t> words_; ///< random words of the stochastic rounding (scratch)
    Eigen::VectorXd pulses_;           ///< stochastic rounding: the pulses of one column (scratch)
    std::vector<std::uint64_t> nonzero_; ///< rows of pulses_ with p != 0, one bit each (scratch)
};

} // namespace cbl
