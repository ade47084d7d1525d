// Seed 001's RRAM CNN accelerator model: baseline mechanics counted by hand, option-by-option
// attribution, and the paper's 2-4x band reached from the mechanics.
#include "core/common/param_error.hpp"
#include "core/energy/rram_cnn.hpp"

#include <QtTest>

#include <cmath>

using namespace cbl;

namespace {

Seed001Config vgg_layer() {
    return Seed001Config{};
} // 3x3x256 -> 256 on 28x28

// A small VGG-like CIFAR-10 network (convolutions only).
Seed001Config small_cnn() {
    Seed001Config c;
    c.layers = seed001_network("small-cnn");
    return c;
}

void check_band(const nlohmann::json& f, const char* what) {
    for (const char* key : {"energy_efficiency_x", "throughput_x", "area_efficiency_x"}) {
        const double x = f[key].get<double>();
        QVERIFY2(x >= 2.0 && x <= 4.0,
                 qPrintable(QString("%1 %2 = %3, seed 001 claims 2-4x").arg(what, key).arg(x)));
    }
}

} // namespace

class TestSeed001 : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void baselineCountedByHand() {
        const RramNetworkCost n = evaluate_rram_cnn(vgg_layer(), {});
        QCOMPARE(n.layers.size(), std::size_t(1));
        const RramLayerCost& l = n.layers[0];
        // 2304 rows -> 18 row tiles; 256 weights x 8 slices = 2048 columns -> 16 column tiles.
        QCOMPARE(l.row_tiles, 18);
        QCOMPARE(l.crossbars, 18 * 16);
        QCOMPARE(l.macs, 2304.0 * 256);
        // log2(128) + 1 + 2 - 1 - 1 (ISAAC's flip) = 8 bits
        QCOMPARE(l.adc_bits, 8);
        QCOMPARE(l.cycles, 16.0);
        // every static plane x every slice of every weight, in each row tile
        QCOMPARE(l.adc_conversions, 18.0 * 256 * 16 * 8);
        QCOMPARE(l.adc_bit_steps, 18.0 * 256 * 16 * 8 * 8);
        QCOMPARE(l.shift_adds, l.adc_conversions + 17.0 * 256);
        QCOMPARE(l.adc_pJ, l.adc_conversions * 1.67);
        // ADC-bound cycle: 16 weights x 8 slices x 8 SAR steps at 1.2 GS/s (8 bits)
        QCOMPARE(l.time_ns, 16 * (128 * 8 / (1.2 * 8)));
        QCOMPARE(l.area_mm2, 288 * (1200 + 2661) * 1e-6);
        QVERIFY(l.dac_drives > 0 && l.dac_drives < 16.0 * 16 * 2304);
    }

    void optionsChangeWhatTheyShould() {
        const Seed001Config cfg = vgg_layer();
        const RramLayerCost base = evaluate_rram_cnn(cfg, {}).layers[0];
        const RramLayerCost enc = evaluate_rram_cnn(cfg, {true, false, false}).layers[0];
        const RramLayerCost adc = evaluate_rram_cnn(cfg, {false, true, false}).layers[0];
        const RramLayerCost dyn = evaluate_rram_cnn(cfg, {false, false, true}).layers[0];
        // (a) one ADC bit less, less in-situ current, same cycles
        QCOMPARE(enc.adc_bits, 7);
        QVERIFY(enc.adc_pJ < base.adc_pJ);
        QVERIFY(enc.crossbar_pJ < base.crossbar_pJ);
        QCOMPARE(enc.cycles, base.cycles);
        // (b) fewer SAR steps and conversions, same provided resolution
        QCOMPARE(adc.adc_bits, 8);
        QVERIFY(adc.adc_bit_steps < base.adc_bit_steps);
        QVERIFY(adc.adc_conversions <= base.adc_conversions);
        // (c) at most dynamic_bits planes, so at most half the partial products
        QVERIFY(dyn.cycles <= cfg.dynamic_bits + 1e-9);
        QVERIFY(dyn.adc_conversions <= 0.5 * base.adc_conversions + 1e-6);
        QVERIFY(dyn.time_ns < base.time_ns);
    }

    void vggLayerWithinClaimedBand() {
        const nlohmann::json r = seed001_report(vgg_layer());
        qInfo().noquote() << QString::fromStdString(r.dump(1));
        check_band(r["total"], "3x3x256->256 layer, all options:");
        QVERIFY(r["total"]["within_claim"].get<bool>());
        // each option alone helps energy efficiency
        for (const auto& f : r["one_at_a_time"])
            QVERIFY2(f["energy_efficiency_x"].get<double>() > 1.0,
                     qPrintable(QString::fromStdString(f.dump())));
    }

    void attributionSumsUp() {
        const nlohmann::json r = seed001_report(vgg_layer());
        for (const char* key : {"energy_efficiency_x", "throughput_x", "area_efficiency_x"}) {
            double product = 1;
            for (const auto& step : r["cumulative"])
                product *= step[key].get<double>();
            QVERIFY2(std::abs(product / r["total"][key].get<double>() - 1) < 1e-9, key);
        }
        double saved = 0;
        for (const auto& step : r["cumulative"])
            saved += step["energy_saved_pJ_per_op"].get<double>();
        QVERIFY(std::abs(saved / r["total"]["energy_saved_pJ_per_op"].get<double>() - 1) < 1e-9);
        QCOMPARE(r["designs"].size(), std::size_t(6));
    }

    void smallCnnWithinClaimedBand() {
        const nlohmann::json r = seed001_report(small_cnn());
        qInfo().noquote() << "small CNN total:" << QString::fromStdString(r["total"].dump());
        check_band(r["total"], "small VGG-like CNN, all options:");
        QCOMPARE(r["layers"].size(), std::size_t(6));
    }

    void rejectsBadConfig() {
        Seed001Config c = vgg_layer();
        c.dynamic_bits = 0;
        try {
            evaluate_rram_cnn(c, {});
            QFAIL("dynamic_bits = 0 accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("dynamic_bits"), e.what());
        }
        c = vgg_layer();
        c.layers[0].kernel = 0;
        QVERIFY_THROWS_EXCEPTION(InputError, evaluate_rram_cnn(c, {}));
        QVERIFY_THROWS_EXCEPTION(InputError, seed001_network("resnet-9000"));
        c = vgg_layer();
        c.hardware.adc_energy_pJ[2].second = -1;
        QVERIFY_THROWS_EXCEPTION(InputError, seed001_report(c));
    }
};

QTEST_GUILESS_MAIN(TestSeed001)
#include "tst_seed001.moc"
