// CrossbarTile: reads equal the weights, read noise has the analytical variance, programming is
// deterministic and counted, refresh keeps W, state round-trips exactly.
#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/crossbar/crossbar_tile.hpp"
#include "core/crossbar/mvm_kernels.hpp"
#include "core/training/crossbar_layer.hpp"

// oneTBB before Qt: Qt's `emit` macro would break TBB's headers (ARCHITECTURE.md).
#include <tbb/task_arena.h>

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace cbl;

namespace {

Eigen::VectorXf test_input(int n, std::uint64_t seed, double zero_fraction) {
    const CounterRng rng(seed, RngStream::dataset);
    Eigen::VectorXf x(n);
    for (int i = 0; i < n; ++i)
        x[i] = rng.uniform(0, std::uint32_t(i)) < zero_fraction
                   ? 0.f
                   : float(rng.uniform(0, std::uint32_t(i), 1));
    return x;
}

// Exact read-noise variance of y = W x: beta^2 sum_i x_i^2 (sigma(G+_ij)^2 + sigma(G-_ij)^2).
Eigen::VectorXd analytic_variance(const CrossbarTile& t, const Eigen::VectorXf& x, bool forward) {
    const PcmParams p = std::get<PcmParams>(t.config().device.model);
    const Eigen::ArrayXXd gp = t.g_plus_uS().cast<double>().array();
    const Eigen::ArrayXXd gm = t.g_minus_uS().cast<double>().array();
    const Eigen::ArrayXXd s2 =
        (p.read_g * gp + p.read_0_uS).square() + (p.read_g * gm + p.read_0_uS).square();
    const double b2 = t.config().beta_per_uS * t.config().beta_per_uS;
    const Eigen::VectorXd x2 = x.cast<double>().array().square().matrix();
    return forward ? Eigen::VectorXd(b2 * (s2.matrix() * x2))
                   : Eigen::VectorXd(b2 * (s2.matrix().transpose() * x2));
}

} // namespace

class TstTile : public QObject {
    Q_OBJECT

    // Pooled normalised residuals (y - E y) / sqrt(var) over outputs and reads have unit
    // variance; tolerance = 5 standard errors plus the worst case of the 8-bit sigma codes
    // (each sigma within half a code step of its value).
    static void check_noise(bool forward) {
        TileConfig cfg;
        CrossbarTile tile(250, 785, cfg, 7, 1);
        OpCounts ops;
        tile.advance_time(5000);
        const int in = forward ? 785 : 250, out = forward ? 250 : 785;
        const Eigen::VectorXf x = test_input(in, 3, 0.3);
        const Eigen::MatrixXf w = tile.weights();
        const Eigen::VectorXf mean_f =
            forward ? Eigen::VectorXf(w * x) : Eigen::VectorXf(w.transpose() * x);
        const Eigen::VectorXd mean = mean_f.cast<double>();
        const Eigen::VectorXd var = analytic_variance(tile, x, forward);
        const int reads = forward ? 8000 : 2000;
        double s = 0, s2 = 0;
        Eigen::VectorXf y(out);
        for (int k = 0; k < reads; ++k) {
            if (forward)
                tile.forward(x, y, std::uint64_t(k), ops);
            else
                tile.backward(x, y, std::uint64_t(k), ops);
            const Eigen::ArrayXd r = (y.cast<double>() - mean).array() / var.array().sqrt();
            s += r.sum();
            s2 += r.square().sum();
        }
        const double n = double(reads) * out;
        const double m = s / n, v = s2 / n - m * m;
        const PcmParams p;
        const double step = std::sqrt(2.0) * (p.read_g * p.g_max_uS + p.read_0_uS) / 255;
        const double sigma_min = std::sqrt(2.0) * (p.read_g * p.g_min_uS + p.read_0_uS);
        const double code_bound = 2 * (step / 2) / sigma_min + std::pow(step / 2 / sigma_min, 2);
        QVERIFY2(std::abs(m) < 5 / std::sqrt(n), qPrintable(QString("mean residual %1").arg(m)));
        QVERIFY2(std::abs(v - 1) < 5 * std::sqrt(2 / n) + code_bound,
                 qPrintable(QString("residual variance %1, allowed 1 +- %2")
                                .arg(v)
                                .arg(5 * std::sqrt(2 / n) + code_bound)));
        QCOMPARE(ops.mvms, std::uint64_t(reads));
    }

  private Q_SLOTS:
    void forwardEqualsWeightsWithoutNoise() {
        TileConfig cfg;
        cfg.read_noise = false;
        CrossbarTile tile(37, 101, cfg, 11, 0);
        OpCounts ops;
        const Eigen::VectorXf x = test_input(101, 5, 0.5);
        Eigen::VectorXf y(37), d(101);
        for (const double dt : {0.0, 10.0, 100.0, 1e4, 1e6}) {
            tile.advance_time(dt);
            tile.program(3, 4, 2, std::uint64_t(dt), ops);
            tile.forward(x, y, 0, ops);
            const Eigen::MatrixXf w = tile.weights();
            const Eigen::VectorXf bound =
                (w.cwiseAbs() * x.cwiseAbs()) * float(cfg.drift_tolerance * 1.01) +
                Eigen::VectorXf::Constant(37, 1e-4f);
            QVERIFY(((y - w * x).cwiseAbs().array() <= bound.array()).all());
            const Eigen::VectorXf e = test_input(37, 9, 0);
            tile.backward(e, d, 0, ops);
            const Eigen::VectorXf bound_t =
                (w.transpose().cwiseAbs() * e.cwiseAbs()) * float(cfg.drift_tolerance * 1.01) +
                Eigen::VectorXf::Constant(101, 1e-4f);
            QVERIFY(((d - w.transpose() * e).cwiseAbs().array() <= bound_t.array()).all());
            QVERIFY(std::abs(tile.weight(5, 7) - w(5, 7)) < 1e-6f);
        }
    }

    void forwardReadNoiseVarianceIsAnalytic() { check_noise(true); }
    void backwardReadNoiseVarianceIsAnalytic() { check_noise(false); }

    void driftLowersWeightsAsPowerLaw() {
        TileConfig cfg;
        cfg.device = DeviceParams{PcmParams{}};
        std::get<PcmParams>(cfg.device.model).nu_std = 0;
        CrossbarTile tile(8, 8, cfg, 1, 0);
        const Eigen::MatrixXf g0 = tile.g_plus_uS();
        tile.advance_time(38.6 * 1000);
        const Eigen::MatrixXf g1 = tile.g_plus_uS();
        // nu is stored as an 8-bit code of step (0.05 + 6 * 0) / 255.
        const double expected = std::pow(1000.0, -0.05);
        QVERIFY(((g1.array() / g0.array() - expected).abs() < 1e-5).all());
        OpCounts ops;
        tile.program(0, 0, 1, 0, ops); // drift re-initiates at the pulse
        QVERIFY(std::abs(tile.g_plus_uS()(0, 0) - tile.state().g_plus_uS[0]) < 1e-6f);
    }

    void programmingIsCountedAndHitsTheRightDevice() {
        TileConfig cfg;
        cfg.read_noise = false;
        CrossbarTile tile(4, 5, cfg, 2, 0);
        OpCounts ops;
        const TileState before = tile.state();
        tile.program(1, 2, 3, 10, ops);
        tile.program(2, 3, -2, 10, ops);
        QCOMPARE(ops.set_pulses, std::uint64_t(5));
        QCOMPARE(ops.reset_pulses, std::uint64_t(0));
        const TileState after = tile.state();
        const int s1 = 2 * 4 + 1, s2 = 3 * 4 + 2;
        QVERIFY(after.g_plus_uS[s1] != before.g_plus_uS[s1]);
        QCOMPARE(after.g_minus_uS[s1], before.g_minus_uS[s1]);
        QVERIFY(after.g_minus_uS[s2] != before.g_minus_uS[s2]);
        QCOMPARE(after.g_plus_uS[s2], before.g_plus_uS[s2]);
        QCOMPARE(after.n_plus[s1], std::uint8_t(before.n_plus[s1] + 3));

        cfg.mapping = WeightMapping::single;
        CrossbarTile single(4, 5, cfg, 2, 0);
        OpCounts ops1;
        single.program(0, 0, -2, 1, ops1);
        QCOMPARE(ops1.reset_pulses, std::uint64_t(2));
        QVERIFY(std::abs(single.state().g_plus_uS[0] - 0.1f) < 0.06f); // RESET ~ N(0.1, 0.01)
        QCOMPARE(single.state().n_plus[0], std::uint8_t(0));

        OpCounts reads;
        Eigen::VectorXf x = Eigen::VectorXf::Zero(5), y(4);
        x[1] = 0.5f;
        x[4] = 1.f;
        tile.forward(x, y, 0, reads);
        QCOMPARE(reads.mvms, std::uint64_t(1));
        // Every input line is converted and every device sits on a read line (seed 002 Table 1
        // counts all lines), though the simulation skips the zero inputs.
        QCOMPARE(reads.dac_conversions, std::uint64_t(5));
        QCOMPARE(reads.device_reads, std::uint64_t(5 * 4 * 2));
        QCOMPARE(reads.adc_conversions, std::uint64_t(4));
    }

    void programmingIsDeterministicAndThreadIndependent() {
        TileConfig cfg;
        const auto run = [&](int threads) {
            tbb::task_arena arena(threads);
            TileState st;
            arena.execute([&] {
                CrossbarTile tile(50, 60, cfg, 99, 3);
                OpCounts ops;
                for (int k = 0; k < 200; ++k) {
                    tile.advance_time(0.5);
                    tile.program(k % 50, (7 * k) % 60, (k % 5) - 2, std::uint64_t(k), ops);
                }
                tile.refresh(1000, ops);
                st = tile.state();
            });
            return st;
        };
        const TileState one = run(1), two = run(2);
        QVERIFY(one == two);
        CrossbarTile a(50, 60, cfg, 99, 3), b(50, 60, cfg, 99, 4);
        QVERIFY(a.state().g_plus_uS != b.state().g_plus_uS); // layers draw independently
        OpCounts ops;
        CrossbarTile c = a;
        a.program(0, 0, 1, 5, ops);
        c.program(0, 0, 1, 6, ops);
        QVERIFY(a.state().g_plus_uS[0] != c.state().g_plus_uS[0]); // steps draw independently
    }

    void refreshKeepsWeightsWithinOnePulse() {
        TileConfig cfg;
        cfg.read_noise = false;
        cfg.drift = false;
        CrossbarTile tile(20, 30, cfg, 4, 0);
        OpCounts ops;
        for (int r = 0; r < 20; ++r)
            for (int c = 0; c < 30; c += 3) {
                tile.program(r, c, 12 + (r % 7), std::uint64_t(r), ops);
                tile.program(r, c, -(4 + (c % 11)), std::uint64_t(r), ops);
            }
        const Eigen::MatrixXf gp = tile.g_plus_uS(), gm = tile.g_minus_uS();
        const Eigen::MatrixXf w_before = tile.weights();
        const int expected = int(((gp.array() > 8.f) || (gm.array() > 8.f)).count());
        QVERIFY(expected > 20);
        OpCounts rops;
        const int refreshed = tile.refresh(7, rops);
        QCOMPARE(refreshed, expected);
        QCOMPARE(rops.refreshed_pairs, std::uint64_t(expected));
        QVERIFY(rops.reset_pulses >= std::uint64_t(2 * expected));
        QVERIFY(rops.set_pulses > 0);
        QVERIFY(rops.verify_reads > rops.set_pulses);
        const Eigen::MatrixXf w_after = tile.weights();
        const float one_pulse = float(cfg.beta_per_uS * cfg.refresh_tolerance_uS);
        QVERIFY((((w_after - w_before).cwiseAbs().array()) <= one_pulse * 1.0001f).all());
        // Refreshed pairs have one device back at the RESET level.
        const Eigen::MatrixXf gp2 = tile.g_plus_uS(), gm2 = tile.g_minus_uS();
        for (int c = 0; c < 30; ++c)
            for (int r = 0; r < 20; ++r)
                if (gp(r, c) > 8.f || gm(r, c) > 8.f)
                    QVERIFY(std::min(gp2(r, c), gm2(r, c)) < 0.2f);
        // Only pairs whose difference alone exceeds the threshold can need a refresh again.
        const int big =
            int(((gp - gm).cwiseAbs().array() > float(8 - cfg.refresh_tolerance_uS)).count());
        QVERIFY(tile.refresh(8, rops) <= big);
    }

    void stateRoundTripIsExact() {
        TileConfig cfg;
        CrossbarTile tile(25, 31, cfg, 21, 2);
        OpCounts ops;
        for (int k = 0; k < 100; ++k) {
            tile.advance_time(3.7);
            tile.program(k % 25, k % 31, (k % 3) - 1, std::uint64_t(k), ops);
        }
        tile.calibrate_drift_compensation();
        tile.advance_time(1e4);
        const TileState st = tile.state();
        // Same seed and layer (they key the read noise), different history.
        CrossbarTile other(25, 31, cfg, 21, 2);
        other.program(0, 0, 5, 0, ops);
        other.restore(st);
        QVERIFY(other.state() == st);
        QVERIFY(other.weights() == tile.weights());
        const Eigen::VectorXf x = test_input(31, 1, 0.2);
        Eigen::VectorXf y1(25), y2(25);
        tile.forward(x, y1, 77, ops);
        other.forward(x, y2, 77, ops);
        QVERIFY(y1 == y2);
        TileState bad = st;
        bad.g_minus_uS.pop_back();
        QVERIFY_THROWS_EXCEPTION(InputError, other.restore(bad));
        bad = st;
        bad.rows = 24;
        QVERIFY_THROWS_EXCEPTION(InputError, other.restore(bad));
    }

    void youngestAgeIsNeverNegative() {
        // Program times are kept as float: at a clock whose float rounds up (0.1 s), the device
        // just programmed looks a few 1e-9 s younger than now. The cache's youngest age, which
        // a session stores and its validator checks, stays at 0 (CI once saw -1.6e-10).
        TileConfig cfg;
        CrossbarTile tile(4, 3, cfg, 5, 1);
        OpCounts ops;
        tile.advance_time(0.1);
        QVERIFY(double(float(tile.time_s())) > tile.time_s());
        tile.program(1, 2, 1, 0, ops);
        TileState st = tile.state();
        st.cache_w.clear(); // restored without a cache, the tile rebuilds it at its clock
        st.cache_sigma_code.clear();
        st.cache_row_sum.clear();
        tile.restore(st);
        QCOMPARE(tile.state().cache_min_age_s, 0.0);
    }

    void bytesPerSynapseFitsBudget() {
        CrossbarTile tile(250, 785, TileConfig{}, 1, 0);
        QVERIFY2(tile.bytes_per_synapse() <= 28,
                 qPrintable(QString::number(tile.bytes_per_synapse())));
    }

    void agedCopyAndDriftCompensation() {
        TileConfig cfg;
        cfg.read_noise = false;
        CrossbarTile tile(30, 40, cfg, 8, 0);
        tile.advance_time(100);
        tile.calibrate_drift_compensation();
        const Eigen::VectorXf x = test_input(40, 2, 0);
        Eigen::VectorXf y0(30), y1(30);
        OpCounts ops;
        tile.forward(x, y0, 0, ops);
        CrossbarTile later = tile.at_time(100 * 1e5);
        QCOMPARE(tile.time_s(), 100.0);
        const double f = later.drift_compensation_factor();
        QVERIFY(f > std::pow(1e5, 0.04) && f < std::pow(1e5, 0.06));
        later.forward(x, y1, 0, ops);
        const double compensated = (y1 - y0).norm();
        later.clear_drift_compensation();
        later.forward(x, y1, 0, ops);
        const double raw = (y1 - y0).norm();
        QVERIFY2(compensated < raw / 3, qPrintable(QString("%1 vs %2").arg(compensated).arg(raw)));
        QVERIFY_THROWS_EXCEPTION(InputError, tile.at_time(10));
    }

    void convertersQuantiseAndClip() {
        TileConfig cfg;
        cfg.read_noise = false;
        cfg.peripherals.adc_bits = 3;
        cfg.peripherals.adc_range = 1.0;
        cfg.peripherals.dac_bits = 4;
        CrossbarTile tile(30, 40, cfg, 8, 0);
        const Eigen::VectorXf x = test_input(40, 2, 0);
        Eigen::VectorXf y(30);
        OpCounts ops;
        tile.forward(x, y, 0, ops);
        const float lsb = 2.f / 7.f;
        for (int j = 0; j < 30; ++j) {
            QVERIFY(y[j] >= -1.f - 1e-6f && y[j] <= 1.f + 1e-6f);
            const float k = (y[j] + 1.f) / lsb;
            QVERIFY(std::abs(k - std::round(k)) < 1e-4f);
        }
        QCOMPARE(ops.adc_bit_conversions, std::uint64_t(30 * 3));
    }

    // Transposed reads of many vectors sum in the order of one Eigen product W^T d and of
    // transposed_variance() per vector: bit-identical, for every row padding and a column count
    // off the 16-column blocks, one vector (codes squared as read) or several (converted once).
    void transposedManyMatchesOneReadPerVector() {
        for (const int ld : {16, 32, 64, 144})
            for (const int cols : {1, 16, 37})
                for (const int n : {1, 5}) {
                    Eigen::MatrixXf w(ld, cols), d(ld, n);
                    Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic> q(ld, cols);
                    for (int c = 0; c < cols; ++c) {
                        // Magnitudes spread over decades, so a different summation order would
                        // show.
                        w.col(c) = test_input(ld, std::uint64_t(c), 0.2).array() *
                                   std::pow(10.f, float(c % 5) - 2.f) * (c % 2 ? 1.f : -1.f);
                        for (int r = 0; r < ld; ++r)
                            q(r, c) = std::uint8_t((r * 37 + c * 11) % 256);
                    }
                    for (int p = 0; p < n; ++p)
                        d.col(p) = test_input(ld, std::uint64_t(100 + p), 0.3).array() - 0.5f;
                    const Eigen::MatrixXf d2 = d.array().square().matrix();
                    Eigen::MatrixXf out(cols, n), var(cols, n);
                    mvm::transposed_many(w.data(), q.data(), ld, cols, d.data(), d2.data(), n,
                                         out.data(), var.data());
                    for (int p = 0; p < n; ++p) {
                        const Eigen::VectorXf one = w.transpose() * d.col(p);
                        Eigen::VectorXf one_var(cols);
                        mvm::transposed_variance(q.data(), ld, cols, d2.col(p).data(),
                                                 one_var.data());
                        QVERIFY(std::memcmp(one.data(), out.col(p).data(), sizeof(float) * cols) ==
                                0);
                        QVERIFY(std::memcmp(one_var.data(), var.col(p).data(),
                                            sizeof(float) * cols) == 0);
                    }
                }
    }

    // backward_many() gives every column the values and counts of its own backward() read.
    void backwardManyEqualsOneReadPerColumn() {
        CrossbarTile many(40, 70, TileConfig{}, 3, 1), one = many;
        Eigen::MatrixXf d(40, 6), out(70, 6);
        std::vector<std::uint64_t> steps;
        for (int p = 0; p < 6; ++p) {
            d.col(p) = test_input(40, std::uint64_t(p), 0.5);
            steps.push_back(7 + (std::uint64_t(p) << 40));
        }
        OpCounts ops_many, ops_one;
        many.backward_many(d, out, steps.data(), ops_many);
        for (int p = 0; p < 6; ++p) {
            Eigen::VectorXf y(70);
            one.backward(d.col(p), y, steps[std::size_t(p)], ops_one);
            QVERIFY(std::memcmp(y.data(), out.col(p).data(), sizeof(float) * 70) == 0);
        }
        QCOMPARE(ops_many.mvms, ops_one.mvms);
        QCOMPARE(ops_many.dac_conversions, ops_one.dac_conversions);
        QCOMPARE(ops_many.adc_conversions, ops_one.adc_conversions);
        QCOMPARE(ops_many.device_reads, ops_one.device_reads);
    }

    // The batched Philox draws (AVX-512, eight blocks per pass) and their uniforms equal the
    // scalar Random123 ones, including 32-bit index wrap-around and the scalar tail.
    void batchedRandomBlocksMatchScalar() {
        for (const std::uint64_t seed : {0ull, 1ull, 0xdeadbeefcafef00dull})
            for (const std::uint64_t step : {0ull, 123456789ull, (1ull << 63) | 77ull, ~0ull}) {
                const CounterRng rng(seed, RngStream::quantize, 3);
                for (const std::uint32_t index0 : {0u, 5u, 0xfffffff0u})
                    for (const int count : {0, 1, 8, 9, 63})
                        for (const std::uint32_t sub : {0u, 1u, 0xffffffffu}) {
                            std::vector<std::uint32_t> out(std::size_t(4 * count));
                            rng.blocks(step, index0, count, sub, out.data());
                            // Box-Muller's uniforms: words 0 and 2 into a, 1 and 3 into b.
                            std::vector<float> a(std::size_t(2 * count)), b(a.size());
                            rng.uniform_pairs(step, index0, count, sub, a.data(), b.data());
                            for (int i = 0; i < count; ++i) {
                                const auto r = rng.block(step, index0 + std::uint32_t(i), sub);
                                for (int k = 0; k < 4; ++k) {
                                    QCOMPARE(out[std::size_t(4 * i + k)], r[k]);
                                    const float u = (k % 2 ? b : a)[std::size_t(2 * i + k / 2)];
                                    const float want = r123::u01<float>(r[k]);
                                    QVERIFY(std::memcmp(&u, &want, sizeof u) == 0);
                                }
                            }
                        }
            }
    }

    // normal_f32 computes Box-Muller's sine alone: the same bits as Random123's pair's first.
    void singleNormalMatchesBoxMullerPair() {
        const CounterRng rng(7, RngStream::program, 2);
        for (std::uint32_t i = 0; i < 2'000'000; ++i) {
            const auto r = rng.block(i / 64, i, i % 64);
            const float pair_x = r123::boxmuller(r[0], r[1]).x;
            const float single = rng.normal_f32(i / 64, i, i % 64);
            if (single != pair_x)
                QFAIL(qPrintable(QString("draw %1: %2 against %3").arg(i).arg(single).arg(pair_x)));
        }
    }

    void multiPairSynapseSumsItsPairs() {
        // Boybat's multi-memristive synapse: W = (beta / N) sum of N pairs.
        TileConfig cfg;
        cfg.read_noise = false;
        cfg.drift = false;
        SchemeConfig scheme;
        scheme.type = "mca";
        scheme.eps = 0.024;
        scheme.refresh_interval = 0;
        const auto layer = [&](int pairs) {
            TileConfig c = cfg;
            c.pairs_per_weight = pairs;
            return CrossbarLayer(40, 60, c, scheme, 0.05, 5, 0);
        };
        CrossbarLayer one = layer(1), four = layer(4);
        // Independent pairs: the initial weights' spread shrinks by sqrt(N) = 2.
        const auto spread = [](const Eigen::MatrixXf& w) {
            const double m = w.mean();
            return std::sqrt((w.array() - m).square().mean());
        };
        const double ratio = spread(four.weights()) / spread(one.weights());
        QVERIFY2(std::abs(ratio - 0.5) < 0.05, qPrintable(QString::number(ratio)));
        // Reads add the pairs' currents; a synapse reads as the sum of its pairs.
        const Eigen::VectorXf x = test_input(60, 9, 0.2);
        Eigen::VectorXf z;
        StageCounts counts;
        StepContext ctx{0, &counts};
        four.forward(x, z, ctx);
        QVERIFY((z - four.weights() * x).cwiseAbs().maxCoeff() < 1e-4f);
        const SynapseReading s = four.read_synapse(3, 7);
        QCOMPARE(float(s.weight), four.weights()(3, 7));
        QVERIFY(s.g_plus_uS > 4 * 0.5 && s.g_minus_uS > 4 * 0.5); // four devices each
        // Three pulses on one synapse: the arbiter deals one each to pairs 0, 1 and 2.
        StateArrays before, after;
        four.save_state("", before);
        Eigen::MatrixXf dw = Eigen::MatrixXf::Zero(40, 60);
        dw(3, 7) = 3.5f * 0.024f;
        four.commit(dw, ctx);
        four.save_state("", after);
        const auto g_plus = [](const StateArrays& a, const std::string& pair) {
            return std::get<std::vector<float>>(a.at(pair + "g_plus").data)[7 * 40 + 3];
        };
        // A SET step is stochastic (its spread exceeds its mean on the first pulses): each pulsed
        // pair has moved, whichever way.
        for (const std::string pair : {"", "pair_1/", "pair_2/"})
            QVERIFY2(g_plus(after, pair) != g_plus(before, pair), pair.c_str());
        QCOMPARE(g_plus(after, "pair_3/"), g_plus(before, "pair_3/"));
        QCOMPARE(std::get<std::vector<std::uint32_t>>(after.at("arbiter").data)[0], 3u);
        // The next read sees the pulsed pairs: the sum follows the columns they wrote.
        four.forward(x, z, ctx);
        QVERIFY((z - four.weights() * x).cwiseAbs().maxCoeff() < 1e-4f);
        // The four pairs are one array read: one MVM per read, every device counted.
        QCOMPARE(counts[Stage::forward].mvms, std::uint64_t(2));
        QCOMPARE(counts[Stage::forward].device_reads, std::uint64_t(2) * 40 * 60 * 2 * 4);
    }

    void multiPairReadNoiseHasTheSummedVariance() {
        // The devices of a multi-memristive synapse are read together; their read noises are
        // independent, so one read of the sum has the sum of their variances:
        // var(z_j) = sum over pairs, devices and inputs of (beta_pair sigma(G) x_i)^2.
        TileConfig cfg;
        cfg.drift = false;
        cfg.pairs_per_weight = 2;
        SchemeConfig scheme;
        scheme.type = "mca";
        scheme.eps = 0.024;
        scheme.refresh_interval = 0;
        CrossbarLayer two(8, 30, cfg, scheme, 0.05, 7, 0);
        const Eigen::VectorXf x = test_input(30, 4, 0.2);
        const auto& pcm = std::get<PcmParams>(cfg.device.model);
        Eigen::VectorXd expected = Eigen::VectorXd::Zero(8);
        for (int p = 0; p < 2; ++p) {
            const double beta = two.grid(p).config().beta_per_uS;
            for (int r = 0; r < 8; ++r)
                for (int c = 0; c < 30; ++c)
                    for (int k = 0; k < 2; ++k) {
                        const double sigma =
                            pcm.read_g * two.grid(p).conductance_uS(r, c, k) + pcm.read_0_uS;
                        expected[r] += std::pow(beta * sigma * x[c], 2);
                    }
        }
        const Eigen::VectorXf mean = two.weights() * x;
        Eigen::VectorXd var = Eigen::VectorXd::Zero(8);
        StageCounts counts;
        const int reads = 4000;
        Eigen::VectorXf z;
        for (int i = 0; i < reads; ++i) {
            StepContext ctx{std::uint64_t(i), &counts};
            two.forward(x, z, ctx);
            var += (z - mean).cast<double>().array().square().matrix();
        }
        var /= reads;
        // 4,000 reads estimate a variance to about 2 %; the 8-bit sigma code adds at most 1 %.
        for (int r = 0; r < 8; ++r)
            QVERIFY2(std::abs(var[r] / expected[r] - 1) < 0.08,
                     qPrintable(
                         QString("output %1: %2 against %3").arg(r).arg(var[r]).arg(expected[r])));
        QCOMPARE(counts[Stage::forward].mvms, std::uint64_t(reads));
    }

    void hotParametersValidateAndApply() {
        CrossbarTile tile(3, 3, TileConfig{}, 1, 0);
        TileConfig bad;
        bad.read_noise_scale = -1;
        QVERIFY_THROWS_EXCEPTION(InputError, tile.configure(bad));
        bad = TileConfig{};
        bad.refresh_threshold_uS = std::nan("");
        QVERIFY_THROWS_EXCEPTION(InputError, tile.configure(bad));
        QVERIFY_THROWS_EXCEPTION(InputError, tile.advance_time(-1));
        TileConfig off;
        off.drift = false;
        tile.configure(off);
        QVERIFY(!tile.config().drift);
    }

    void liveDeviceParameterReachesThePulses() {
        // A device field the schema marks live (device.mu_0_uS) needs no code of its own: the
        // next SET step uses it. Deterministic steps (no spread) make the change exact.
        TileConfig c;
        c.drift = false;
        auto& pcm = std::get<PcmParams>(c.device.model);
        pcm.sigma_g = pcm.sigma_0_uS = pcm.sigma_p_uS = pcm.mu_d2d = 0;
        CrossbarTile before(2, 2, c, 1, 0), after(2, 2, c, 1, 0);
        pcm.mu_0_uS += 0.5;
        after.configure(c);
        OpCounts ops;
        const float g0 = before.conductance_uS(1, 1, 0);
        QCOMPARE(after.conductance_uS(1, 1, 0), g0);
        before.program(1, 1, 1, 0, ops);
        after.program(1, 1, 1, 0, ops);
        const double step_before = before.conductance_uS(1, 1, 0) - g0,
                     step_after = after.conductance_uS(1, 1, 0) - g0;
        QVERIFY2(std::abs(step_after - step_before - 0.5) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(step_after).arg(step_before)));
    }
};

QTEST_GUILESS_MAIN(TstTile)
#include "tst_tile.moc"
