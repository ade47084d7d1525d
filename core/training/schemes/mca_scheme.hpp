#pragma once
// "mca": seed 002's mixed-precision architecture. dW accumulates in chi (chi_accumulator.hpp);
// p = trunc(chi / eps) blind pulses are sent once an entry reaches a granule, chi -= p eps
// (Fig. 1B). On the differential mapping a potentiation is a SET of G+, a depression a SET of G-.
// On the single mapping (mca-single, section 2.3 / A.2.4) the one device is SET with granule
// eps_up and depressed with granule eps_down; a single PCM device can only be depressed by one
// RESET, so chi keeps whatever that RESET did not take.
#include "core/training/chi_accumulator.hpp"
#include "core/training/update_scheme.hpp"

namespace cbl {

class McaScheme final : public UpdateScheme {
  public:
    McaScheme(const SchemeConfig& c, int rows, int cols, bool single);
    std::unique_ptr<UpdateScheme> clone() const override;
    void commit_rank1(const Vec& x, const Vec& delta, float scale, const std::vector<int>& nz,
                      SynapseArray& a, StepContext& ctx) override;
    void commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) override;
    void configure(const SchemeConfig& c) override;
    void save_state(const std::string& prefix, StateArrays& out) const override;
    void load_state(const std::string& prefix, const StateArrays& in) override;
    void fill_picture(LayerPicture& p) const override;

    const ChiAccumulator& chi() const { return chi_; }

  private:
    /// Sends the pulses chi(r, c) asks for and takes what was sent off chi.
    void transfer(int r, int c, SynapseArray& a, StepContext& ctx);
    /// The chi entries transfer() may act on: the float granules hold every chi with
    /// trunc(chi / eps) != 0 (float(eps) is the float nearest eps).
    TransferBand band() const { return {float(eps_up_), float(eps_down_)}; }

    bool single_;
    double eps_up_ = 0, eps_down_ = 0;
    ChiAccumulator chi_;
};

} // namespace cbl
