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
    /// dw / eps, eps of the direction of dw.
    double granules(float dw) const;

  private:
    /// Stochastic rounding of row r's n candidate changes, at(i) = (column, dW / eps): every
    /// |dW / eps| is at most q. Rows with q < 1 (almost all: most dW are far below a granule)
    /// draw only where a pulse may fall, by geometric skips.
    template <typename At>
    void round_row_stochastic(int r, double q, int n, At&& at, SynapseArray& a,
                              StepContext& ctx) const;

    bool single_;
    std::uint64_t seed_;
    std::uint32_t layer_;
    double eps_up_ = 0, eps_down_ = 0;
    Rounding rounding_ = Rounding::stochastic;
    Vec dw_;                  ///< this image's dW of one column (scratch)
    std::vector<int> driven_; ///< the columns with x != 0 (scratch)
};

} // namespace cbl
