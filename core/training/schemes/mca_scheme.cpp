#include "core/training/schemes/mca_scheme.hpp"

namespace cbl {

McaScheme::McaScheme(const SchemeConfig& c, int rows, int cols, bool single)
    : single_(single), chi_(rows, cols) {
    configure(c);
}

std::unique_ptr<UpdateScheme> McaScheme::clone() const {
    return std::make_unique<McaScheme>(*this);
}

void McaScheme::configure(const SchemeConfig& c) {
    eps_up_ = eps_for(c, single_, true);
    eps_down_ = eps_for(c, single_, false);
}

void McaScheme::transfer(int r, int c, SynapseArray& a, StepContext& ctx) {
    const int p = bounded_pulses(std::trunc(chi_.granules(r, c, eps_up_, eps_down_)));
    if (p == 0) return;
    // A bounded transfer leaves the rest in chi for the next image (issue: eps far below the
    // device step must not send millions of pulses at once).
    const int sent = a.program(r, c, p, ctx);
    chi_.take(r, c, sent, p > 0 ? eps_up_ : eps_down_);
}

void McaScheme::commit_rank1(const Vec& x, const Vec& delta, float scale, const std::vector<int>&,
                             SynapseArray& a, StepContext& ctx) {
    chi_.accumulate_rank1(x, delta, scale, band(), [&](int r, int c) { transfer(r, c, a, ctx); });
}

void McaScheme::commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) {
    chi_.invalidate_band();
    // Only entries in the band can ask for a pulse: the rest skip the division.
    const TransferBand in = band();
    for (int c = 0; c < int(dW.cols()); ++c)
        for (int r = 0; r < int(dW.rows()); ++r) {
            const float d = dW(r, c);
            if (d != 0 && in.holds(chi_.add(r, c, d))) transfer(r, c, a, ctx);
        }
}

void McaScheme::save_state(const std::string& prefix, StateArrays& out) const {
    put_matrix(out, prefix + "chi", chi_.matrix(), "weight");
}

void McaScheme::load_state(const std::string& prefix, const StateArrays& in) {
    Eigen::MatrixXf chi(chi_.rows(), chi_.cols());
    get_matrix(in, prefix + "chi", chi);
    chi_.set(chi);
}

void McaScheme::fill_picture(LayerPicture& p) const {
    p.chi_eps.resize(chi_.rows(), chi_.cols());
    for (int c = 0; c < chi_.cols(); ++c)
        for (int r = 0; r < chi_.rows(); ++r)
            p.chi_eps(r, c) = float(chi_.granules(r, c, eps_up_, eps_down_));
}

} // namespace cbl
