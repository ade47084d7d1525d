#pragma once
// Seed 002's chi: the high-precision (digital, 32-bit) accumulator of the mixed-precision
// architecture (Fig. 1B). Every desired change is added to chi; when an entry reaches a device
// granule eps, p = trunc(chi / eps) blind pulses are sent and chi -= p eps, so what a pulse cannot
// resolve is carried to later images instead of being lost (section 2.3).
//
// The entries a transfer acts on lie in the transfer band, chi >= eps_up (potentiate) or
// chi <= -eps_down (depress); on the differential mapping eps_up = eps_down = eps, a single
// device has its own SET and RESET granules (A.2.4).
#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace cbl {

/// The chi entries a transfer acts on: chi >= up (potentiate) or chi <= -down (depress).
struct TransferBand {
    float up = -1, down = -1; ///< -1: not set
    bool holds(float chi) const { return chi >= up || chi <= -down; }
    bool operator==(const TransferBand&) const = default;
};

class ChiAccumulator {
  public:
    ChiAccumulator() = default;
    ChiAccumulator(int rows, int cols);

    int rows() const { return int(chi_.rows()); }
    int cols() const { return cols_; }
    float operator()(int r, int c) const { return chi_(r, c); }
    /// chi as an rows x cols matrix (weight units).
    Eigen::MatrixXf matrix() const { return chi_.leftCols(cols_); }
    void set(const Eigen::MatrixXf& chi);

    /// chi(r, c) += dw; returns the new value.
    float add(int r, int c, float dw) { return chi_(r, c) += dw; }
    /// Fig. 1B: the pulses chi(r, c) asks for, trunc(chi / eps) with eps = eps_up above zero and
    /// eps_down below (the caller bounds them).
    double granules(int r, int c, double eps_up, double eps_down) const {
        const double chi = chi_(r, c);
        return chi / (chi > 0 ? eps_up : eps_down);
    }
    /// Fig. 1B: chi -= p eps once p pulses of granule eps were sent.
    void take(int r, int c, int sent, double eps) { chi_(r, c) -= static_cast<float>(sent * eps); }

    /// chi += scale * delta x^T, only on the driven entries (x != 0, delta != 0: seed 002 sec. 3
    /// computes only the non-zero products), then transfer(r, c) for every driven entry in
    /// `band`, rows ascending and within a row columns ascending (so every per-row sum of the
    /// tile adds in one fixed order). Rows whose entries are still in the band after a transfer
    /// (a remainder, e.g. a single device's one-RESET rule) are revisited on later calls even
    /// with a zero error.
    template <typename Transfer>
    void accumulate_rank1(const Eigen::VectorXf& x, const Eigen::VectorXf& delta, float scale,
                          TransferBand band, Transfer&& transfer);

    /// chi changed outside accumulate_rank1: the per-row band counts are recounted on next use.
    void invalidate_band() { over_band_ = {}; }

  private:
    /// Sets s_ = scale * x (zero in the padding) and active_ (driven columns, 16 per word).
    void drive(const Eigen::VectorXf& x, float scale);
    /// Accumulates row r with error d (see accumulate_row in the .cpp); lists the driven
    /// in-band columns in hits_. Returns the change of the row's in-band count.
    int accumulate_row(int r, float d, TransferBand band, int& n_hits);
    void count_over(TransferBand band);

    /// Row-major with the columns padded to a multiple of 16 (zeros), so an error row updates
    /// contiguous memory.
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> chi_;
    int cols_ = 0;
    Eigen::VectorXf s_;                 ///< scale * x per (padded) column (scratch)
    std::vector<std::uint16_t> active_; ///< driven columns, one bit each (scratch)
    std::vector<int> hits_;             ///< columns of one row to transfer (scratch)
    /// Per row the entries in over_band_: such a row is visited even when its error is zero.
    /// over_band_.up < 0: stale, recount before use.
    std::vector<std::int32_t> over_;
    TransferBand over_band_;
};

template <typename Transfer>
void ChiAccumulator::accumulate_rank1(const Eigen::VectorXf& x, const Eigen::VectorXf& delta,
                                      float scale, TransferBand band, Transfer&& transfer) {
    drive(x, scale);
    // chi is row-major: an error row updates one contiguous row of chi. A zero error leaves chi
    // exactly as it is (chi + s * 0 = chi; chi is never -0) and an undriven column (s = +-0) too,
    // so only the non-zero error rows are visited, plus rows that still hold entries in the band
    // (they are examined again when their column is driven). chi += s d is one fused
    // multiply-add per entry.
    if (over_band_ != band) count_over(band);
    const float* d = delta.data();
    for (int r = 0; r < rows(); ++r) {
        if (d[r] == 0 && over_[std::size_t(r)] == 0) continue;
        int n_hits = 0;
        int left = over_[std::size_t(r)] + accumulate_row(r, d[r], band, n_hits);
        for (int h = 0; h < n_hits; ++h) {
            const int c = hits_[std::size_t(h)];
            transfer(r, c);
            left -= !band.holds(chi_(r, c));
        }
        over_[std::size_t(r)] = left;
    }
}

} // namespace cbl
