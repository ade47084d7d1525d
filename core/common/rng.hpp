#pragma once
// Counter-based random numbers (Random123 Philox4x32-10).
// Every draw is a pure function of (seed, stream, step, index): results do not depend on the
// number of threads or on the order in which work items run (ARCHITECTURE.md, "Determinism").
#include <Random123/boxmuller.hpp>
#include <Random123/philox.h>
#include <Random123/uniform.hpp>

#include <cstdint>

namespace cbl {

/// Named streams keep unrelated random decisions independent even with equal counters.
enum class RngStream : std::uint32_t {
    init = 1,          ///< initial weights / conductances
    shuffle = 2,       ///< dataset order per epoch
    program = 3,       ///< stochastic conductance change of a programming pulse
    read_noise = 4,    ///< read noise of an MVM
    variability = 5,   ///< device-to-device parameter draws (fixed per device)
    quantize = 6,      ///< stochastic rounding of the quantized update path
    dataset = 7,       ///< synthetic dataset generation
    drift = 8,         ///< per-device drift exponents
    characterise = 9,  ///< device characterisation runs
    evaluate = 10,     ///< read noise during evaluation after training
};

/// One counter-based generator position: key = (seed, stream|layer), counter = (step, index).
class CounterRng {
  public:
    using Philox = r123::Philox4x32;

    CounterRng(std::uint64_t seed, RngStream stream, std::uint32_t layer = 0)
        : key_{{static_cast<std::uint32_t>(seed),
                 static_cast<std::uint32_t>(seed >> 32) ^
                     ((static_cast<std::uint32_t>(stream) << 16) | (layer & 0xffffu))}} {}

    /// Four independent 32-bit words for (step, index, sub).
    Philox::ctr_type block(std::uint64_t step, std::uint32_t index, std::uint32_t sub = 0) const {
        Philox::ctr_type ctr = {{static_cast<std::uint32_t>(step),
                                 static_cast<std::uint32_t>(step >> 32), index, sub}};
        return Philox()(ctr, key_);
    }

    /// Uniform in (0, 1].
    double uniform(std::uint64_t step, std::uint32_t index, std::uint32_t sub = 0) const {
        const auto r = block(step, index, sub);
        return r123::u01<double>(r[0]);
    }

    /// Two independent standard normals (Box-Muller on one Philox block).
    r123::double2 normal2(std::uint64_t step, std::uint32_t index, std::uint32_t sub = 0) const {
        const auto r = block(step, index, sub);
        const std::uint64_t a = (std::uint64_t(r[0]) << 32) | r[1];
        const std::uint64_t b = (std::uint64_t(r[2]) << 32) | r[3];
        return r123::boxmuller(a, b);
    }

    double normal(std::uint64_t step, std::uint32_t index, std::uint32_t sub = 0) const {
        return normal2(step, index, sub).x;
    }

  private:
    Philox::key_type key_;
};

} // namespace cbl
