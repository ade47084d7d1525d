#pragma once
// A weight matrix on a grid of physical crossbar arrays of tile.array_rows x tile.array_cols
// devices (0 = one array as large as the matrix). Array (i, j) holds rows [i ar, (i+1) ar) and
// columns [j ac, (j+1) ac) of W. Every array does its own analog MVM with its own DACs, ADCs and
// read noise; the digital unit adds the converted partial sums (of the column blocks forward,
// of the row blocks backward) and counts the adds (OpCounts::partial_sum_adds). Programming
// addresses synapse (r, c) in the array that holds it.
#include "core/common/state_arrays.hpp"
#include "core/crossbar/crossbar_tile.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace cbl {

class TileGrid {
  public:
    /// Array k = i * col_blocks + j draws from (seed mixed with k, layer); array 0 keeps the
    /// seed itself, so a one-array grid draws exactly as a whole-matrix tile always did.
    TileGrid(int rows, int cols, const TileConfig& config, std::uint64_t seed, std::uint32_t layer);

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    int row_blocks() const { return row_blocks_; }
    int col_blocks() const { return col_blocks_; }
    const CrossbarTile& array(int i, int j) const { return arrays_[index(i, j)]; }
    const TileConfig& config() const { return arrays_.front().config(); }

    /// y = W x: each array reads its slice of x; row block i sums its arrays' outputs.
    void forward(const Eigen::Ref<const Eigen::VectorXf>& x, Eigen::Ref<Eigen::VectorXf> y,
                 std::uint64_t step, OpCounts& ops);
    /// out = W^T d: the transposed read of the same arrays, partial sums over the row blocks.
    void backward(const Eigen::Ref<const Eigen::VectorXf>& d, Eigen::Ref<Eigen::VectorXf> out,
                  std::uint64_t step, OpCounts& ops);

    /// backward() of every column of d, column p keyed by steps[p]; a one-array grid reads them
    /// together (CrossbarTile::backward_many).
    void backward_many(const Eigen::MatrixXf& d, Eigen::MatrixXf& out, const std::uint64_t* steps,
                       OpCounts& ops);
    /// Programs synapse (r, c) in the array that holds it (CrossbarTile::program).
    void program(int r, int c, int pulses, std::uint64_t step, OpCounts& ops, int train = 0);
    /// CrossbarTile::prefetch in the array that holds (r, c).
    void prefetch(int r, int c) const;
    /// Refreshes every array (CrossbarTile::refresh); returns the pairs refreshed.
    int refresh(std::uint64_t step, OpCounts& ops);

    float weight(int r, int c) const;
    /// CrossbarTile::shift_initial() of synapse (r, c) on the array that holds it.
    void shift_initial(int r, int c, double dw);
    double nominal_pulse_weight(int r, int c, bool up) const;
    float conductance_uS(int r, int c, int k) const;
    /// The whole matrix, assembled from the arrays (noise-free, drift applied).
    Eigen::MatrixXf weights() const;
    Eigen::MatrixXf g_plus_uS() const;
    Eigen::MatrixXf g_minus_uS() const;

    void advance_time(double seconds);
    double time_s() const { return arrays_.front().time_s(); }
    TileGrid at_time(double time_s) const;
    /// Each array compensates its own outputs (its own readout reference).
    void calibrate_drift_compensation();
    void clear_drift_compensation();
    /// Hot parameters for every array (CrossbarTile::configure).
    void configure(const TileConfig& tile);

    /// The N pairs of a multi-memristive synapse read as one grid (CrossbarTile::summed_reader,
    /// array by array); sync_sum() brings it up to date with the pairs.
    static TileGrid summed_reader(std::vector<TileGrid>& pairs);
    void sync_sum(std::vector<TileGrid>& pairs);
    /// Every array's state under `prefix` (one array: the tile's names directly below `prefix`,
    /// as sessions always stored them; a grid: below `prefix` + "array_<i>_<j>/").
    void save_state(const std::string& prefix, StateArrays& out) const;
    void load_state(const std::string& prefix, const StateArrays& in);

  private:
    std::size_t index(int i, int j) const { return std::size_t(i) * col_blocks_ + j; }
    int row0(int i) const { return i * array_rows_; }
    int col0(int j) const { return j * array_cols_; }
    std::string array_prefix(const std::string& prefix, int i, int j) const;
    /// Array k of every pair of a multi-memristive synapse.
    static std::vector<CrossbarTile*> arrays_at(std::vector<TileGrid>& pairs, std::size_t k);
    /// The array that holds synapse (r, c), with (r, c) made local to it; a synapse outside the
    /// matrix throws std::out_of_range naming `what`.
    struct Located {
        CrossbarTile& array;
        int r, c;
    };
    Located locate(int r, int c, const char* what);
    /// forward (transposed = false) and backward: output block o is the sum of the converted
    /// outputs of the arrays along o, added in block order.
    void read(bool transposed, const Eigen::Ref<const Eigen::VectorXf>& in,
              Eigen::Ref<Eigen::VectorXf> out, std::uint64_t step, OpCounts& ops);
    template <typename Plane>
    Eigen::MatrixXf assemble(Plane&& plane) const;

    int rows_, cols_;
    int array_rows_, array_cols_; ///< rows and columns of a full array (the last may be smaller)
    int row_blocks_, col_blocks_;
    std::vector<CrossbarTile> arrays_; ///< row-major by block: (i, j) at i * col_blocks + j
    Eigen::VectorXf part_;             ///< one array's partial sums (scratch)
};

} // namespace cbl
