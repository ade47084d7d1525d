// TileGrid: a matrix split over crossbar arrays reads as one array (ideal devices, no noise),
// programs the synapse in the array that holds it, and counts each array's conversions and the
// digital partial-sum adds, which the ledger prices.
#include "core/common/rng.hpp"
#include "core/crossbar/tile_grid.hpp"
#include "core/energy/ledger.hpp"
#include "core/training/crossbar_layer.hpp"
#include "ideal_tile.hpp"

// oneTBB before Qt: Qt's `emit` macro would break TBB's headers (ARCHITECTURE.md).
#include <tbb/task_arena.h>

#include <QtTest>

#include <memory>

using namespace cbl;

namespace {

TileConfig split(TileConfig t, int array_rows, int array_cols) {
    t.array_rows = array_rows;
    t.array_cols = array_cols;
    return t;
}

/// Weights -0.4 .. 0.4 in a pattern that differs between neighbours (ideal step 0.1).
void program_pattern(TileGrid& g) {
    OpCounts ops;
    for (int r = 0; r < g.rows(); ++r)
        for (int c = 0; c < g.cols(); ++c)
            g.program(r, c, (3 * r + 5 * c) % 9 - 4, 0, ops);
}

Eigen::VectorXf signed_input(int n, std::uint64_t seed) {
    const CounterRng rng(seed, RngStream::dataset);
    Eigen::VectorXf x(n);
    for (int i = 0; i < n; ++i)
        x[i] = float(2 * rng.uniform(0, std::uint32_t(i)) - 1);
    return x;
}

/// Float sums in another order: equal to a few ulps of the largest partial product.
void compare_reads(const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
    QCOMPARE(a.size(), b.size());
    for (Eigen::Index i = 0; i < a.size(); ++i)
        QVERIFY2(
            std::abs(a[i] - b[i]) <= 1e-5f,
            qPrintable(QString("entry %1: %2 vs %3").arg(i).arg(double(a[i])).arg(double(b[i]))));
}

SchemeConfig mca(double eps) {
    SchemeConfig c;
    c.type = "mca";
    c.eps = eps;
    return c;
}

} // namespace

class TstTileGrid : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void gridReadsAsOneArray_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("array_rows");
        QTest::addColumn<int>("array_cols");
        QTest::addColumn<int>("row_blocks");
        QTest::addColumn<int>("col_blocks");
        QTest::addColumn<bool>("single");
        QTest::newRow("5x7 on 2x3") << 5 << 7 << 2 << 3 << 3 << 3 << false;
        QTest::newRow("5x7 on 2x3, single devices") << 5 << 7 << 2 << 3 << 3 << 3 << true;
        QTest::newRow("37x101 on 16x32") << 37 << 101 << 16 << 32 << 3 << 4 << false;
        QTest::newRow("rows only: 37x101 on 10x0") << 37 << 101 << 10 << 0 << 4 << 1 << false;
        QTest::newRow("arrays larger than the matrix") << 5 << 7 << 64 << 64 << 1 << 1 << false;
    }
    void gridReadsAsOneArray() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, array_rows);
        QFETCH(int, array_cols);
        QFETCH(int, row_blocks);
        QFETCH(int, col_blocks);
        QFETCH(bool, single);
        const TileConfig whole =
            ideal_tile(single ? WeightMapping::single : WeightMapping::differential);
        TileGrid one(rows, cols, whole, 5, 0);
        TileGrid grid(rows, cols, split(whole, array_rows, array_cols), 5, 0);
        QCOMPARE(one.row_blocks() * one.col_blocks(), 1);
        QCOMPARE(grid.row_blocks(), row_blocks);
        QCOMPARE(grid.col_blocks(), col_blocks);
        program_pattern(one);
        program_pattern(grid);
        // Ideal devices: the assembled matrix is the one array's, entry for entry.
        const Eigen::MatrixXf w = one.weights();
        QVERIFY(grid.weights() == w);
        QVERIFY(grid.g_plus_uS() == one.g_plus_uS());
        QVERIFY(grid.g_minus_uS() == one.g_minus_uS());
        QVERIFY(w.cwiseAbs().maxCoeff() > 0.35f); // the pattern is there

        OpCounts ops;
        const Eigen::VectorXf x = signed_input(cols, 1);
        Eigen::VectorXf y1(rows), yg(rows);
        one.forward(x, y1, 0, ops);
        grid.forward(x, yg, 0, ops);
        compare_reads(yg, y1);
        compare_reads(yg, w * x);

        const Eigen::VectorXf d = signed_input(rows, 2);
        Eigen::VectorXf b1(cols), bg(cols);
        one.backward(d, b1, 0, ops);
        grid.backward(d, bg, 0, ops);
        compare_reads(bg, b1);
        compare_reads(bg, w.transpose() * d);
    }

    void updatesLandInTheirArray() {
        // 5x7 on 2x3 arrays: synapse (r, c) lives in array (r / 2, c / 3) at (r % 2, c % 3).
        const TileConfig t = split(ideal_tile(WeightMapping::differential), 2, 3);
        for (int r = 0; r < 5; ++r)
            for (int c = 0; c < 7; ++c) {
                TileGrid g(5, 7, t, 3, 0);
                OpCounts ops;
                g.program(r, c, 3, 0, ops);
                QCOMPARE(int(ops.set_pulses), 3);
                for (int i = 0; i < g.row_blocks(); ++i)
                    for (int j = 0; j < g.col_blocks(); ++j) {
                        Eigen::MatrixXf expected =
                            Eigen::MatrixXf::Zero(g.array(i, j).rows(), g.array(i, j).cols());
                        if (i == r / 2 && j == c / 3) expected(r % 2, c % 3) = 0.3f;
                        QVERIFY2((g.array(i, j).weights() - expected).cwiseAbs().maxCoeff() < 1e-6f,
                                 qPrintable(QString("synapse (%1, %2), array (%3, %4)")
                                                .arg(r)
                                                .arg(c)
                                                .arg(i)
                                                .arg(j)));
                    }
                QVERIFY(std::abs(g.weight(r, c) - 0.3f) < 1e-6f);
                QCOMPARE(g.conductance_uS(r, c, 0), 8.f);
                QCOMPARE(g.conductance_uS(r, c, 1), 5.f);
            }
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, [&] {
            TileGrid g(5, 7, t, 3, 0);
            OpCounts ops;
            g.program(5, 0, 1, 0, ops);
        }());
    }

    void layerUpdatesReachTheArray() {
        // The scheme programs the layer's synapse (1, 5); the grid routes it to array (0, 1) at
        // (1, 2).
        SchemeConfig c = mca(0.1);
        c.quantize_bits = 0;
        c.refresh_interval = 0;
        CrossbarLayer layer(5, 7, split(ideal_tile(WeightMapping::differential), 2, 3), c, 0.05, 1,
                            0);
        StageCounts counts;
        StepContext ctx{0, &counts};
        Eigen::MatrixXf dW = Eigen::MatrixXf::Zero(5, 7);
        dW(1, 5) = 0.32f; // chi = 0.32: three pulses of 0.1, 0.02 stays in chi
        layer.commit(dW, ctx);
        QCOMPARE(int(counts[Stage::update].set_pulses), 3);
        QVERIFY(std::abs(layer.grid().array(0, 1).weight(1, 2) - 0.3f) < 1e-6f);
        Eigen::MatrixXf expected = Eigen::MatrixXf::Zero(5, 7);
        expected(1, 5) = 0.3f;
        QVERIFY((layer.weights() - expected).cwiseAbs().maxCoeff() < 1e-6f);
        QVERIFY(std::abs(layer.read_synapse(1, 5).weight - 0.3) < 1e-6);
        LayerPicture p;
        layer.fill_picture(p);
        QCOMPARE(p.g_plus_uS.rows(), 5);
        QCOMPARE(p.g_plus_uS.cols(), 7);
        QCOMPARE(p.g_plus_uS(1, 5), 8.f);
    }

    void singleDeviceHasNoGMinus() {
        // One device per weight against the reference (issue 18 F10a): the picture and the
        // synapse reading carry no G- of their own, a pair carries one.
        for (const WeightMapping m : {WeightMapping::single, WeightMapping::differential}) {
            const bool pair = m == WeightMapping::differential;
            CrossbarLayer layer(5, 7, ideal_tile(m), mca(0.1), 0.05, 1, 0);
            LayerPicture p;
            layer.fill_picture(p);
            QCOMPARE(p.g_plus_uS.size(), Eigen::Index(35));
            QCOMPARE(p.g_minus_uS.size(), pair ? Eigen::Index(35) : Eigen::Index(0));
            QCOMPARE(layer.read_synapse(1, 5).pair, pair);
        }
    }

    void ledgerCountsPartialSumsAndConversions_data() {
        QTest::addColumn<int>("array_rows");
        QTest::addColumn<int>("array_cols");
        // 5x7 (outputs x inputs) on 2x3 arrays: row blocks of 2, 2, 1 and column blocks of
        // 3, 3, 1, nine arrays. Forward: every array converts its inputs and its outputs, so
        // DAC = 3 row blocks x 7 = 21, ADC = 3 column blocks x 5 = 15, and each output adds
        // two partial sums: 5 x 2 = 10 adds. Backward transposed: DAC 3 x 5 = 15, ADC
        // 3 x 7 = 21, adds 7 x 2 = 14. One array: DAC 7 / 5, ADC 5 / 7, no adds.
        QTest::addColumn<int>("mvms");
        QTest::addColumn<int>("fwd_dac");
        QTest::addColumn<int>("fwd_adc");
        QTest::addColumn<int>("fwd_adds");
        QTest::addColumn<int>("bwd_dac");
        QTest::addColumn<int>("bwd_adc");
        QTest::addColumn<int>("bwd_adds");
        QTest::newRow("one array") << 0 << 0 << 1 << 7 << 5 << 0 << 5 << 7 << 0;
        QTest::newRow("2x3 arrays") << 2 << 3 << 9 << 21 << 15 << 10 << 15 << 21 << 14;
    }
    void ledgerCountsPartialSumsAndConversions() {
        QFETCH(int, array_rows);
        QFETCH(int, array_cols);
        QFETCH(int, mvms);
        QFETCH(int, fwd_dac);
        QFETCH(int, fwd_adc);
        QFETCH(int, fwd_adds);
        QFETCH(int, bwd_dac);
        QFETCH(int, bwd_adc);
        QFETCH(int, bwd_adds);
        TileConfig t = split(ideal_tile(WeightMapping::differential), array_rows, array_cols);
        t.peripherals.adc_bits = 8;
        CrossbarLayer layer(5, 7, t, mca(0.1), 0.05, 1, 0);
        StageCounts counts;
        StepContext ctx{0, &counts};
        Eigen::VectorXf z, out;
        layer.forward(signed_input(7, 1), z, ctx);
        layer.backward(signed_input(5, 2), out, ctx);
        const OpCounts& f = counts[Stage::forward];
        const OpCounts& b = counts[Stage::backward];
        QCOMPARE(int(f.mvms), mvms);
        QCOMPARE(int(f.dac_conversions), fwd_dac);
        QCOMPARE(int(f.adc_conversions), fwd_adc);
        QCOMPARE(int(f.adc_bit_conversions), 8 * fwd_adc);
        QCOMPARE(int(f.partial_sum_adds), fwd_adds);
        QCOMPARE(int(f.device_reads), 5 * 7 * 2); // every device once, however split
        QCOMPARE(int(b.mvms), mvms);
        QCOMPARE(int(b.dac_conversions), bwd_dac);
        QCOMPARE(int(b.adc_conversions), bwd_adc);
        QCOMPARE(int(b.partial_sum_adds), bwd_adds);

        // mca-14nm prices an add at 0.033 pJ on 32 lanes of 1 ns and a conversion at 8.35 pJ.
        auto tech = std::make_shared<const TechnologyPreset>(load_technology("mca-14nm"));
        EnergyLedger ledger(tech, 35);
        ledger.add(counts, 1);
        const EnergyReport r = ledger.report();
        const auto component = [&](const std::string& name) {
            for (const ComponentSummary& c : r.components)
                if (c.name == name) return c;
            qFatal("no component %s", name.c_str());
        };
        const ComponentSummary adds = component("partial_sum_add");
        QCOMPARE(adds.energy_nJ[0], fwd_adds * 0.033 / 1e3);
        QCOMPARE(adds.energy_nJ[1], bwd_adds * 0.033 / 1e3);
        QCOMPARE(adds.busy_us[0], fwd_adds * 1.0 / 32 / 1e3);
        QCOMPARE(component("adc").energy_nJ[0], fwd_adc * 8.35 / 1e3);
        QCOMPARE(component("adc").energy_nJ[1], bwd_adc * 8.35 / 1e3);
        // ... and the JSON breakdown shows it.
        bool shown = false;
        const nlohmann::json j = to_json(r);
        for (const auto& c : j["components"])
            if (c["name"] == "partial_sum_add")
                shown = c["energy_nJ_per_image"]["forward"].get<double>() == adds.energy_nJ[0];
        QVERIFY(shown);
    }

    void stateRoundTripsPerArray() {
        TileConfig t = split(ideal_tile(WeightMapping::differential), 2, 3);
        TileGrid a(5, 7, t, 9, 0);
        program_pattern(a);
        a.advance_time(3);
        StateArrays st;
        a.save_state("layer_0/", st);
        QVERIFY(st.count("layer_0/array_2_2/g_plus"));
        QCOMPARE(st.at("layer_0/array_2_2/g_plus").shape, (std::vector<std::size_t>{1, 1}));
        QVERIFY(!st.count("layer_0/g_plus"));
        TileGrid b(5, 7, t, 9, 0);
        b.load_state("layer_0/", st);
        StateArrays back;
        b.save_state("layer_0/", back);
        QVERIFY(back == st);
        QVERIFY(b.weights() == a.weights());
        // A grid needs every array: a session of another layout is refused by name.
        st.erase("layer_0/array_1_2/cache_w");
        QVERIFY_THROWS_EXCEPTION(InputError, b.load_state("layer_0/", st));
    }
};

QTEST_GUILESS_MAIN(TstTileGrid)
#include "tst_tile_grid.moc"
