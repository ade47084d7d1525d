#pragma once
// Counter-based random numbers (Random123 Philox4x32-10).
// Every draw is a pure function of (seed, stream, step, index): results do not depend on the
// number of threads or on the order in which work items run (ARCHITECTURE.md, "Determinism").
#include <Random123/boxmuller.hpp>
#include <Random123/philox.h>
#include <Random123/uniform.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

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
    dropout = 11,      ///< dropout masks of training samples
    environment = 12,  ///< start states of reinforcement-learning episodes
    explore = 13,      ///< epsilon-greedy exploration of a DQN agent
    replay = 14,       ///< mini-batches drawn from the replay memory
    tuning = 15,       ///< stochastic rounding of TIME's variability-tolerant write
    update_train = 16, ///< stochastic pulse trains of TIME's in-array update
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
        Philox::ctr_type ctr = {
            {static_cast<std::uint32_t>(step), static_cast<std::uint32_t>(step >> 32), index, sub}};
        return Philox()(ctr, key_);
    }

    /// block(step, index0 + i, sub) for i < count, the four words of block i at out[4 i ..].
    /// Eight blocks at a time with AVX-512 (the same integer arithmetic as Random123's Philox).
    void blocks(std::uint64_t step, std::uint32_t index0, int count, std::uint32_t sub,
                std::uint32_t* out) const {
        int i = 0;
#if defined(__AVX512F__)
        for (; i + 8 <= count; i += 8) {
            __m512i c[4];
            blocks8(step, index0 + std::uint32_t(i), sub, c);
            // Interleave to out[4 j + w] = word w of block i + j.
            alignas(64) std::uint64_t w[4][8];
            for (int k = 0; k < 4; ++k)
                _mm512_store_si512(w[k], c[k]);
            for (int j = 0; j < 8; ++j)
                for (int k = 0; k < 4; ++k)
                    out[4 * (i + j) + k] = std::uint32_t(w[k][j]);
        }
#endif
        for (; i < count; ++i) {
            const auto r = block(step, index0 + std::uint32_t(i), sub);
            for (int k = 0; k < 4; ++k)
                out[4 * i + k] = r[k];
        }
    }

    /// The uniforms in (0, 1] (r123::u01<float>) of blocks (step, index0 + i, sub), i < count,
    /// for Box-Muller: a[2 i] and a[2 i + 1] from words 0 and 2 of block i, b[2 i] and
    /// b[2 i + 1] from words 1 and 3. 16 values of each at a time with AVX-512 (u01 scales by
    /// 2^-32 exactly, so one rounding either way).
    void uniform_pairs(std::uint64_t step, std::uint32_t index0, int count, std::uint32_t sub,
                       float* a, float* b) const {
        int i = 0;
#if defined(__AVX512F__)
        const __m512 scale = _mm512_set1_ps(0x1p-32f), half = _mm512_set1_ps(0x1p-33f);
        const auto u01 = [&](__m512i words) {
            return _mm512_fmadd_ps(_mm512_cvtepu32_ps(words), scale, half);
        };
        for (; i + 8 <= count; i += 8) {
            __m512i c[4];
            blocks8(step, index0 + std::uint32_t(i), sub, c);
            // Word 0 (2) in the low (high) half of each 64-bit lane: lanes 2 j and 2 j + 1.
            _mm512_storeu_ps(a + 2 * i, u01(_mm512_or_si512(c[0], _mm512_slli_epi64(c[2], 32))));
            _mm512_storeu_ps(b + 2 * i, u01(_mm512_or_si512(c[1], _mm512_slli_epi64(c[3], 32))));
        }
#endif
        for (; i < count; ++i) {
            const auto r = block(step, index0 + std::uint32_t(i), sub);
            a[2 * i] = r123::u01<float>(r[0]);
            b[2 * i] = r123::u01<float>(r[1]);
            a[2 * i + 1] = r123::u01<float>(r[2]);
            b[2 * i + 1] = r123::u01<float>(r[3]);
        }
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

    /// One standard normal in float precision (Box-Muller on two 32-bit words): for the noise of
    /// device pulses and reads, which needs no double's resolution and is drawn hundreds of
    /// times per image; tails reach 6.6 sigma.
    /// It is r123::boxmuller(r[0], r[1]).x, r sin(pi u), without the cosine boxmuller also
    /// computes (glibc's sinf is the sine of its sincosf; tst_tile checks the two agree).
    float normal_f32(std::uint64_t step, std::uint32_t index, std::uint32_t sub = 0) const {
        const auto r = block(step, index, sub);
        const float s = std::sin(std::numbers::pi_v<float> * r123::uneg11<float>(r[0]));
        return s * std::sqrt(-2.f * std::log(r123::u01<float>(r[1])));
    }

  private:
#if defined(__AVX512F__)
    /// Blocks (step, index0 + j, sub), j < 8, with Random123's Philox arithmetic: block j in
    /// 64-bit lane j, word w in the low half of c[w].
    void blocks8(std::uint64_t step, std::uint32_t index0, std::uint32_t sub,
                 __m512i (&c)[4]) const {
        const __m512i low = _mm512_set1_epi64(0xffffffffll);
        const __m512i m0 = _mm512_set1_epi64(0xD2511F53ll), m1 = _mm512_set1_epi64(0xCD9E8D57ll);
        const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
        __m512i c0 = _mm512_set1_epi64(std::int64_t(std::uint32_t(step)));
        __m512i c1 = _mm512_set1_epi64(std::int64_t(std::uint32_t(step >> 32)));
        __m512i c2 =
            _mm512_and_si512(_mm512_add_epi64(_mm512_set1_epi64(std::int64_t(index0)), lane), low);
        __m512i c3 = _mm512_set1_epi64(std::int64_t(sub));
        std::uint32_t k0 = key_[0], k1 = key_[1];
        for (int round = 0; round < 10; ++round) {
            if (round > 0) {
                k0 += 0x9E3779B9u;
                k1 += 0xBB67AE85u;
            }
            const __m512i p0 = _mm512_mul_epu32(c0, m0), p1 = _mm512_mul_epu32(c2, m1);
            const __m512i n0 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p1, 32), c1),
                                                _mm512_set1_epi64(k0));
            const __m512i n2 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p0, 32), c3),
                                                _mm512_set1_epi64(k1));
            c1 = _mm512_and_si512(p1, low);
            c3 = _mm512_and_si512(p0, low);
            c0 = n0;
            c2 = n2;
        }
        c[0] = c0;
        c[1] = c1;
        c[2] = c2;
        c[3] = c3;
    }
#endif

    Philox::key_type key_;
};

} // namespace cbl
