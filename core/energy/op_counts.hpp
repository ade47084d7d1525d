#pragma once
// Operation counts: what actually happened in the hardware being simulated, per training stage.
// Tiles, training schemes and the network add to these; the energy ledger (core/energy) turns
// them into joules and seconds with a technology preset (seed 002 Table 1, seed 001).
#include <array>
#include <cstdint>

namespace cbl {

enum class Stage : int { forward = 0, backward = 1, update = 2, refresh = 3 };
inline constexpr int stage_count = 4;
inline constexpr std::array<const char*, stage_count> stage_names{"forward", "backward", "update",
                                                                  "refresh"};

/// Counts of one stage. All are plain event counts (dimensionless).
struct OpCounts {
    std::uint64_t mvms = 0;                ///< crossbar matrix-vector products issued
    std::uint64_t device_reads = 0;        ///< device (cell) reads: driven rows x read columns
    std::uint64_t dac_conversions = 0;     ///< input conversions (one per driven line per cycle)
    std::uint64_t adc_conversions = 0;     ///< output conversions
    std::uint64_t adc_bit_conversions = 0; ///< sum over conversions of the ADC resolution [bits]
    std::uint64_t digital_macs = 0;        ///< multiply-accumulates in the digital unit
    std::uint64_t activations = 0;         ///< nonlinearity / derivative evaluations
    std::uint64_t chi_reads = 0;           ///< chi-memory reads (seed 002: 32-bit accumulator)
    std::uint64_t chi_writes = 0;          ///< chi-memory writes
    std::uint64_t set_pulses = 0;          ///< SET / potentiation programming pulses
    std::uint64_t reset_pulses = 0;        ///< RESET / depression programming pulses
    std::uint64_t verify_reads = 0;        ///< program-and-verify reads
    std::uint64_t refreshed_pairs = 0;     ///< synapses re-programmed by a refresh
    std::uint64_t shift_adds = 0;          ///< shift-and-add of bit-serial/bit-sliced partial sums
    /// digital adds of the partial sums of a matrix split over several crossbar arrays
    std::uint64_t partial_sum_adds = 0;

    OpCounts& operator+=(const OpCounts& o) {
        mvms += o.mvms;
        device_reads += o.device_reads;
        dac_conversions += o.dac_conversions;
        adc_conversions += o.adc_conversions;
        adc_bit_conversions += o.adc_bit_conversions;
        digital_macs += o.digital_macs;
        activations += o.activations;
        chi_reads += o.chi_reads;
        chi_writes += o.chi_writes;
        set_pulses += o.set_pulses;
        reset_pulses += o.reset_pulses;
        verify_reads += o.verify_reads;
        refreshed_pairs += o.refreshed_pairs;
        shift_adds += o.shift_adds;
        partial_sum_adds += o.partial_sum_adds;
        return *this;
    }
    bool operator==(const OpCounts&) const = default;
};

static_assert(sizeof(OpCounts) == 15 * sizeof(std::uint64_t),
              "a new OpCounts field must be added to op_count_values/op_counts_from_values");

/// The fields of OpCounts in declaration order (sessions store them as one array).
inline std::array<std::uint64_t, 15> op_count_values(const OpCounts& c) {
    return {
        c.mvms,         c.device_reads, c.dac_conversions, c.adc_conversions, c.adc_bit_conversions,
        c.digital_macs, c.activations,  c.chi_reads,       c.chi_writes,      c.set_pulses,
        c.reset_pulses, c.verify_reads, c.refreshed_pairs, c.shift_adds,      c.partial_sum_adds};
}
inline OpCounts op_counts_from_values(const std::uint64_t* v) {
    OpCounts c;
    c.mvms = v[0];
    c.device_reads = v[1];
    c.dac_conversions = v[2];
    c.adc_conversions = v[3];
    c.adc_bit_conversions = v[4];
    c.digital_macs = v[5];
    c.activations = v[6];
    c.chi_reads = v[7];
    c.chi_writes = v[8];
    c.set_pulses = v[9];
    c.reset_pulses = v[10];
    c.verify_reads = v[11];
    c.refreshed_pairs = v[12];
    c.shift_adds = v[13];
    c.partial_sum_adds = v[14];
    return c;
}

/// Counts of all stages.
struct StageCounts {
    std::array<OpCounts, stage_count> stage{};
    OpCounts& operator[](Stage s) { return stage[static_cast<int>(s)]; }
    const OpCounts& operator[](Stage s) const { return stage[static_cast<int>(s)]; }
    StageCounts& operator+=(const StageCounts& o) {
        for (int i = 0; i < stage_count; ++i)
            stage[i] += o.stage[i];
        return *this;
    }
    bool operator==(const StageCounts&) const = default;
};

} // namespace cbl
