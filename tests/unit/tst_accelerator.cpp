// The bit-serial RRAM accelerator (issue 17): with ideal devices, no noise and an ADC that loses
// nothing, the bit-sliced, bit-serial, tiled data path returns the integer MVM of the quantised
// weights and inputs bit for bit; what each option changes; refusals of bad parameters.
#include "core/accelerator/accelerator_designs.hpp"
#include "core/accelerator/accelerator_run.hpp"
#include "core/common/param_error.hpp"
#include "core/dataset/dataset.hpp"
#include "core/experiment/experiment.hpp"

#include <oneapi/tbb/global_control.h>

#include <QtTest>

#include <climits>
#include <memory>
#include <random>

using namespace cbl;

namespace {

using IntMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>;

Eigen::MatrixXd random_weights(int out, int in, unsigned seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<double> n(0, 0.1);
    Eigen::MatrixXd w(out, in);
    for (int c = 0; c < in; ++c)
        for (int r = 0; r < out; ++r)
            w(r, c) = n(gen);
    return w;
}

/// Integer inputs in [lo, hi], a quarter of them 0 (ReLU-like sparsity).
Eigen::MatrixXd random_inputs(int in, int n, long long lo, long long hi, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_int_distribution<long long> u(lo, hi);
    std::uniform_int_distribution<int> zero(0, 3);
    Eigen::MatrixXd x(in, n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < in; ++i)
            x(i, j) = zero(gen) == 0 ? 0.0 : double(u(gen));
    return x;
}

/// The reference: W_q x_q in 64-bit integers.
IntMatrix integer_mvm(const CrossbarMapping& m, const Eigen::MatrixXd& x) {
    return m.quantized_weights().cast<std::int64_t>() * x.cast<std::int64_t>();
}

Eigen::MatrixXd run(const CrossbarMapping& m, const Eigen::MatrixXd& x, AcceleratorCounts& c) {
    double largest = 0;
    return m.mvm(x, 7, c, largest);
}

bool bit_equal(const Eigen::MatrixXd& y, const IntMatrix& ref) {
    // Doubles hold these integers exactly (< 2^53): a cast compares bit for bit.
    return (y.cast<std::int64_t>().array() == ref.array()).all() &&
           (y.array() == y.array().round()).all();
}

/// fp32 trained one epoch on 400 synthetic images, 300 test images: a network to run on the
/// accelerator in a second.
std::unique_ptr<Experiment> small_trained_fp32() {
    ExperimentConfig cfg = load_preset("fp32");
    cfg.dataset.source = "synthetic";
    cfg.dataset.train_limit = 400;
    cfg.dataset.test_limit = 300;
    cfg.training.epochs = 1;
    auto e = std::make_unique<Experiment>(
        cfg, std::make_shared<const DataSplit>(load_dataset(cfg.dataset)));
    e->train_epoch();
    return e;
}

} // namespace

class TestAccelerator : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void exactWithIdealDevicesAndLosslessAdc_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("bitsPerCell");
        QTest::addColumn<bool>("encoding");
        QTest::addColumn<bool>("flip");
        QTest::addColumn<bool>("forceBitSerial");
        QTest::addColumn<bool>("signedInputs");
        QTest::addColumn<int>("adcBits");
        // ISAAC's point: 8 bits suffice with the flip (column sums <= 3 * 128 / 2 = 192).
        QTest::newRow("isaac") << 128 << 2 << false << true << true << false << 8;
        QTest::newRow("isaac-exact-path") << 128 << 2 << false << true << false << false << 8;
        QTest::newRow("encoding") << 128 << 2 << true << true << true << false << 8;
        QTest::newRow("encoding-no-flip") << 128 << 2 << true << false << true << false << 8;
        QTest::newRow("1-bit-cells-64-rows") << 64 << 1 << false << false << true << false << 7;
        QTest::newRow("3-bit-cells") << 128 << 3 << false << true << true << false << 10;
        QTest::newRow("signed-inputs") << 128 << 2 << false << true << true << true << 8;
        QTest::newRow("signed-encoding") << 100 << 2 << true << true << true << true << 8;
    }
    void exactWithIdealDevicesAndLosslessAdc() {
        QFETCH(int, rows);
        QFETCH(int, bitsPerCell);
        QFETCH(bool, encoding);
        QFETCH(bool, flip);
        QFETCH(bool, forceBitSerial);
        QFETCH(bool, signedInputs);
        QFETCH(int, adcBits);
        AcceleratorConfig c;
        c.hardware.rows = rows;
        c.hardware.bits_per_cell = bitsPerCell;
        c.hardware.column_flip = flip;
        c.hardware.adc_bits = adcBits;
        c.options.encoding = encoding;
        c.force_bit_serial = forceBitSerial;
        c.validate();
        const CrossbarMapping m(random_weights(37, 301, 1), c, 0);
        CrossbarMapping mapped = m;
        mapped.set_signed_inputs(signedInputs);
        const long long top = signedInputs ? 32767 : 65535;
        const Eigen::MatrixXd x = random_inputs(301, 23, signedInputs ? -top : 0, top, 2);
        AcceleratorCounts counts;
        const Eigen::MatrixXd y = run(mapped, x, counts);
        QVERIFY2(bit_equal(y, integer_mvm(mapped, x)), "bit-serial MVM != integer MVM");
        // 16 planes x 3 row tiles x (37 outputs x ceil(16 / b) slices) conversions per vector.
        const int slices = (16 + bitsPerCell - 1) / bitsPerCell;
        const int tiles = (301 + rows - 1) / rows;
        QCOMPARE(counts.adc_conversions, std::uint64_t(23) * 16 * tiles * 37 * slices);
        QCOMPARE(counts.cycles, std::uint64_t(23) * 16);
        QCOMPARE(counts.mvms, std::uint64_t(23));
    }

    void withoutTheFlipEightBitsClip() {
        // Small negative weights stored offset-binary: 0x7fxx, low cells at level 3; 128 rows
        // driven together sum to 384 > 255, so the 8-bit ADC clips unless the column flips.
        AcceleratorConfig c;
        c.hardware.column_flip = false;
        c.force_bit_serial = true;
        Eigen::MatrixXd w = Eigen::MatrixXd::Constant(4, 128, -0.001);
        w(0, 0) = 1; // the scale
        const Eigen::MatrixXd x = Eigen::MatrixXd::Constant(128, 3, 65535);
        const CrossbarMapping clipped(w, c, 0);
        AcceleratorCounts counts;
        QVERIFY(!bit_equal(run(clipped, x, counts), integer_mvm(clipped, x)));
        c.hardware.column_flip = true;
        const CrossbarMapping flipped(w, c, 0);
        QVERIFY(bit_equal(run(flipped, x, counts), integer_mvm(flipped, x)));
    }

    void dynamicQuantizationStreamsFewerPlanes() {
        AcceleratorConfig c;
        c.options.dynamic_quantization = true;
        c.options.dynamic_bits = 8;
        const CrossbarMapping m(random_weights(10, 200, 3), c, 0);
        // Inputs below 2^8: the 8 planes under the leading one hold every bit, so nothing is
        // lost and only 8 (or fewer) of the 16 planes stream.
        const Eigen::MatrixXd x = random_inputs(200, 9, 1, 255, 4);
        AcceleratorCounts counts;
        QVERIFY(bit_equal(run(m, x, counts), integer_mvm(m, x)));
        QVERIFY(counts.cycles <= std::uint64_t(9) * 8);
        // Wide inputs: the low planes are dropped (rounded), the result is close, not equal.
        const Eigen::MatrixXd wide = random_inputs(200, 9, 1, 65535, 5);
        AcceleratorCounts wide_counts;
        const Eigen::MatrixXd y = run(m, wide, wide_counts);
        const IntMatrix ref = integer_mvm(m, wide);
        QVERIFY(!bit_equal(y, ref));
        const double rel = (y - ref.cast<double>()).norm() / ref.cast<double>().norm();
        QVERIFY2(rel < 0.01, qPrintable(QString("relative error %1").arg(rel)));
    }

    void adcCutoffSkipsInsignificantPartialProducts() {
        AcceleratorConfig c;
        const CrossbarMapping full(random_weights(10, 200, 6), c, 0);
        CrossbarMapping cut = full;
        cut.set_adc(8, false, 20);             // outputs resolved from bit 20 up
        QCOMPARE(cut.resolved_bits(15, 7), 8); // 15 + 14 >= 20: every bit
        QCOMPARE(cut.resolved_bits(0, 0), 0);  // 0 + 0 + 8 <= 20: skipped
        QCOMPARE(cut.resolved_bits(10, 3), 4); // 10 + 6 + 8 - 20
        const Eigen::MatrixXd x = random_inputs(200, 5, 0, 65535, 7);
        AcceleratorCounts a, b;
        const Eigen::MatrixXd y_full = run(full, x, a);
        const Eigen::MatrixXd y_cut = run(cut, x, b);
        QVERIFY(b.adc_conversions < a.adc_conversions);
        QVERIFY(b.adc_bits_per_conversion() < 8);
        const double rel = (y_cut - y_full).norm() / y_full.norm();
        QVERIFY2(rel < 5e-3, qPrintable(QString("relative error %1").arg(rel)));
    }

    void integerColumnSumsEqualFloatProducts_data() {
        QTest::addColumn<bool>("encoding");
        QTest::addColumn<bool>("dynamic");
        QTest::addColumn<bool>("forceBitSerial");
        QTest::addColumn<bool>("signedInputs");
        QTest::addColumn<int>("adcBits");
        QTest::addColumn<int>("cutoff");
        QTest::addColumn<int>("stepLog2");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("bitsPerCell");
        QTest::addColumn<bool>("idealAdc");
        const int none = INT_MIN;
        // The lossy rows of the accelerator command: encoding's 7 bits clip, the A/D cutoff
        // rounds to coarser steps and skips conversions, dynamic quantization drops planes.
        QTest::newRow("encoding-7-bits")
            << true << false << false << false << 7 << none << 0 << 128 << 2 << false;
        QTest::newRow("adc-cutoff")
            << false << false << false << false << 8 << 20 << 0 << 128 << 2 << false;
        QTest::newRow("dynamic-bit-serial")
            << false << true << true << false << 8 << none << 0 << 128 << 2 << false;
        QTest::newRow("dynamic-7-bits")
            << false << true << false << false << 7 << none << 0 << 128 << 2 << false;
        QTest::newRow("combined") << true << true << false << false << 7 << 20 << 0 << 128 << 2
                                  << false;
        QTest::newRow("combined-bit-serial")
            << true << true << true << false << 7 << 20 << 0 << 128 << 2 << false;
        QTest::newRow("signed-7-bits")
            << false << false << false << true << 7 << none << 0 << 128 << 2 << false;
        QTest::newRow("signed-encoding-cutoff")
            << true << false << false << true << 7 << 18 << 0 << 128 << 2 << false;
        QTest::newRow("step-2-levels")
            << false << false << false << false << 8 << none << 1 << 128 << 2 << false;
        QTest::newRow("100-rows-3-bit-cells-encoding")
            << true << false << false << false << 8 << 24 << 0 << 100 << 3 << false;
        QTest::newRow("200-rows-1-bit-cells")
            << true << true << false << false << 6 << none << 0 << 200 << 1 << false;
        // A 12-bit ADC of 16-level steps: the planes' sums need 64 bits.
        QTest::newRow("64-bit-plane-sums")
            << true << false << false << false << 12 << none << 4 << 128 << 2 << false;
        QTest::newRow("ideal-adc-calibration")
            << true << true << true << false << 16 << none << 0 << 128 << 2 << true;
    }
    void integerColumnSumsEqualFloatProducts() {
        QFETCH(bool, encoding);
        QFETCH(bool, dynamic);
        QFETCH(bool, forceBitSerial);
        QFETCH(bool, signedInputs);
        QFETCH(int, adcBits);
        QFETCH(int, cutoff);
        QFETCH(int, stepLog2);
        QFETCH(int, rows);
        QFETCH(int, bitsPerCell);
        QFETCH(bool, idealAdc);
        AcceleratorConfig c;
        c.hardware.rows = rows;
        c.hardware.bits_per_cell = bitsPerCell;
        c.hardware.adc_step_log2 = stepLog2;
        c.options.encoding = encoding;
        c.options.dynamic_quantization = dynamic;
        c.force_bit_serial = forceBitSerial;
        Eigen::MatrixXd w = random_weights(37, 301, 10);
        const long long top = signedInputs ? 32767 : 65535;
        Eigen::MatrixXd x = random_inputs(301, 23, signedInputs ? -top : 0, top, 11);
        // Outputs 0-3 store their top level on the first half of each tile's rows (the rest at
        // the column's minimum) and vectors 0-3 drive exactly those rows: column sums near
        // top * rows / 2, beyond 7 bits even with bus-invert.
        for (int r = 0; r < 301; ++r) {
            const bool first_half = r % rows < rows / 2;
            w.block(0, r, 4, 1).setConstant(first_half ? 1.0 : -1.0);
            x.block(r, 0, 1, 4).setConstant(first_half ? double(top) : 0.0);
        }
        const auto mapped = [&](bool float_sums) {
            c.float_column_sums = float_sums;
            CrossbarMapping m(w, c, 0);
            m.set_signed_inputs(signedInputs);
            m.set_adc(adcBits, idealAdc, cutoff);
            return m;
        };
        const CrossbarMapping integer = mapped(false), reference = mapped(true);
        AcceleratorCounts counts, reference_counts;
        double largest = 0, reference_largest = 0;
        const Eigen::MatrixXd y = integer.mvm(x, 7, counts, largest);
        const Eigen::MatrixXd y_ref = reference.mvm(x, 7, reference_counts, reference_largest);
        QVERIFY2(y == y_ref, "integer column sums != float products");
        QVERIFY(counts == reference_counts);
        QCOMPARE(largest, reference_largest);
        QVERIFY(largest > 0); // some columns were converted plane by plane
        if (!idealAdc && !forceBitSerial)
            QVERIFY2(!bit_equal(y, integer_mvm(integer, x)), "expected a lossy configuration");
    }

    void noiseIsKeyedAndChangesResults() {
        AcceleratorConfig c;
        c.hardware.read_noise_levels = 0.5;
        c.hardware.variability_levels = 0.1;
        const Eigen::MatrixXd w = random_weights(8, 130, 8);
        const CrossbarMapping m(w, c, 0);
        const Eigen::MatrixXd x = random_inputs(130, 4, 0, 65535, 9);
        AcceleratorCounts counts;
        const Eigen::MatrixXd y1 = run(m, x, counts), y2 = run(m, x, counts);
        QVERIFY(y1 == y2); // same key, same draws
        QVERIFY(!bit_equal(y1, integer_mvm(m, x)));
    }

    void refusesBadParameters() {
        AcceleratorConfig c;
        const auto refused = [&](const std::string& set, const std::string& words) {
            try {
                apply_accelerator_override(c, set);
            } catch (const InputError& e) {
                const std::string what = e.what();
                QVERIFY2(what.find(words) != std::string::npos, what.c_str());
                QVERIFY(what.find('\n') == std::string::npos);
                return;
            }
            QFAIL(("accepted " + set).c_str());
        };
        refused(
            "accelerator.hardware.adc_bits=0",
            "accelerator.hardware.adc_bits = 0 bits is out of range; allowed 1 bits .. 16 bits");
        refused("accelerator.hardware.rows=1", "accelerator.hardware.rows");
        refused("accelerator.options.dynamic_bits=17", "accelerator.options.dynamic_bits");
        refused("accelerator.hardware.adc_bits=6.5", "whole number");
        refused("accelerator.hardware.column_flip=1", "boolean");
        refused("accelerator.hardware.nonsense=1", "is not a field; known:");
        refused("accelerator.hardware.read_noise_levels=-1", "read_noise_levels");
        refused("accelerator.test_images=-1", "accelerator.test_images");
        QCOMPARE(c.hardware.adc_bits, 8); // nothing half-applied
        apply_accelerator_override(c, "accelerator.hardware.adc_bits=6");
        QCOMPARE(c.hardware.adc_bits, 6);
        QVERIFY_THROWS_EXCEPTION(InputError, with_option(c, "faster"));
    }

    void runOnTrainedNetworkIsThreadIndependent() {
        const std::unique_ptr<Experiment> trained = small_trained_fp32();
        const Experiment& e = *trained;
        AcceleratorConfig c = with_option(AcceleratorConfig{}, "combined");
        c.calibration_images = 200;
        c.hardware.read_noise_levels = 0.3;
        const auto with_threads = [&](int n) {
            tbb::global_control limit(tbb::global_control::max_allowed_parallelism, n);
            return run_accelerator(e, c, "combined");
        };
        const AcceleratorResult one = with_threads(1), two = with_threads(2);
        QCOMPARE(one.test_accuracy, two.test_accuracy);
        QCOMPARE(one.energy_pJ(), two.energy_pJ());
        QCOMPARE(one.layers[0].counts.adc_conversions, two.layers[0].counts.adc_conversions);
        // The lossless baseline keeps the FP network's decisions within a rounding's reach.
        const AcceleratorResult base = run_accelerator(e, AcceleratorConfig{}, "baseline");
        QVERIFY(std::abs(base.test_accuracy - e.evaluate_test(1).accuracy) <= 0.01);
        QCOMPARE(base.layers[0].counts.cycles, std::uint64_t(300) * 16);
        // test_images takes the first test images: the same run on fewer of them.
        AcceleratorConfig few;
        few.test_images = 50;
        const AcceleratorResult head = run_accelerator(e, few, "baseline");
        QCOMPARE(head.images, 50);
        QCOMPARE(head.layers[0].counts.cycles, std::uint64_t(50) * 16);
    }

    void designsAreTheRowsOfAComparison() {
        const auto names = [](const std::vector<AcceleratorDesign>& ds) {
            std::vector<std::string> n;
            for (const auto& d : ds)
                n.push_back(d.name);
            return n;
        };
        AcceleratorConfig c;
        c.options.encoding = true; // the baseline switches every option off
        AcceleratorOptions all;
        all.encoding = all.adc_optimisation = all.dynamic_quantization = true;
        all.dynamic_bits = 6;
        const auto rows = accelerator_designs(c, all);
        QVERIFY((names(rows) == std::vector<std::string>{"baseline", "encoding", "adc_optimisation",
                                                         "dynamic_quantization", "combined"}));
        QVERIFY(!rows[0].config.options.encoding && !rows[0].config.options.dynamic_quantization);
        QVERIFY(rows[2].config.options.adc_optimisation && !rows[2].config.options.encoding);
        const AcceleratorOptions& comb = rows[4].config.options;
        QVERIFY(comb.encoding && comb.adc_optimisation && comb.dynamic_quantization);
        QCOMPARE(comb.dynamic_bits, 6);
        AcceleratorOptions two;
        two.encoding = two.dynamic_quantization = true;
        const auto pair = accelerator_designs(c, two);
        QVERIFY(
            (names(pair) == std::vector<std::string>{"baseline", "encoding", "dynamic_quantization",
                                                     "encoding+dynamic_quantization"}));
        QVERIFY(!pair[3].config.options.adc_optimisation && pair[3].config.options.encoding);
        QCOMPARE(accelerator_designs(c, AcceleratorOptions{}).size(), std::size_t(1));
        const auto sweep = adc_bits_sweep(c, 3, 10);
        QCOMPARE(sweep.size(), std::size_t(8));
        QCOMPARE(sweep[0].config.hardware.adc_bits, 3);
        QCOMPARE(sweep[7].config.hardware.adc_bits, 10);
        QVERIFY(!sweep[0].config.options.encoding);
        QVERIFY_THROWS_EXCEPTION(InputError, adc_bits_sweep(c, 5, 4));
    }

    // The GUI's Cancel: a set stop ends the design under way (a CNN's takes minutes), not only
    // the run between designs; a run followed counts its test images.
    void stopEndsTheDesignUnderWay() {
        const std::unique_ptr<Experiment> trained = small_trained_fp32();
        const Experiment& e = *trained;
        AcceleratorConfig c;
        c.calibration_images = 200;
        AcceleratorRunControl followed;
        const AcceleratorResult r =
            run_accelerator(e, with_option(c, "encoding"), "encoding", &followed);
        QCOMPARE(followed.images_total.load(), 300);
        QCOMPARE(followed.images_done.load(), 300);
        QCOMPARE(r.images, 300);

        AcceleratorOptions all;
        all.encoding = all.adc_optimisation = all.dynamic_quantization = true;
        for (const AcceleratorDesign& d : accelerator_designs(c, all)) {
            AcceleratorRunControl stopped;
            stopped.stop = true;
            QVERIFY_THROWS_EXCEPTION(AcceleratorCancelled,
                                     run_accelerator(e, d.config, d.name, &stopped));
            QVERIFY(run_accelerator_designs(e, {d}, {}, &stopped).empty());
        }
        // The float route (read noise) polls it too.
        CrossbarMapping m(random_weights(20, 200, 3), with_option(c, "encoding"), 0);
        const Eigen::MatrixXd x = random_inputs(200, 4, 0, 65535, 4);
        AcceleratorConfig noisy = c;
        noisy.hardware.read_noise_levels = 0.3;
        const CrossbarMapping n(random_weights(20, 200, 3), noisy, 0);
        const std::atomic<bool> stop{true};
        AcceleratorCounts counts;
        double largest = 0;
        QVERIFY_THROWS_EXCEPTION(AcceleratorCancelled, m.mvm(x, 7, counts, largest, &stop));
        QVERIFY_THROWS_EXCEPTION(AcceleratorCancelled, n.mvm(x, 7, counts, largest, &stop));
    }
};

QTEST_GUILESS_MAIN(TestAccelerator)
#include "tst_accelerator.moc"
