#include "core/crossbar/tile_grid.hpp"

#include "core/common/param_error.hpp"

#include <stdexcept>

namespace cbl {

namespace {

/// Array k's seed: SplitMix64's finaliser of k mixed into the layer's seed, so arrays draw
/// independent devices and noise (the RNG key has no bits left beside layer and pair); k = 0
/// keeps the seed, so a one-array grid is the whole-matrix tile.
std::uint64_t array_seed(std::uint64_t seed, std::uint64_t k) {
    if (k == 0) return seed;
    std::uint64_t z = k * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return seed ^ z ^ (z >> 31);
}

int blocks(int n, int per_array) {
    return (n + per_array - 1) / per_array;
}

// The tile's state arrays by session name (synapse order s = c * rows + r) and their units.
template <typename State, typename F>
void for_each_tile_array(State& s, F&& f) {
    f("g_plus", s.g_plus_uS, "uS");
    f("g_minus", s.g_minus_uS, "uS");
    f("t_p_plus", s.t_p_plus_s, "s");
    f("t_p_minus", s.t_p_minus_s, "s");
    f("n_plus", s.n_plus, "pulses");
    f("n_minus", s.n_minus, "pulses");
    f("nu_plus_code", s.nu_plus, "code");
    f("nu_minus_code", s.nu_minus, "code");
    f("cache_w", s.cache_w, "weight");
    f("cache_sigma_code", s.cache_sigma_code, "code");
    f("cache_row_sum", s.cache_row_sum, "weight");
}

void save_tile(const CrossbarTile& tile, const std::string& p, StateArrays& out) {
    const TileState s = tile.state();
    // Per-device planes are stored as [inputs][outputs] (synapse order), other arrays flat.
    const std::size_t n = std::size_t(s.rows) * std::size_t(s.cols);
    for_each_tile_array(s, [&](const char* name, const auto& v, const char* unit) {
        put_array(out, p + name, v,
                  v.size() == n ? std::vector<std::size_t>{std::size_t(s.cols), std::size_t(s.rows)}
                                : std::vector<std::size_t>{v.size()},
                  unit);
    });
    put_array(
        out, p + "tile_times",
        std::vector<double>{s.time_s, s.cache_time_s, s.cache_min_age_s, s.cache_first_program_s},
        {4}, "s");
    put_array(out, p + "drift_reference", std::vector<double>{s.drift_compensation_ref}, {1},
              "weight");
}

void load_tile(CrossbarTile& tile, const std::string& p, const StateArrays& in) {
    TileState s;
    s.rows = tile.rows();
    s.cols = tile.cols();
    for_each_tile_array(s, [&](const char* name, auto& dst, const char*) {
        const auto it = in.find(p + name);
        if (it == in.end()) throw InputError("session state: " + p + name + " is missing");
        const auto* v = std::get_if<std::decay_t<decltype(dst)>>(&it->second.data);
        if (!v) throw InputError("session state: " + p + name + " has the wrong element type");
        dst = *v;
    });
    const auto& times = get_array<double>(in, p + "tile_times", 4);
    s.time_s = times[0];
    s.cache_time_s = times[1];
    s.cache_min_age_s = times[2];
    s.cache_first_program_s = times[3];
    s.drift_compensation_ref = get_array<double>(in, p + "drift_reference", 1)[0];
    tile.restore(s); // validates every array's size against the tile
}

} // namespace

TileGrid::TileGrid(int rows, int cols, const TileConfig& config, std::uint64_t seed,
                   std::uint32_t layer)
    : rows_(rows), cols_(cols),
      array_rows_(config.array_rows > 0 ? std::min(config.array_rows, rows) : rows),
      array_cols_(config.array_cols > 0 ? std::min(config.array_cols, cols) : cols),
      row_blocks_(blocks(rows, array_rows_)), col_blocks_(blocks(cols, array_cols_)) {
    require_range("tile.rows_out", rows, 1, 1 << 16);
    require_range("tile.cols_in", cols, 1, 1 << 16);
    arrays_.reserve(std::size_t(row_blocks_) * col_blocks_);
    for (int i = 0; i < row_blocks_; ++i)
        for (int j = 0; j < col_blocks_; ++j)
            arrays_.emplace_back(std::min(array_rows_, rows - row0(i)),
                                 std::min(array_cols_, cols - col0(j)), config,
                                 array_seed(seed, index(i, j)), layer);
}

void TileGrid::read(bool transposed, const Eigen::Ref<const Eigen::VectorXf>& in,
                    Eigen::Ref<Eigen::VectorXf> out, std::uint64_t step, OpCounts& ops) {
    if (in.size() != (transposed ? rows_ : cols_) || out.size() != (transposed ? cols_ : rows_))
        throw std::invalid_argument(
            "TileGrid: read of " + std::to_string(in.size()) + " -> " + std::to_string(out.size()) +
            " values on a " + std::to_string(rows_) + " x " + std::to_string(cols_) + " matrix");
    const int outer = transposed ? col_blocks_ : row_blocks_;
    const int inner = transposed ? row_blocks_ : col_blocks_;
    for (int o = 0; o < outer; ++o)
        for (int n = 0; n < inner; ++n) {
            const int i = transposed ? n : o, j = transposed ? o : n;
            CrossbarTile& t = arrays_[index(i, j)];
            const auto src =
                transposed ? in.segment(row0(i), t.rows()) : in.segment(col0(j), t.cols());
            auto dst = transposed ? out.segment(col0(j), t.cols()) : out.segment(row0(i), t.rows());
            const auto mvm = [&](Eigen::Ref<Eigen::VectorXf> y) {
                if (transposed)
                    t.backward(src, y, step, ops);
                else
                    t.forward(src, y, step, ops);
            };
            if (n == 0) {
                mvm(dst);
                continue;
            }
            // The digital unit adds this array's converted outputs to the block's sum.
            part_.resize(dst.size());
            mvm(part_);
            dst += part_;
            ops.partial_sum_adds += std::uint64_t(dst.size());
        }
}

void TileGrid::forward(const Eigen::Ref<const Eigen::VectorXf>& x, Eigen::Ref<Eigen::VectorXf> y,
                       std::uint64_t step, OpCounts& ops) {
    read(false, x, y, step, ops);
}

void TileGrid::backward(const Eigen::Ref<const Eigen::VectorXf>& d, Eigen::Ref<Eigen::VectorXf> out,
                        std::uint64_t step, OpCounts& ops) {
    read(true, d, out, step, ops);
}

void TileGrid::backward_many(const Eigen::MatrixXf& d, Eigen::MatrixXf& out,
                             const std::uint64_t* steps, OpCounts& ops) {
    out.resize(cols_, d.cols());
    if (arrays_.size() == 1) {
        arrays_.front().backward_many(d, out, steps, ops);
        return;
    }
    for (Eigen::Index p = 0; p < d.cols(); ++p)
        read(true, d.col(p), out.col(p), steps[p], ops);
}

std::vector<CrossbarTile*> TileGrid::arrays_at(std::vector<TileGrid>& pairs, std::size_t k) {
    std::vector<CrossbarTile*> at;
    for (TileGrid& g : pairs)
        at.push_back(&g.arrays_[k]);
    return at;
}

TileGrid TileGrid::summed_reader(std::vector<TileGrid>& pairs) {
    TileGrid sum = pairs.front();
    for (std::size_t k = 0; k < sum.arrays_.size(); ++k)
        sum.arrays_[k] = CrossbarTile::summed_reader(arrays_at(pairs, k));
    return sum;
}

void TileGrid::sync_sum(std::vector<TileGrid>& pairs) {
    for (std::size_t k = 0; k < arrays_.size(); ++k)
        arrays_[k].sync_sum(arrays_at(pairs, k));
}

TileGrid::Located TileGrid::locate(int r, int c, const char* what) {
    if (r < 0 || r >= rows_ || c < 0 || c >= cols_)
        throw std::out_of_range(std::string("TileGrid::") + what + ": synapse (" +
                                std::to_string(r) + ", " + std::to_string(c) +
                                ") outside the matrix");
    const int i = r / array_rows_, j = c / array_cols_;
    return {arrays_[index(i, j)], r - row0(i), c - col0(j)};
}

void TileGrid::program(int r, int c, int pulses, std::uint64_t step, OpCounts& ops, int train) {
    const Located at = locate(r, c, "program");
    at.array.program(at.r, at.c, pulses, step, ops, train);
}

void TileGrid::prefetch(int r, int c) const {
    if (r < 0 || r >= rows_ || c < 0 || c >= cols_) return;
    const int i = r / array_rows_, j = c / array_cols_;
    arrays_[index(i, j)].prefetch(r - row0(i), c - col0(j));
}

int TileGrid::refresh(std::uint64_t step, OpCounts& ops) {
    int refreshed = 0;
    for (CrossbarTile& t : arrays_)
        refreshed += t.refresh(step, ops);
    return refreshed;
}

void TileGrid::shift_initial(int r, int c, double dw) {
    const Located at = locate(r, c, "shift_initial");
    at.array.shift_initial(at.r, at.c, dw);
}

float TileGrid::weight(int r, int c) const {
    const int i = r / array_rows_, j = c / array_cols_;
    return arrays_[index(i, j)].weight(r - row0(i), c - col0(j));
}

double TileGrid::nominal_pulse_weight(int r, int c, bool up) const {
    const int i = r / array_rows_, j = c / array_cols_;
    return arrays_[index(i, j)].nominal_pulse_weight(r - row0(i), c - col0(j), up);
}

float TileGrid::conductance_uS(int r, int c, int k) const {
    const int i = r / array_rows_, j = c / array_cols_;
    return arrays_[index(i, j)].conductance_uS(r - row0(i), c - col0(j), k);
}

template <typename Plane>
Eigen::MatrixXf TileGrid::assemble(Plane&& plane) const {
    if (arrays_.size() == 1) return plane(arrays_.front());
    Eigen::MatrixXf m(rows_, cols_);
    for (int i = 0; i < row_blocks_; ++i)
        for (int j = 0; j < col_blocks_; ++j) {
            const CrossbarTile& t = arrays_[index(i, j)];
            m.block(row0(i), col0(j), t.rows(), t.cols()) = plane(t);
        }
    return m;
}

Eigen::MatrixXf TileGrid::weights() const {
    return assemble([](const CrossbarTile& t) { return t.weights(); });
}

Eigen::MatrixXf TileGrid::g_plus_uS() const {
    return assemble([](const CrossbarTile& t) { return t.g_plus_uS(); });
}

Eigen::MatrixXf TileGrid::g_minus_uS() const {
    return assemble([](const CrossbarTile& t) { return t.g_minus_uS(); });
}

void TileGrid::advance_time(double seconds) {
    for (CrossbarTile& t : arrays_)
        t.advance_time(seconds);
}

TileGrid TileGrid::at_time(double time_s) const {
    TileGrid copy = *this;
    for (CrossbarTile& t : copy.arrays_)
        t = t.at_time(time_s);
    return copy;
}

void TileGrid::calibrate_drift_compensation() {
    for (CrossbarTile& t : arrays_)
        t.calibrate_drift_compensation();
}

void TileGrid::clear_drift_compensation() {
    for (CrossbarTile& t : arrays_)
        t.clear_drift_compensation();
}

void TileGrid::configure(const TileConfig& tile) {
    for (CrossbarTile& t : arrays_)
        t.configure(tile);
}

std::string TileGrid::array_prefix(const std::string& prefix, int i, int j) const {
    if (arrays_.size() == 1) return prefix;
    return prefix + "array_" + std::to_string(i) + "_" + std::to_string(j) + "/";
}

void TileGrid::save_state(const std::string& prefix, StateArrays& out) const {
    for (int i = 0; i < row_blocks_; ++i)
        for (int j = 0; j < col_blocks_; ++j)
            save_tile(arrays_[index(i, j)], array_prefix(prefix, i, j), out);
}

void TileGrid::load_state(const std::string& prefix, const StateArrays& in) {
    for (int i = 0; i < row_blocks_; ++i)
        for (int j = 0; j < col_blocks_; ++j)
            load_tile(arrays_[index(i, j)], array_prefix(prefix, i, j), in);
}

} // namespace cbl
