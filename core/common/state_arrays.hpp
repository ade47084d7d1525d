#pragma once
// Named flat arrays of simulation state (weights, conductances, chi, counters): the unit in which
// layers hand their state to sessions and take it back.
#include "core/common/param_error.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace cbl {

/// One array of state, row-major with the given shape, and the unit of its values.
struct StateArray {
    std::vector<std::size_t> shape;
    std::variant<std::vector<float>, std::vector<double>, std::vector<std::uint8_t>,
                 std::vector<std::int32_t>, std::vector<std::uint32_t>, std::vector<std::uint64_t>>
        data;
    std::string unit; ///< e.g. "uS", "s", "weight", "" for counts

    bool operator==(const StateArray&) const = default;
};

/// Arrays by path, e.g. "layer_0/g_plus" (the session's /state group mirrors these paths).
using StateArrays = std::map<std::string, StateArray>;

/// Stores a vector under `path`.
template <typename T>
void put_array(StateArrays& a, const std::string& path, std::vector<T> values,
               std::vector<std::size_t> shape, std::string unit = "") {
    a[path] = StateArray{std::move(shape), std::move(values), std::move(unit)};
}

/// Fetches the array at `path` of any length, checking its element type; throws InputError
/// otherwise.
template <typename T>
const std::vector<T>& get_array(const StateArrays& a, const std::string& path) {
    const auto it = a.find(path);
    if (it == a.end()) throw InputError("session state: " + path + " is missing");
    const auto* v = std::get_if<std::vector<T>>(&it->second.data);
    if (!v) throw InputError("session state: " + path + " has the wrong element type");
    return *v;
}

/// Fetches the array at `path`, checking element type and count; throws InputError otherwise.
template <typename T>
const std::vector<T>& get_array(const StateArrays& a, const std::string& path, std::size_t count) {
    const std::vector<T>& v = get_array<T>(a, path);
    if (v.size() != count)
        throw InputError("session state: " + path + " holds " + std::to_string(v.size()) +
                         " values, expected " + std::to_string(count));
    return v;
}

/// Stores an Eigen matrix row-major (as h5py and numpy expect) with shape {rows, cols}.
template <typename Derived>
void put_matrix(StateArrays& a, const std::string& path, const Eigen::MatrixBase<Derived>& m,
                std::string unit = "") {
    using T = typename Derived::Scalar;
    Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m;
    put_array(a, path, std::vector<T>(rm.data(), rm.data() + rm.size()),
              {std::size_t(m.rows()), std::size_t(m.cols())}, std::move(unit));
}

/// Fills `m` (already sized) from a row-major array stored by put_matrix.
template <typename T>
void get_matrix(const StateArrays& a, const std::string& path,
                Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& m) {
    const auto& v = get_array<T>(a, path, std::size_t(m.size()));
    m = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        v.data(), m.rows(), m.cols());
}

} // namespace cbl
